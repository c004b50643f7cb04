import { GAUGE_NAMES, sameGaugeValues, type GaugeName, type GaugeValue } from '../../coverage/gauges.js';
import { pairKey } from '../../store/pairKey.js';

const HELP: Record<GaugeName, string> = {
  segment_count: 'Segments in the hour by type (bad: names that do not parse)',
  segment_duration: 'Sum of segment durations in the hour by type, seconds',
  raw_coverage: 'Seconds of the hour covered by the best segments (overlaps counted once)',
  editable_coverage: 'Seconds of the hour a cutter can join without overlap',
  raw_holes: 'Holes in the raw chain, including start- and end-of-hour holes',
  editable_holes: 'Holes in the editable chain, including start- and end-of-hour holes',
  raw_hole_duration: 'Total length of the raw holes, seconds',
  editable_hole_duration: 'Total length of the editable holes, seconds',
  overlap_count: 'Losing duplicates plus chain overlaps, by the overlapping segment type',
  overlap_duration: 'Seconds of overlap, by the overlapping segment type',
};

/** A §4 family's HELP text. */
export function gaugeHelp(name: GaugeName): string {
  return `${HELP[name]}. See docs/coverage.md`;
}

/** A label value as the text format writes it (prom-client's escaping). */
function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** A sample value as the text format writes it (prom-client's getValueAsString). */
function sampleValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/**
 * The per-hour coverage gauges (docs/coverage.md) of every channel and quality, as
 * Prometheus text. Each update sets the series of changed hours and drops those of
 * hours that are gone, in one synchronous step: a scrape never sees half an update.
 *
 * The samples are kept as text per family and hour, rewritten only for the hours a write
 * touched: a scrape after a live update joins the changed families' lines instead of
 * formatting every series, and the series are held once, not also as prom-client gauges
 * (bench/METHOD.md, "Figures behind the code's choices"). The tests check this text against
 * prom-client's own rendering of the same values (test/outputs/coverageGauges.test.ts).
 */
export class CoverageGauges {
  /** Bumped by every change to the series: /metrics re-renders them only when it moved. */
  version = 0;
  /** What is exported now, per channel/quality key, per hour. */
  private readonly exported = new Map<string, Map<string, readonly GaugeValue[]>>();
  /**
   * Per family, per channel/quality/hour: that hour's sample lines, each ending in a
   * newline (flat strings: leaves for the collector, no buffer of their own). Null until
   * the first exposition() (a run-once without a textfile never pays for them); from then
   * on every write keeps them up to date.
   */
  private lines: Map<GaugeName, Map<string, string>> | null = null;
  /** Per family, its text as bytes, kept until one of its hours' lines changes (absent: to make). */
  private readonly familyBytes = new Map<GaugeName, Buffer>();

  /** Replaces everything exported for one channel and quality. */
  apply(channel: string, quality: string, hours: ReadonlyMap<string, readonly GaugeValue[]>): void {
    const key = pairKey(channel, quality);
    const before = this.exported.get(key) ?? new Map<string, readonly GaugeValue[]>();
    for (const hour of before.keys()) if (!hours.has(hour)) this.write(channel, quality, hour, null);
    for (const [hour, values] of hours) {
      const old = before.get(hour);
      if (old === undefined || !sameGaugeValues(old, values)) this.write(channel, quality, hour, values);
    }
    if (hours.size === 0) this.exported.delete(key);
    else this.exported.set(key, new Map(hours));
  }

  /**
   * Sets the series of the hours named in `changes` (null: the hour is gone, its series are
   * removed) and leaves every other hour's alone: a live update costs its changed hours.
   */
  applyChanges(channel: string, quality: string, changes: ReadonlyMap<string, readonly GaugeValue[] | null>): void {
    const key = pairKey(channel, quality);
    let held = this.exported.get(key);
    if (held === undefined) {
      held = new Map();
      this.exported.set(key, held);
    }
    for (const [hour, values] of changes) {
      const old = held.get(hour);
      if (values === null) {
        if (old !== undefined) this.write(channel, quality, hour, null);
        held.delete(hour);
      } else if (old === undefined || !sameGaugeValues(old, values)) {
        this.write(channel, quality, hour, values);
        held.set(hour, values);
      }
    }
    if (held.size === 0) this.exported.delete(key);
  }

  /** Drops every series of one channel and quality. */
  remove(channel: string, quality: string): void {
    this.apply(channel, quality, new Map());
  }

  /**
   * The text format of every series, one Buffer per family (HELP and TYPE lines, then its
   * samples; in GAUGE_NAMES order), joined: what prom-client would render for the same series
   * (blank lines dropped), but for the order of the samples within a family. A family
   * whose lines did not change is the very same Buffer as before, so /metrics compresses
   * again only the families a live update changed.
   */
  exposition(): Buffer[] {
    let lines = this.lines;
    if (lines === null) {
      lines = new Map(GAUGE_NAMES.map((n) => [n, new Map()]));
      this.lines = lines;
      for (const [key, hours] of this.exported) {
        const [channel, quality] = key.split('\u0000');
        for (const [hour, values] of hours) this.writeLines(channel, quality, hour, values);
      }
    }
    const families = lines;
    return GAUGE_NAMES.map((name) => {
      let bytes = this.familyBytes.get(name);
      if (bytes === undefined) {
        const byHour = families.get(name) as Map<string, string>;
        bytes = Buffer.from(`# HELP ${name} ${escapedHelp(name)}\n# TYPE ${name} gauge\n${[...byHour.values()].join('')}`);
        this.familyBytes.set(name, bytes);
      }
      return bytes;
    });
  }

  /** exposition() as one string: the §4 part of /metrics, and of the textfile. */
  text(): string {
    return Buffer.concat(this.exposition()).toString();
  }

  /** Rewrites (or drops) one hour's sample lines in every family; a family whose lines changed is made again by the next exposition(). */
  private writeLines(channel: string, quality: string, hour: string, values: readonly GaugeValue[] | null): void {
    if (this.lines === null) return;
    const key = `${pairKey(channel, quality)}\u0000${hour}`;
    const text = new Map<GaugeName, string[]>();
    if (values !== null) {
      const common = `channel="${labelValue(channel)}",hour="${labelValue(hour)}",quality="${labelValue(quality)}"`;
      for (const v of values) {
        const labels = v.type === undefined ? common : `${common},type="${labelValue(v.type)}"`;
        let family = text.get(v.name);
        if (family === undefined) {
          family = [];
          text.set(v.name, family);
        }
        family.push(`${v.name}{${labels}} ${sampleValue(v.value)}\n`);
      }
    }
    for (const [name, byHour] of this.lines) {
      const family = text.get(name);
      const old = byHour.get(key);
      if (family === undefined) {
        if (old === undefined) continue;
        byHour.delete(key);
      } else {
        // join() makes one flat string: kept for hours, it must not be a tree of the pieces it was made of
        const t = family.join('');
        if (old === t) continue;
        byHour.set(key, t);
      }
      this.familyBytes.delete(name);
    }
  }

  /** Sets (values) or removes (null) an hour's series. */
  private write(channel: string, quality: string, hour: string, values: readonly GaugeValue[] | null): void {
    this.version++;
    this.writeLines(channel, quality, hour, values);
  }
}

/** A family's HELP text as the text format writes it (prom-client's escaping). */
function escapedHelp(name: GaugeName): string {
  return gaugeHelp(name).replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
