import { setImmediate as nextTurn } from 'node:timers/promises';
import { Gauge, Registry } from 'prom-client';
import type { QualityCoverage } from '../../coverage/qualityCoverage.js';
import { coverageWindowHoles } from '../../coverage/coverageWindow.js';
import {
  DEFAULT_SEVERITY_RULES,
  pairSeverity,
  severityHoldsUntil,
  STATE_VALUE,
  type Severity,
  type SeverityRules,
} from '../../coverage/severity.js';
import { coveredHourBeforeNewest, windowSettled, type WindowReport } from '../../coverage/windowHoles.js';
import { pairKey } from '../../store/pairKey.js';

/** One channel and quality as the window gauges read it (a QualityStatus fits). */
export interface WindowSource {
  readonly channel: string;
  readonly quality: string;
  readonly coverage: QualityCoverage;
}

const DOC = 'See docs/coverage.md.';

interface Entry {
  readonly s: WindowSource;
  readonly r: WindowReport;
  /** µs covered in the hour before the newest covered instant, or null. */
  readonly beforeNewest: number | null;
  /** The report no longer follows the clock: it holds until `s` is replaced. */
  readonly settled: boolean;
  readonly severity: Severity;
  /** The latest now the severity holds for (a --max-age not reached yet), or null: for good. */
  readonly severityUntil: number | null;
}

/**
 * The `segcov_window_*` gauges: per channel and quality, the shown window's holes by the one
 * definition every surface shares (src/coverage/windowHoles.ts). Unlike the per-hour gauges
 * (docs/coverage.md, The per-hour gauges) they see a whole missing hour, so a rule can page
 * on it. They depend on "now" (a window bounded by --last-hour grows until its end), so they
 * are brought up to date when scraped or written, from the current state; a channel/quality
 * no longer held disappears.
 *
 * A report is computed again only when its source was replaced (a coverage update replaces
 * the whole entry, see CoverageState) or while its window still follows the clock
 * (windowSettled); otherwise the last one is reused, so a scrape of a settled store costs
 * nothing here. `version()` moves whenever a report was computed or dropped. The state
 * (src/coverage/severity.ts) follows the clock only through `--max-age`: an entry is kept
 * until the moment its newest segment turns too old.
 */
export class WindowGauges {
  readonly registry = new Registry();
  private entries = new Map<string, Entry>();
  private changes = 0;
  private pending: Promise<ReadonlyMap<string, Entry>> | null = null;
  /** Reports computed so far (tests). */
  computed = 0;

  constructor(
    private readonly sources: () => readonly WindowSource[],
    private readonly nowUs: () => number = () => Date.now() * 1000,
    private readonly rules: SeverityRules = DEFAULT_SEVERITY_RULES,
  ) {
    this.gauge(
      'segcov_window_holes',
      `Holes in the shown window (whole missing hours included, live edge and future excluded). ${DOC}`,
      (r) => r.holes.length,
    );
    this.gauge('segcov_window_hole_seconds', `Total length of the holes in the shown window, seconds. ${DOC}`, (r) => r.holeUs / 1e6);
    this.gauge(
      'segcov_window_longest_hole_seconds',
      `Length of the longest hole in the shown window, seconds (0: no hole). ${DOC}`,
      (r) => r.longestHoleUs / 1e6,
    );
    this.gauge(
      'segcov_window_missing_hour_slots',
      `Whole hours of the shown window with no best segment (folder absent, empty, or only temp and bad names). ${DOC}`,
      (r) => r.missingHours,
    );
    this.gauge(
      'segcov_newest_hour_covered_seconds',
      `Seconds of the hour before the end of the newest segment that are covered (3600: recording ran the whole hour up to its stop; absent when nothing is recorded). ${DOC}`,
      (_r, e) => (e.beforeNewest === null ? null : e.beforeNewest / 1e6),
    );
    this.gauge('segcov_window_length_seconds', `Length of the shown window, seconds (0: no window, nothing recorded). ${DOC}`, (r) =>
      r.window === null ? 0 : (r.window.end - r.window.start) / 1e6,
    );
    this.gauge(
      'segcov_window_state',
      `State of the shown window: 0 ok (no hole), 1 warn (only holes shorter than --long-hole), 2 bad (a long hole, a missing hour, nothing recorded, the window misses the recording, or older than --max-age). ${DOC}`,
      (_r, e) => STATE_VALUE[e.severity.state],
    );
  }

  /** Brings the reports up to date; the number moves whenever one of them changed. */
  async version(): Promise<number> {
    await this.reports();
    return this.changes;
  }

  /**
   * The current reports, in the sources' order. Callers meanwhile (the six gauges of one
   * render) share one update, so they all see one "now".
   */
  reports(): Promise<ReadonlyMap<string, Entry>> {
    this.pending ??= this.update().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Computes the reports that need it, one channel and quality per turn of the event loop. */
  private async update(): Promise<ReadonlyMap<string, Entry>> {
    const now = this.nowUs();
    const next = new Map<string, Entry>();
    for (const s of this.sources()) {
      const key = pairKey(s.channel, s.quality);
      const old = this.entries.get(key);
      if (old !== undefined && old.s === s && old.settled && (old.severityUntil === null || now <= old.severityUntil)) {
        next.set(key, old);
        continue;
      }
      const results = s.coverage.hours.map((h) => h.result);
      const r = coverageWindowHoles(s.coverage, now);
      const newest = s.coverage.newestEnd;
      next.set(key, {
        s,
        r,
        beforeNewest: coveredHourBeforeNewest(r.covered),
        settled: windowSettled(r.window, r.covered, results, s.coverage.bounds),
        severity: pairSeverity(r, newest, now, this.rules),
        severityUntil: severityHoldsUntil(newest, now, this.rules),
      });
      this.computed++;
      this.changes++;
      await nextTurn();
    }
    const before = [...this.entries.keys()];
    if (next.size !== before.length || [...next.keys()].some((k, i) => k !== before[i])) this.changes++;
    this.entries = next;
    return next;
  }

  private gauge(name: string, help: string, value: (r: WindowReport, e: Entry) => number | null): void {
    const self = this;
    new Gauge({
      name,
      help,
      labelNames: ['channel', 'quality'],
      registers: [this.registry],
      async collect() {
        const reports = await self.reports();
        this.reset();
        for (const e of reports.values()) {
          const v = value(e.r, e);
          if (v !== null) this.set({ channel: e.s.channel, quality: e.s.quality }, v);
        }
      },
    });
  }
}
