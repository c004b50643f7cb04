import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Seconds from a hole opening to its closing: backfill copies within minutes when a peer
 * holds the time, an import (`segcov fill`) may come hours or days later.
 */
export const FILL_DELAY_BUCKETS = [10, 30, 60, 120, 300, 600, 1800, 3600, 2 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400, 7 * 86400];

/** The hole history's metrics (docs/coverage.md, "A hole's life"), in a registry of their own. */
export class HistoryMetrics {
  readonly registry = new Registry();
  readonly opened = new Counter({
    name: 'segcov_holes_opened_total',
    help: 'Holes behind the live edge that segcov saw open (hole history incidents)',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly closed = new Counter({
    name: 'segcov_holes_closed_total',
    help: 'Hole incidents closed, by how: filled (covered now), filled_while_down (found covered at a start), left_window (no longer shown, not filled)',
    labelNames: ['channel', 'quality', 'how'],
    registers: [this.registry],
  });
  readonly fillDelay = new Histogram({
    name: 'segcov_hole_fill_delay_seconds',
    help: 'Seconds from a hole opening to its filling (for filled_while_down: to the first pass after the start)',
    labelNames: ['channel', 'quality'],
    buckets: FILL_DELAY_BUCKETS,
    registers: [this.registry],
  });
  readonly oldestOpen: Gauge;
  readonly tornRecords = new Counter({
    name: 'segcov_history_torn_records_total',
    help: 'Torn last records (a write cut short) found in the hole history file at start-up and ignored',
    registers: [this.registry],
  });
  readonly setAside = new Counter({
    name: 'segcov_history_files_set_aside_total',
    help: 'Corrupt hole history files renamed aside (NAME.corrupt-STAMP) and begun afresh',
    registers: [this.registry],
  });

  /** `oldestAges` gives, when scraped, each channel and quality's oldest open incident's age in seconds (0: none open). */
  constructor(oldestAges: () => Iterable<{ channel: string; quality: string; seconds: number }>) {
    this.oldestOpen = new Gauge({
      name: 'segcov_oldest_open_hole_age_seconds',
      help: 'Seconds since the oldest still-open hole incident opened (0: none open)',
      labelNames: ['channel', 'quality'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const a of oldestAges()) this.set({ channel: a.channel, quality: a.quality }, a.seconds);
      },
    });
    this.tornRecords.inc(0);
    this.setAside.inc(0);
  }

  /** Every series of one channel and quality at 0, so increase() sees the first one. */
  initQuality(channel: string, quality: string): void {
    this.opened.inc({ channel, quality }, 0);
    for (const how of ['filled', 'filled_while_down', 'left_window']) this.closed.inc({ channel, quality, how }, 0);
    this.fillDelay.zero({ channel, quality });
  }
}
