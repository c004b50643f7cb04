import { DEFAULT_SEVERITY_RULES, type PairState, type SeverityRules } from '../coverage/severity.js';
import type { Interval } from '../coverage/types.js';
import type { QualityStatus } from '../live/coverageState.js';
import { stateJson } from './severityText.js';
import { summarizeQuality } from './qualitySummary.js';

/**
 * `/api/v1/spans?v=1`: what one node holds, compact enough to fetch every few seconds
 * from every peer. Every time is an integer number of µs since the Unix epoch (below
 * 2^53 until the year 2255, so exact in JSON and JavaScript); an interval is `[start, end]`,
 * half-open.
 */
export const SPANS_VERSION = 1;

export type Pair = readonly [number, number];

/** One hour on disk: `[hour start, raw_coverage µs, raw holes, partial-only spans]`. */
export type HourSpans = readonly [number, number, readonly Pair[], readonly Pair[]];

export interface QualitySpans {
  readonly channel: string;
  readonly quality: string;
  /** False until the node's first pass over it has finished. */
  readonly scanned: boolean;
  /** The node's window (docs/coverage.md): null when it has no length. */
  readonly window: Pair | null;
  readonly newest_end: number | null;
  /** Merged spans some best segment covers. */
  readonly covered: readonly Pair[];
  /** The window's holes: uncovered stretches longer than 10 ms, missing hours included. */
  readonly holes: readonly Pair[];
  /** Whole hours of the window with no best segment. */
  readonly missing_hours: number;
  /** Nothing in the window is recorded (or there is no window). */
  readonly nothing_recorded: boolean;
  /** Spans held only by partial or suspect segments (merged). */
  readonly partial: readonly Pair[];
  readonly hours: readonly HourSpans[];
  /** ok, warn or bad (src/coverage/severity.ts); null before the first pass, or from a peer that does not say. */
  readonly state: PairState | null;
  /** Why, in a few words (null from a peer that does not say). */
  readonly reason: string | null;
  /** From the first covered instant on disk to the last, window or not (null: nothing). */
  readonly recorded: Pair | null;
  /** The window holds none of what is recorded. */
  readonly window_misses_recording: boolean;
}

export interface NodeSpans {
  readonly v: typeof SPANS_VERSION;
  readonly node: string;
  /** µs: the node's clock when it answered. */
  readonly generated_at: number;
  readonly ready: boolean;
  readonly qualities: readonly QualitySpans[];
}

export const pair = (i: Interval): Pair => [i.start, i.end];
export const interval = (p: Pair): Interval => ({ start: p[0], end: p[1] });

/** Pure: one channel and quality of this node in the spans form. */
export function qualitySpans(
  channel: string,
  quality: string,
  status: QualityStatus | undefined,
  nowUs: number,
  rules: SeverityRules = DEFAULT_SEVERITY_RULES,
): QualitySpans {
  const s = summarizeQuality(channel, quality, status, nowUs, rules);
  const hours = status?.coverage.hours ?? [];
  const partial: Pair[] = [];
  for (const h of hours) for (const p of h.result.partialOnly) partial.push(pair(p));
  return {
    channel,
    quality,
    scanned: status !== undefined,
    window: s.window === null ? null : pair(s.window),
    newest_end: s.newestEnd,
    covered: s.rawCovered.map(pair),
    // the one definition of a window hole (src/coverage/windowHoles.ts), as every surface
    holes: s.rawHoles.map(pair),
    missing_hours: s.missingHours,
    nothing_recorded: s.nothingRecorded,
    partial,
    hours: hours.map((h) => [h.result.start, h.result.rawCoverage, h.rawHoles.map(pair), h.result.partialOnly.map(pair)] as const),
    ...stateJson(s),
    recorded: s.recorded === null ? null : pair(s.recorded),
    window_misses_recording: s.cause?.kind === 'window_misses_recording',
  };
}

/** Pure: the body of `/api/v1/spans?v=1`. */
export function nodeSpans(
  node: string,
  pairs: readonly (readonly [string, string])[],
  get: (c: string, q: string) => QualityStatus | undefined,
  ready: boolean,
  nowUs: number,
  rules: SeverityRules = DEFAULT_SEVERITY_RULES,
): NodeSpans {
  return {
    v: SPANS_VERSION,
    node,
    generated_at: nowUs,
    ready,
    qualities: pairs.map(([c, q]) => qualitySpans(c, q, get(c, q), nowUs, rules)),
  };
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

function pairs(x: unknown, what: string): Pair[] {
  if (!Array.isArray(x)) throw new Error(`${what}: not a list`);
  return x.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !isInt(p[0]) || !isInt(p[1]) || p[1] < p[0])
      throw new Error(`${what}[${i}]: not a [start, end] pair of µs`);
    return [p[0], p[1]] as const;
  });
}

function optPair(x: unknown, what: string): Pair | null {
  if (x === null) return null;
  return pairs([x], what)[0];
}

function hourSpans(x: unknown, what: string): HourSpans[] {
  if (!Array.isArray(x)) throw new Error(`${what}: not a list`);
  return x.map((h, i) => {
    if (!Array.isArray(h) || h.length !== 4 || !isInt(h[0]) || !isInt(h[1])) throw new Error(`${what}[${i}]: not an hour`);
    return [h[0], h[1], pairs(h[2], `${what}[${i}] holes`), pairs(h[3], `${what}[${i}] partial`)] as const;
  });
}

function record(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error(`${what}: not an object`);
  return x as Record<string, unknown>;
}

/**
 * Checks a peer's answer to `/api/v1/spans?v=1` field by field (a peer is another
 * machine: nothing it sends is trusted). Throws with what is wrong.
 */
export function parseNodeSpans(body: unknown): NodeSpans {
  const o = record(body, 'answer');
  if (o.v !== SPANS_VERSION) throw new Error(`version ${JSON.stringify(o.v)}, expected ${SPANS_VERSION}`);
  if (typeof o.node !== 'string' || !isInt(o.generated_at) || typeof o.ready !== 'boolean' || !Array.isArray(o.qualities)) {
    throw new Error('node, generated_at, ready or qualities missing');
  }
  const qualities = o.qualities.map((qx, i): QualitySpans => {
    const q = record(qx, `qualities[${i}]`);
    if (typeof q.channel !== 'string' || typeof q.quality !== 'string' || typeof q.scanned !== 'boolean')
      throw new Error(`qualities[${i}]: channel, quality or scanned missing`);
    if (q.newest_end !== null && !isInt(q.newest_end)) throw new Error(`qualities[${i}].newest_end: not µs`);
    return {
      channel: q.channel,
      quality: q.quality,
      scanned: q.scanned,
      window: optPair(q.window, `qualities[${i}].window`),
      newest_end: q.newest_end,
      covered: pairs(q.covered, `qualities[${i}].covered`),
      holes: pairs(q.holes, `qualities[${i}].holes`),
      missing_hours: isInt(q.missing_hours) ? q.missing_hours : 0,
      nothing_recorded: q.nothing_recorded === true,
      partial: pairs(q.partial, `qualities[${i}].partial`),
      hours: hourSpans(q.hours, `qualities[${i}].hours`),
      // added within v1: an older peer does not send them
      state: q.state === 'ok' || q.state === 'warn' || q.state === 'bad' ? q.state : null,
      reason: typeof q.reason === 'string' ? q.reason : null,
      recorded: q.recorded === undefined ? null : optPair(q.recorded, `qualities[${i}].recorded`),
      window_misses_recording: q.window_misses_recording === true,
    };
  });
  return { v: SPANS_VERSION, node: o.node, generated_at: o.generated_at, ready: o.ready, qualities };
}
