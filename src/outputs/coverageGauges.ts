import { Gauge, Registry } from 'prom-client';
import { GAUGE_NAMES, sameGaugeValues, type GaugeName, type GaugeValue } from '../coverage/gauges.js';

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

const TYPED: ReadonlySet<GaugeName> = new Set(['segment_count', 'segment_duration', 'overlap_count', 'overlap_duration']);

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
 * The SPEC §4 gauges in their own registry (so the textfile holds exactly them). Each
 * channel/quality update sets the series of changed hours and removes those of hours
 * that are gone, in one synchronous step: a scrape never sees half an update.
 *
 * The registry (prom-client) holds the series for the textfile. /metrics reads
 * `exposition()` instead: the same samples, kept as text per family and hour and rewritten
 * only for the hours a write touched, so a scrape after a live update costs a concatenation
 * of the changed families' per-hour bytes, not prom-client's formatting of every series of
 * every hour (at 720 hours, 14 000 series: 35-50 ms of CPU per scrape against 1.5-3 ms;
 * `node dist/bench/scrapeCost.js`).
 */
export class CoverageGauges {
  readonly registry = new Registry();
  private readonly gauges = new Map<GaugeName, Gauge>();
  /** Bumped by every change to the registry's series: /metrics re-renders them only when it moved. */
  version = 0;
  /** What is exported now, per channel/quality key, per hour. */
  private readonly exported = new Map<string, Map<string, readonly GaugeValue[]>>();
  /**
   * Per family, per channel/quality/hour: that hour's sample lines (UTF-8), each ending in a
   * newline. Null until the first exposition() (a run-once, which serves no /metrics, never
   * pays for them); from then on every write keeps them up to date.
   */
  private lines: Map<GaugeName, Map<string, Buffer>> | null = null;
  /** Per family, its text as bytes, kept until one of its hours' lines changes (absent: to make). */
  private readonly familyBytes = new Map<GaugeName, Buffer>();

  constructor() {
    for (const name of GAUGE_NAMES) {
      const labelNames = TYPED.has(name) ? ['channel', 'hour', 'quality', 'type'] : ['channel', 'hour', 'quality'];
      this.gauges.set(name, new Gauge({ name, help: `${HELP[name]}. See docs/coverage.md`, labelNames, registers: [this.registry] }));
    }
  }

  /** Replaces everything exported for one channel and quality. */
  apply(channel: string, quality: string, hours: ReadonlyMap<string, readonly GaugeValue[]>): void {
    const key = `${channel}\u0000${quality}`;
    const before = this.exported.get(key) ?? new Map<string, readonly GaugeValue[]>();
    for (const [hour, values] of before) if (!hours.has(hour)) this.write(channel, quality, hour, values, true);
    for (const [hour, values] of hours) {
      const old = before.get(hour);
      if (old === undefined || !sameGaugeValues(old, values)) this.write(channel, quality, hour, values, false);
    }
    if (hours.size === 0) this.exported.delete(key);
    else this.exported.set(key, new Map(hours));
  }

  /**
   * Sets the series of the hours named in `changes` (null: the hour is gone, its series are
   * removed) and leaves every other hour's alone: a live update costs its changed hours.
   */
  applyChanges(channel: string, quality: string, changes: ReadonlyMap<string, readonly GaugeValue[] | null>): void {
    const key = `${channel}\u0000${quality}`;
    let held = this.exported.get(key);
    if (held === undefined) {
      held = new Map();
      this.exported.set(key, held);
    }
    for (const [hour, values] of changes) {
      const old = held.get(hour);
      if (values === null) {
        if (old !== undefined) this.write(channel, quality, hour, old, true);
        held.delete(hour);
      } else if (old === undefined || !sameGaugeValues(old, values)) {
        this.write(channel, quality, hour, values, false, old);
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
   * samples; SPEC §4 order), joined: the registry's text but for the order of the samples
   * within a family (the same order too when this was first called before any write). A
   * family whose lines did not change is the very same Buffer as before, so /metrics
   * compresses again only the families a live update changed.
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
        const help = `${HELP[name]}. See docs/coverage.md`.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
        const byHour = families.get(name) as Map<string, Buffer>;
        bytes = Buffer.concat([Buffer.from(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n`), ...byHour.values()]);
        this.familyBytes.set(name, bytes);
      }
      return bytes;
    });
  }

  /** Rewrites (or drops) one hour's sample lines in every family; a family whose lines changed is made again by the next exposition(). */
  private writeLines(channel: string, quality: string, hour: string, values: readonly GaugeValue[] | null): void {
    if (this.lines === null) return;
    const key = `${channel}\u0000${quality}\u0000${hour}`;
    const text = new Map<GaugeName, string>();
    if (values !== null) {
      const common = `channel="${labelValue(channel)}",hour="${labelValue(hour)}",quality="${labelValue(quality)}"`;
      for (const v of values) {
        const labels = v.type === undefined ? common : `${common},type="${labelValue(v.type)}"`;
        text.set(v.name, `${text.get(v.name) ?? ''}${v.name}{${labels}} ${sampleValue(v.value)}\n`);
      }
    }
    for (const [name, byHour] of this.lines) {
      const t = text.get(name);
      const old = byHour.get(key);
      if (t === undefined) {
        if (old === undefined) continue;
        byHour.delete(key);
      } else {
        // its own memory, not a slice of Node's shared 8 KB pool: a line kept for days must
        // not keep alive the slab it was cut from
        const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(t));
        bytes.write(t);
        if (old !== undefined && old.equals(bytes)) continue;
        byHour.set(key, bytes);
      }
      this.familyBytes.delete(name);
    }
  }

  /** Sets (or removes) an hour's series; with `old` (the same list shape), only the values that differ are set. */
  private write(channel: string, quality: string, hour: string, values: readonly GaugeValue[], remove: boolean, old?: readonly GaugeValue[]): void {
    this.version++;
    this.writeLines(channel, quality, hour, remove ? null : values);
    const sameShape = old !== undefined && old.length === values.length;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (sameShape && old[i].name === v.name && old[i].type === v.type && old[i].value === v.value) continue;
      const gauge = this.gauges.get(v.name);
      if (gauge === undefined) continue;
      const labels = v.type === undefined ? { channel, hour, quality } : { channel, hour, quality, type: v.type };
      if (remove) gauge.remove(labels);
      else gauge.set(labels, v.value);
    }
  }
}
