import { parseIsoTime } from '../time/isoTime.js';
import type { GaugeValue } from '../coverage/gauges.js';
import { DEFAULT_SEVERITY_RULES, orderHoles, type HoleOrder, type SeverityRules } from '../coverage/severity.js';
import { SECOND_US, type Interval } from '../coverage/types.js';
import type { QualityStatus } from '../live/coverageState.js';
import { isoUtc } from './format.js';
import { summarizeQuality, type HoleView } from './qualitySummary.js';
import { stateJson } from './severityText.js';

/** One hour's §4 figures: typed gauges as `{type: value}`, the others as plain numbers. */
export type HourFigures = Record<string, number | Record<string, number>>;

/** Groups an hour's gauge values by name, exactly as /metrics exports them. */
export function hourFigures(values: readonly GaugeValue[]): HourFigures {
  const out: HourFigures = {};
  for (const v of values) {
    if (v.type === undefined) {
      out[v.name] = v.value;
    } else {
      const typed = out[v.name];
      const obj = typeof typed === 'object' ? typed : {};
      obj[v.type] = v.value;
      out[v.name] = obj;
    }
  }
  return out;
}

const seconds = (us: number): number => us / SECOND_US;

/** Pure: the body of `/api/v1/coverage` for the entries to show. */
export function coverageJson(
  pairs: readonly [string, string][],
  get: (c: string, q: string) => QualityStatus | undefined,
  ready: boolean,
  nowUs: number,
  rules: SeverityRules = DEFAULT_SEVERITY_RULES,
): unknown {
  const channels: { channel: string; qualities: unknown[] }[] = [];
  for (const [channel, quality] of pairs) {
    let entry = channels.find((c) => c.channel === channel);
    if (entry === undefined) {
      entry = { channel, qualities: [] };
      channels.push(entry);
    }
    const status = get(channel, quality);
    const s = summarizeQuality(channel, quality, status, nowUs, rules);
    const cov = status?.coverage;
    entry.qualities.push({
      quality,
      scanned: status !== undefined,
      ...stateJson(s),
      updated_at: status === undefined ? null : new Date(status.updatedAt).toISOString(),
      newest_segment_end: s.newestEnd === null ? null : isoUtc(s.newestEnd),
      newest_segment_age_seconds: s.ageUs === null ? null : seconds(s.ageUs),
      // Window and holes by the one definition every surface shares (docs/coverage.md).
      window:
        s.window === null
          ? null
          : {
              start: isoUtc(s.window.start),
              end: isoUtc(s.window.end),
              hours: s.hoursShown,
              raw_coverage: seconds(s.coveredUs),
              coverage_percent: s.coveragePct,
            },
      nothing_recorded: s.nothingRecorded,
      // what the store holds, in the window or not: a window that holds none of it says so
      recorded: s.recorded === null ? null : { start: isoUtc(s.recorded.start), end: isoUtc(s.recorded.end) },
      window_misses_recording: s.cause?.kind === 'window_misses_recording',
      raw_holes: s.rawHoles.length,
      raw_hole_duration: seconds(s.rawHoleUs),
      longest_hole: seconds(s.longestHoleUs),
      missing_hours: s.missingHours,
      hours: (cov?.hours ?? []).map((hr) => ({
        hour: hr.result.hour,
        start: isoUtc(hr.result.start),
        ...hourFigures(cov?.gauges.get(hr.result.hour) ?? []),
      })),
    });
  }
  return { generated_at: isoUtc(nowUs), ready, channels };
}

/** A parsed `/api/v1/holes` query. */
export interface HolesQuery {
  readonly channel?: string;
  readonly quality?: string;
  /** µs; holes ending at or before it are left out. */
  readonly since?: number;
  /** µs; holes starting at or after it are left out. */
  readonly until?: number;
  /** `time` (the default: oldest first) or `length` (longest first). */
  readonly order?: HoleOrder;
}

/** The parameters every window query takes; each API adds its own (`order`, `state`). */
const WINDOW_PARAMS = ['channel', 'quality', 'since', 'until'] as const;

/** Earliest and latest instants the API takes: years 0000-9999, which format back to ISO-8601 exactly (µs). */
/**
 * Validates `/api/v1/holes` parameters: only the known ones, each at most once,
 * `since`/`until` ISO-8601 times with `since` < `until`, `order` time or length, channel
 * and quality ones that this node knows. Returns the query or the error message for a 400.
 * `extra`: the parameters besides the window's that the route takes (and parses itself, but
 * for `order`).
 */
export function parseHolesQuery(
  params: URLSearchParams,
  known: readonly [string, string][],
  extra: readonly string[] = ['order'],
): { query: HolesQuery } | { error: string } {
  const allowed = [...WINDOW_PARAMS, ...extra];
  const seen = new Set<string>();
  for (const k of params.keys()) {
    if (!allowed.includes(k)) return { error: `unknown parameter "${k}" (expected ${allowed.join(', ')})` };
    if (seen.has(k)) return { error: `parameter "${k}" given more than once` };
    seen.add(k);
  }
  const q: { channel?: string; quality?: string; since?: number; until?: number; order?: HoleOrder } = {};
  const order = params.get('order');
  if (order !== null) {
    if (order !== 'time' && order !== 'length') return { error: `order: "${order}" is not time or length` };
    q.order = order;
  }
  for (const name of ['since', 'until'] as const) {
    const v = params.get(name);
    if (v === null) continue;
    const t = parseIsoTime(v);
    if (t === null) return { error: `${name}: "${v}" is not an ISO-8601 time` };
    q[name] = t;
  }
  if (q.since !== undefined && q.until !== undefined && q.until <= q.since) return { error: 'until must be after since' };
  const channel = params.get('channel');
  const quality = params.get('quality');
  if (channel !== null) {
    if (!known.some(([c]) => c === channel)) return { error: `channel "${channel}" is not checked by this node` };
    q.channel = channel;
  }
  if (quality !== null) {
    if (!known.some(([c, qq]) => qq === quality && (channel === null || c === channel))) {
      return { error: `quality "${quality}" is not checked by this node${channel === null ? '' : ` for channel "${channel}"`}` };
    }
    q.quality = quality;
  }
  return { query: q };
}

function holeJson(x: HoleView): unknown {
  return { start: isoUtc(x.start), end: isoUtc(x.end), duration: seconds(x.end - x.start), hour: x.hour };
}

/** Holes that intersect [since, until), unclipped (a hole is reported whole). */
export function holesInRange<T extends Interval>(holes: readonly T[], since?: number, until?: number): T[] {
  return holes.filter((x) => (since === undefined || x.end > since) && (until === undefined || x.start < until));
}

/**
 * Pure: the body of `/api/v1/holes`: the window holes (whole missing hours included) that
 * intersect [since, until), each reported whole, with the hour it starts in, oldest first
 * or (`order=length`) longest first; and each pair's state.
 */
export function holesJson(
  pairs: readonly [string, string][],
  get: (c: string, q: string) => QualityStatus | undefined,
  query: HolesQuery,
  nowUs: number,
  rules: SeverityRules = DEFAULT_SEVERITY_RULES,
): unknown {
  const out: unknown[] = [];
  for (const [channel, quality] of pairs) {
    if (query.channel !== undefined && channel !== query.channel) continue;
    if (query.quality !== undefined && quality !== query.quality) continue;
    const status = get(channel, quality);
    const s = summarizeQuality(channel, quality, status, nowUs, rules);
    const order = query.order ?? 'time';
    const raw = orderHoles(holesInRange(s.rawHoles, query.since, query.until), order);
    const editable = orderHoles(holesInRange(s.editableHoles, query.since, query.until), order);
    out.push({
      channel,
      quality,
      scanned: status !== undefined,
      ...stateJson(s),
      raw_holes: raw.map(holeJson),
      editable_holes: editable.map(holeJson),
    });
  }
  return {
    generated_at: isoUtc(nowUs),
    since: query.since === undefined ? null : isoUtc(query.since),
    until: query.until === undefined ? null : isoUtc(query.until),
    order: query.order ?? 'time',
    holes: out,
  };
}
