import type { Logger } from '../log.js';
import type { HistoryMetrics } from '../outputs/metrics/historyMetrics.js';
import { readHistoryFile, type HistoryFile } from './historyFile.js';
import { encodeRecord, incidentKey, keptIncidents, type StoredIncident } from './historyRecords.js';
import { errorMessage } from '../errorMessage.js';

export interface IncidentStoreOptions {
  /** The history file; null keeps the incidents in memory only. */
  readonly file: HistoryFile | null;
  readonly log: Logger;
  readonly metrics: HistoryMetrics;
  /** Closed incidents are kept this many days at a compaction (open ones always). Default 30. */
  readonly keepDays?: number;
  /** At most this many closed incidents are kept at a compaction. Default 10 000. */
  readonly maxClosed?: number;
  /** The file is compacted once it grows past this many bytes. Default 4 MiB. */
  readonly maxBytes?: number;
  /** Counts a failed read or write (segcov_errors_total{kind="history_write"}). */
  readonly onError?: () => void;
}

/**
 * The incidents kept (every open one, the closed ones of the last days) and their file:
 * each change appended as a record; past a size, or after a failed write, the file is
 * rewritten whole from what is kept (atomically: a reader sees the old file or the new).
 */
export class IncidentStore {
  readonly all = new Map<string, StoredIncident>();
  /** µs of the newest record read or written, or null. */
  lastAt: number | null = null;
  /** The file was there and read at load. */
  found = false;
  private compactAbove: number;
  private broken = false;

  constructor(private readonly opts: IncidentStoreOptions) {
    this.compactAbove = opts.maxBytes ?? 4 * 1024 * 1024;
  }

  /** Reads the file back. Never throws: a problem is logged and the history starts afresh. */
  async load(nowUs: number): Promise<void> {
    const { file, log, metrics } = this.opts;
    if (file === null) return;
    try {
      const got = await readHistoryFile(file.file, nowUs / 1000);
      if (got.setAside !== null) {
        metrics.setAside.inc();
        log.error(
          { file: file.file, to: got.setAside.to, why: got.setAside.why },
          'hole history file is corrupt: set aside, beginning a new one',
        );
      }
      if (got.torn) {
        metrics.tornRecords.inc();
        log.warn({ file: file.file }, 'hole history: the last record was torn (a write cut short); ignored');
      }
      for (const [k, i] of got.state.incidents) this.all.set(k, i);
      this.lastAt = got.state.lastAt;
      this.found = got.found;
      file.bytes = got.bytes;
      log.info({ file: file.file, incidents: this.all.size, torn: got.torn }, 'hole history read');
      // a torn tail is cut off (a new record would join it), and a large file compacted
      if (got.torn || got.bytes > this.compactAbove) await this.compact(nowUs);
    } catch (e) {
      this.failed(e, 'cannot read the hole history; beginning afresh');
    }
  }

  /** Keeps the incidents' new states and queues their records. */
  put(changed: readonly StoredIncident[], nowUs: number): void {
    for (const i of changed) this.all.set(incidentKey(i.channel, i.quality, i.id), i);
    this.lastAt = nowUs;
    this.write(
      changed.map((i) => encodeRecord({ kind: 'incident', incident: i })),
      nowUs,
    );
  }

  /** Queues an `alive` or `stop` record. */
  mark(kind: 'alive' | 'stop', nowUs: number): void {
    this.lastAt = nowUs;
    this.write([encodeRecord({ kind, at: nowUs })], nowUs);
  }

  close(): Promise<void> {
    return this.opts.file?.close().catch(() => undefined) ?? Promise.resolve();
  }

  private write(lines: readonly string[], nowUs: number): void {
    const file = this.opts.file;
    if (file === null) return;
    if (this.broken) {
      void this.compact(nowUs);
      return;
    }
    file
      .append(lines)
      .then(() => {
        if (file.bytes > this.compactAbove) return this.compact(nowUs);
      })
      .catch((e: unknown) => {
        this.broken = true;
        this.failed(e, 'cannot append to the hole history; rewriting it whole next time');
      });
  }

  /** Rewrites the file with the incidents kept (open ones always); the in-memory list shrinks to the same. */
  private compact(nowUs: number): Promise<void> {
    const file = this.opts.file;
    if (file === null) return Promise.resolve();
    const kept = keptIncidents(this.all.values(), nowUs - (this.opts.keepDays ?? 30) * 86_400_000_000, this.opts.maxClosed ?? 10_000);
    this.all.clear();
    for (const i of kept) this.all.set(incidentKey(i.channel, i.quality, i.id), i);
    const lines = kept.map((i) => encodeRecord({ kind: 'incident', incident: i }));
    if (this.lastAt !== null) lines.push(encodeRecord({ kind: 'alive', at: this.lastAt }));
    const text = lines.join('');
    return file.rewrite(text).then(
      () => {
        this.broken = false;
        // open incidents are kept whatever their age: never compact again at every record
        this.compactAbove = Math.max(this.opts.maxBytes ?? 4 * 1024 * 1024, 2 * Buffer.byteLength(text));
        this.opts.log.debug({ file: file.file, kept: kept.length, bytes: file.bytes }, 'hole history compacted');
      },
      (e: unknown) => {
        this.broken = true;
        this.failed(e, 'cannot rewrite the hole history');
      },
    );
  }

  private failed(e: unknown, msg: string): void {
    this.opts.onError?.();
    this.opts.log.error({ file: this.opts.file?.file, err: errorMessage(e) }, msg);
  }
}
