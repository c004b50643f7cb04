import { coverageWindowHoles } from '../coverage/coverageWindow.js';
import { EMPTY_LIFE, lifeView, oldestOpenAge, stepLife, type LifeEvent, type PairLife, type StepOptions } from '../coverage/holeLife.js';
import { holesUnchanged } from '../coverage/holesUnchanged.js';
import type { StitchedHour } from '../coverage/stitch.js';
import type { WindowBounds } from '../coverage/windowHoles.js';
import type { QualityStatus } from '../live/coverageState.js';
import type { Logger } from '../log.js';
import type { HistoryMetrics } from '../outputs/historyMetrics.js';
import { HistoryFile, readHistoryFile } from './historyFile.js';
import { encodeRecord, incidentKey, keptIncidents, type StoredIncident } from './historyRecords.js';

/** What the web side reads: every incident kept, and a notice of each change. */
export interface IncidentSource {
  /** Open incidents and the closed ones kept (see keptIncidents). */
  incidents(): StoredIncident[];
  onChange(l: (changed: readonly StoredIncident[]) => void): () => void;
}

export interface HoleHistoryOptions {
  /** The history file; null keeps the history in memory only. */
  readonly file: HistoryFile | null;
  readonly log: Logger;
  readonly metrics: HistoryMetrics;
  /** Wall clock, ms (tests pin it). */
  readonly now?: () => number;
  /** Closed incidents are kept this many days at a compaction (open ones always). */
  readonly keepDays?: number;
  /** At most this many closed incidents are kept at a compaction. */
  readonly maxClosed?: number;
  /** The file is compacted once it grows past this many bytes. */
  readonly maxBytes?: number;
  /** ms between `alive` records (the bound of a later "while down"). */
  readonly aliveEveryMs?: number;
  /** Counts a failed write (segcov_errors_total{kind="history_write"}). */
  readonly onWriteError?: () => void;
}

interface PairState {
  life: PairLife;
  hours: readonly StitchedHour[];
  bounds: WindowBounds;
}

const pairKey = (channel: string, quality: string): string => `${channel}\u0000${quality}`;

/**
 * The daemon's hole history: the life rules (coverage/holeLife.ts) applied to every update
 * of a channel and quality, each change appended to the history file and announced. An
 * update whose hours cannot have changed the holes (holesUnchanged: the usual new segment
 * at the live edge) costs a walk of the hour list and nothing else.
 */
export class HoleHistory implements IncidentSource {
  private readonly all = new Map<string, StoredIncident>();
  private readonly pairs = new Map<string, PairState>();
  private readonly listeners = new Set<(changed: readonly StoredIncident[]) => void>();
  private started = false;
  private lastAt: number | null = null;
  private hadHistory = false;
  private compactAbove: number;
  private broken = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: HoleHistoryOptions) {
    this.now = opts.now ?? Date.now;
    this.compactAbove = opts.maxBytes ?? 4 * 1024 * 1024;
  }

  private nowUs(): number {
    return Math.round(this.now() * 1000);
  }

  /** Reads the history file back (before the first pass). Never throws: a problem is logged and the history starts afresh. */
  async load(): Promise<void> {
    const { file, log, metrics } = this.opts;
    if (file === null) return;
    try {
      const got = await readHistoryFile(file.file, this.now());
      if (got.setAside !== null) {
        metrics.setAside.inc();
        log.error({ file: file.file, to: got.setAside.to, why: got.setAside.why }, 'hole history file is corrupt: set aside, beginning a new one');
      }
      if (got.torn) {
        metrics.tornRecords.inc();
        log.warn({ file: file.file }, 'hole history: the last record was torn (a write cut short); ignored');
      }
      for (const [k, i] of got.state.incidents) this.all.set(k, i);
      this.lastAt = got.state.lastAt;
      this.hadHistory = got.found;
      file.bytes = got.bytes;
      const open = [...this.all.values()].filter((i) => i.closedAt === null);
      for (const i of open) {
        const p = this.pair(i.channel, i.quality);
        p.life = { open: [...p.life.open, i].sort((a, b) => a.span.start - b.span.start) };
      }
      log.info({ file: file.file, incidents: this.all.size, open: open.length, torn: got.torn }, 'hole history read');
      // a torn tail is cut off (a new record would join it), and a large file compacted
      if (got.torn || got.bytes > this.compactAbove) await this.compact();
    } catch (e) {
      reportError(this.opts, e, 'cannot read the hole history; beginning afresh');
    }
  }

  private pair(channel: string, quality: string): PairState {
    const k = pairKey(channel, quality);
    let p = this.pairs.get(k);
    if (p === undefined) {
      p = { life: EMPTY_LIFE, hours: [], bounds: {} };
      this.pairs.set(k, p);
    }
    return p;
  }

  /**
   * After the first pass: every channel and quality is reconciled with what the history
   * says. Parts filled meanwhile close `filled_while_down` (between the last record and
   * now); holes seen for the first time open, marked as seen at the start. Then every
   * update counts.
   */
  begin(statuses: readonly QualityStatus[]): void {
    const opts: StepOptions = { atStart: true, ...(this.hadHistory ? { downSince: this.lastAt } : {}) };
    this.started = true;
    for (const s of statuses) this.step(s, opts);
    this.writeAlive();
    const every = this.opts.aliveEveryMs ?? 60_000;
    this.timer = setInterval(() => this.writeAlive(), every);
    this.timer.unref();
  }

  /** One channel and quality's new coverage (called for every update; ignored before begin). */
  update(s: QualityStatus): void {
    if (!this.started) return;
    const p = this.pairs.get(pairKey(s.channel, s.quality));
    if (p !== undefined && holesUnchanged(p.hours, s.coverage.hours, p.bounds, s.coverage.bounds)) {
      p.hours = s.coverage.hours;
      p.bounds = s.coverage.bounds;
      return;
    }
    this.step(s, {});
  }

  private step(s: QualityStatus, opts: StepOptions): void {
    const p = this.pair(s.channel, s.quality);
    const now = this.nowUs();
    const view = lifeView(coverageWindowHoles(s.coverage, now));
    const { life, events } = stepLife(p.life, view, now, opts);
    p.life = life;
    p.hours = s.coverage.hours;
    p.bounds = s.coverage.bounds;
    if (events.length > 0) this.record(s.channel, s.quality, events, now);
  }

  private record(channel: string, quality: string, events: readonly LifeEvent[], now: number): void {
    const { metrics } = this.opts;
    const changed: StoredIncident[] = [];
    for (const e of events) {
      const i: StoredIncident = { ...e.incident, channel, quality, event: e.kind, at: now };
      this.all.set(incidentKey(channel, quality, i.id), i);
      changed.push(i);
      if (e.kind === 'opened') metrics.opened.inc({ channel, quality });
      if (e.kind === 'closed' && i.closedHow !== null) {
        metrics.closed.inc({ channel, quality, how: i.closedHow });
        if (i.closedHow !== 'left_window' && i.closedAt !== null) metrics.fillDelay.observe({ channel, quality }, (i.closedAt - i.openedAt) / 1e6);
      }
      this.opts.log.info({ channel, quality, id: i.id, event: e.kind, open: i.open.length, how: i.closedHow ?? undefined }, `hole ${e.kind}`);
    }
    this.lastAt = now;
    this.write(changed.map((i) => encodeRecord({ kind: 'incident', incident: i })));
    for (const l of this.listeners) l(changed);
  }

  private writeAlive(): void {
    const at = this.nowUs();
    this.lastAt = at;
    this.write([encodeRecord({ kind: 'alive', at })]);
  }

  /** Queues lines for the file; after a failed write the next write rewrites the whole file instead. */
  private write(lines: readonly string[]): void {
    const file = this.opts.file;
    if (file === null) return;
    if (this.broken) {
      void this.compact();
      return;
    }
    file.append(lines).then(() => {
      if (file.bytes > this.compactAbove) return this.compact();
    }).catch((e: unknown) => {
      this.broken = true;
      reportError(this.opts, e, 'cannot append to the hole history; rewriting it whole next time');
    });
  }

  /** Rewrites the file with the incidents kept (open ones always); the in-memory list shrinks to the same. */
  private compact(): Promise<void> {
    const file = this.opts.file;
    if (file === null) return Promise.resolve();
    const now = this.nowUs();
    const kept = keptIncidents(this.all.values(), now - (this.opts.keepDays ?? 30) * 86_400_000_000, this.opts.maxClosed ?? 10_000);
    this.all.clear();
    for (const i of kept) this.all.set(incidentKey(i.channel, i.quality, i.id), i);
    const lines = kept.map((i) => encodeRecord({ kind: 'incident', incident: i }));
    if (this.lastAt !== null) lines.push(encodeRecord({ kind: 'alive', at: this.lastAt }));
    const text = lines.join('');
    return file.rewrite(text).then(() => {
      this.broken = false;
      // open incidents are kept whatever their age: never compact again at every record
      this.compactAbove = Math.max(this.opts.maxBytes ?? 4 * 1024 * 1024, 2 * Buffer.byteLength(text));
      this.opts.log.debug({ file: file.file, kept: kept.length, bytes: file.bytes }, 'hole history compacted');
    }, (e: unknown) => {
      this.broken = true;
      reportError(this.opts, e, 'cannot rewrite the hole history');
    });
  }

  /** Ends the alive records with a `stop` record and closes the file (a clean stop). */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.started) this.write([encodeRecord({ kind: 'stop', at: this.nowUs() })]);
    await this.opts.file?.close().catch(() => undefined);
  }

  incidents(): StoredIncident[] {
    return [...this.all.values()];
  }

  onChange(l: (changed: readonly StoredIncident[]) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Each channel and quality's oldest open incident's age (s), for the gauge. */
  oldestAges(): { channel: string; quality: string; seconds: number }[] {
    const now = this.nowUs();
    const out: { channel: string; quality: string; seconds: number }[] = [];
    for (const [k, p] of this.pairs) {
      const [channel, quality] = k.split('\u0000');
      out.push({ channel, quality, seconds: (oldestOpenAge(p.life, now) ?? 0) / 1e6 });
    }
    return out;
  }
}

function reportError(opts: HoleHistoryOptions, e: unknown, msg: string): void {
  opts.onWriteError?.();
  opts.log.error({ file: opts.file?.file, err: e instanceof Error ? e.message : String(e) }, msg);
}
