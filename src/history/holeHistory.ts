import { coverageWindowHoles } from '../coverage/coverageWindow.js';
import { EMPTY_LIFE, lifeView, oldestOpenAge, stepLife, type LifeEvent, type PairLife, type StepOptions } from '../coverage/holeLife.js';
import { holesUnchanged } from '../coverage/holesUnchanged.js';
import type { StitchedHour } from '../coverage/stitch.js';
import type { WindowBounds } from '../coverage/windowHoles.js';
import type { QualityStatus } from '../live/coverageState.js';
import type { StoredIncident } from './historyRecords.js';
import { IncidentStore, type IncidentStoreOptions } from './incidentStore.js';
import { pairKey } from '../store/pairKey.js';
import { errorMessage } from '../errorMessage.js';

/** What the web side reads: every incident kept, and a notice of each change. */
export interface IncidentSource {
  /** Open incidents and the closed ones kept (see keptIncidents). */
  incidents(): StoredIncident[];
  onChange(l: (changed: readonly StoredIncident[]) => void): () => void;
}

export interface HoleHistoryOptions extends IncidentStoreOptions {
  /** Wall clock, ms (tests pin it). */
  readonly now?: () => number;
  /** ms between `alive` records (the bound of a later "while down"). */
  readonly aliveEveryMs?: number;
}

interface PairState {
  life: PairLife;
  hours: readonly StitchedHour[];
  bounds: WindowBounds;
}

/**
 * The daemon's hole history: the life rules (coverage/holeLife.ts) applied to every update
 * of a channel and quality, each change appended to the history file and announced. An
 * update whose hours cannot have changed the holes (holesUnchanged: the usual new segment
 * at the live edge) costs a walk of the hour list and nothing else.
 */
export class HoleHistory implements IncidentSource {
  private readonly store: IncidentStore;
  private readonly pairs = new Map<string, PairState>();
  private readonly listeners = new Set<(changed: readonly StoredIncident[]) => void>();
  private started = false;
  /** Options of each channel and quality's first step (the reconciliation with the file). */
  private startOpts: StepOptions = {};
  /** Channels and qualities reconciled already (a pair whose first pass failed is, at its first update). */
  private readonly reconciled = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: HoleHistoryOptions) {
    this.now = opts.now ?? Date.now;
    this.store = new IncidentStore(opts);
  }

  private nowUs(): number {
    return Math.round(this.now() * 1000);
  }

  /** Reads the history file back (before the first pass). Never throws: a problem is logged and the history starts afresh. */
  async load(): Promise<void> {
    await this.store.load(this.nowUs());
    for (const i of this.store.all.values()) {
      if (i.closedAt !== null) continue;
      const p = this.pair(i.channel, i.quality);
      p.life = { open: [...p.life.open, i].sort((a, b) => a.span.start - b.span.start) };
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
    this.startOpts = { atStart: true, ...(this.store.found ? { downSince: this.store.lastAt } : {}) };
    this.started = true;
    for (const s of statuses) this.update(s);
    this.store.mark('alive', this.nowUs());
    const every = this.opts.aliveEveryMs ?? 60_000;
    this.timer = setInterval(() => this.store.mark('alive', this.nowUs()), every);
    this.timer.unref();
  }

  /**
   * One channel and quality's new coverage (called for every update; ignored before begin).
   * Never throws: it runs inside the checker's publish, which a history problem must not stop.
   */
  update(s: QualityStatus): void {
    if (!this.started) return;
    const key = pairKey(s.channel, s.quality);
    try {
      if (!this.reconciled.has(key)) {
        this.reconciled.add(key);
        this.step(s, this.startOpts);
        return;
      }
      const p = this.pairs.get(key);
      if (p !== undefined && holesUnchanged(p.hours, s.coverage.hours, p.bounds, s.coverage.bounds)) {
        p.hours = s.coverage.hours;
        p.bounds = s.coverage.bounds;
        return;
      }
      this.step(s, {});
    } catch (e) {
      reportError(this.opts, e, 'hole history update failed');
    }
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
      changed.push(i);
      if (e.kind === 'opened') metrics.opened.inc({ channel, quality });
      if (e.kind === 'closed' && i.closedHow !== null) {
        metrics.closed.inc({ channel, quality, how: i.closedHow });
        if (i.closedHow !== 'left_window' && i.closedAt !== null)
          metrics.fillDelay.observe({ channel, quality }, (i.closedAt - i.openedAt) / 1e6);
      }
      this.opts.log.info(
        { channel, quality, id: i.id, event: e.kind, open: i.open.length, how: i.closedHow ?? undefined },
        `hole ${e.kind}`,
      );
    }
    this.store.put(changed, now);
    for (const l of this.listeners) {
      try {
        l(changed);
      } catch (e) {
        this.opts.log.error({ err: errorMessage(e) }, 'hole history listener failed');
      }
    }
  }

  /** Ends the alive records with a `stop` record and closes the file (a clean stop). */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.started) this.store.mark('stop', this.nowUs());
    await this.store.close();
  }

  incidents(): StoredIncident[] {
    return [...this.store.all.values()];
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
  opts.onError?.();
  opts.log.error({ err: errorMessage(e) }, msg);
}
