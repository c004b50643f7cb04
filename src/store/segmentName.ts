import type { Segment, SegmentType } from '../coverage/types.js';

/** Outcome of parsing one listed `.ts` name (docs/coverage.md, The store). */
export type ParsedName = { readonly ok: true; readonly segment: Segment } | { readonly ok: false; readonly reason: string };

const MAX_DURATION_INT_DIGITS = 9; // keeps microseconds far inside the safe integer range

/**
 * Converts a decimal duration text to whole microseconds, exactly, rounding half up
 * at the 7th fractional digit. Returns null when the text is not `digits[.digits]`.
 * (Hand-rolled over char codes: it runs for every file of every pass.)
 */
export function parseDurationMicros(text: string, from = 0, to = text.length): number | null {
  const n = to;
  let i = from;
  let whole = 0;
  let intDigits = 0;
  while (i < n) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    if (whole > 0) intDigits++;
    i++;
  }
  if (i === from || intDigits > MAX_DURATION_INT_DIGITS) return null;
  let micros = 0;
  let roundUp = false;
  if (i < n) {
    if (text.charCodeAt(i) !== 46 /* . */ || i === n - 1) return null;
    i++;
    for (let k = 0; i < n; i++, k++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      if (k < 6) micros += c * POW10[5 - k];
      else if (k === 6) roundUp = c >= 5;
    }
  }
  return whole * 1_000_000 + micros + (roundUp ? 1 : 0);
}

const POW10 = [1, 10, 100, 1000, 10000, 100000];

/** Parses `MM:SS[.ffffff]` to the microsecond offset within the hour. */
export function parseOffsetMicros(text: string, from = 0, to = text.length): number | null {
  const n = to - from;
  if (n < 5 || n === 6 || n > 12 || text.charCodeAt(from + 2) !== 58 /* : */) return null;
  const m1 = text.charCodeAt(from) - 48;
  const m2 = text.charCodeAt(from + 1) - 48;
  const s1 = text.charCodeAt(from + 3) - 48;
  const s2 = text.charCodeAt(from + 4) - 48;
  if (m1 < 0 || m1 > 5 || m2 < 0 || m2 > 9 || s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return null;
  let frac = 0;
  if (n > 5) {
    if (text.charCodeAt(from + 5) !== 46 /* . */) return null;
    for (let i = 6; i < n; i++) {
      const c = text.charCodeAt(from + i) - 48;
      if (c < 0 || c > 9) return null;
      frac += c * POW10[11 - i];
    }
  }
  return ((m1 * 10 + m2) * 60 + s1 * 10 + s2) * 1_000_000 + frac;
}

/** True when `hash` is an unpadded URL-safe base64 text, as non-temp names need. */
export function isValidHash(hash: string): boolean {
  return validHashLength(hash.length) && HASH_RE.test(hash);
}

const HASH_RE = /^[A-Za-z0-9_-]*$/;
/** The hash of a name (from lastIndex) up to its final `.ts`: sticky, so no slice is needed. */
const HASH_TO_TS_RE = /[A-Za-z0-9_-]*\.ts$/y;

/** Unpadded base64 has no length ≡ 1 (mod 4), and a hash is not empty. */
function validHashLength(n: number): boolean {
  return n > 0 && n % 4 !== 1;
}

/**
 * isValidHash of name[from, name.length - 3), for a name that ends in `.ts`. A regular
 * expression, not a char-code loop: this runs for every file of every pass, and on random
 * base64 the loop's branches mispredict (about 3× slower, measured).
 */
function validHashAt(name: string, from: number): boolean {
  if (!validHashLength(name.length - 3 - from)) return false;
  HASH_TO_TS_RE.lastIndex = from;
  return HASH_TO_TS_RE.test(name);
}

/**
 * Parses a segment file name `MM:SS.ffffff-DURATION-TYPE-HASH.ts` in the hour that
 * starts at `hourStart` (µs). The name must already end in `.ts`.
 */
export function parseSegmentName(name: string, hourStart: number): ParsedName {
  const r = parseSegment(name, hourStart);
  return typeof r === 'string' ? { ok: false, reason: r } : { ok: true, segment: r };
}

/**
 * parseSegmentName without the result wrapper: the segment, or why the name is bad.
 * (The listing of every pass calls this once per file: one object less each time.)
 */
export function parseSegment(name: string, hourStart: number): Segment | string {
  const end = name.length - 3;
  if (end < 0 || !name.endsWith('.ts')) return 'does not end in .ts';
  const d1 = name.indexOf('-');
  const d2 = d1 < 0 ? -1 : name.indexOf('-', d1 + 1);
  const d3 = d2 < 0 ? -1 : name.indexOf('-', d2 + 1);
  if (d3 < 0 || d3 > end) return 'expected TIME-DURATION-TYPE-HASH';
  const offset = parseOffsetMicros(name, 0, d1);
  if (offset === null) return 'bad time (want MM:SS[.ffffff], 00-59 each)';
  const duration = parseDurationMicros(name, d1 + 1, d2);
  if (duration === null) return 'bad duration (want digits[.digits])';
  const type = typeAt(name, d2 + 1, d3);
  if (type === null) return `unknown type "${name.slice(d2 + 1, d3)}"`;
  if (type !== 'temp' && !validHashAt(name, d3 + 1)) return 'bad hash (want unpadded URL-safe base64)';
  return { name, start: hourStart + offset, duration, type, hash: name.slice(d3 + 1, end) };
}

/** The segment type spelled at name[from, to), or null. */
function typeAt(name: string, from: number, to: number): SegmentType | null {
  switch (to - from) {
    case 4:
      if (name.startsWith('full', from)) return 'full';
      if (name.startsWith('temp', from)) return 'temp';
      return null;
    case 7:
      if (name.startsWith('suspect', from)) return 'suspect';
      if (name.startsWith('partial', from)) return 'partial';
      return null;
    default:
      return null;
  }
}

/** Formats a segment file name from its parts (the inverse of parseSegmentName). */
export function formatSegmentName(offsetUs: number, durationUs: number, type: SegmentType, hash: string): string {
  const mm = Math.floor(offsetUs / 60_000_000);
  const ss = Math.floor((offsetUs % 60_000_000) / 1_000_000);
  const us = offsetUs % 1_000_000;
  const dur = `${Math.floor(durationUs / 1_000_000)}.${String(durationUs % 1_000_000).padStart(6, '0')}`;
  return `${pad2(mm)}:${pad2(ss)}.${String(us).padStart(6, '0')}-${dur}-${type}-${hash}.ts`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
