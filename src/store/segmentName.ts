import type { Segment, SegmentType } from '../coverage/types.js';

/** Outcome of parsing one listed `.ts` name (SPEC §1). */
export type ParsedName =
  | { readonly ok: true; readonly segment: Segment }
  | { readonly ok: false; readonly reason: string };

const TIME_RE = /^([0-5]\d):([0-5]\d)(?:\.(\d{1,6}))?$/;
const DURATION_RE = /^(\d+)(?:\.(\d+))?$/;
const HASH_RE = /^[A-Za-z0-9_-]+$/;
const TYPES: ReadonlySet<string> = new Set(['full', 'suspect', 'partial', 'temp']);
const MAX_DURATION_INT_DIGITS = 9; // keeps microseconds far inside the safe integer range

/**
 * Converts a decimal duration text to whole microseconds, exactly, rounding half up
 * at the 7th fractional digit. Returns null when the text is not `digits[.digits]`.
 */
export function parseDurationMicros(text: string): number | null {
  const m = DURATION_RE.exec(text);
  if (m === null) return null;
  const intPart = m[1].replace(/^0+(?=\d)/, '');
  if (intPart.length > MAX_DURATION_INT_DIGITS) return null;
  const frac = m[2] ?? '';
  const micros = Number((frac + '000000').slice(0, 6));
  const roundUp = frac.length > 6 && frac.charCodeAt(6) >= 53; /* '5' */
  return Number(intPart) * 1_000_000 + micros + (roundUp ? 1 : 0);
}

/** Parses `MM:SS[.ffffff]` to the microsecond offset within the hour. */
export function parseOffsetMicros(text: string): number | null {
  const m = TIME_RE.exec(text);
  if (m === null) return null;
  const frac = m[3] === undefined ? 0 : Number((m[3] + '00000').slice(0, 6));
  return (Number(m[1]) * 60 + Number(m[2])) * 1_000_000 + frac;
}

/** True when `hash` is an unpadded URL-safe base64 text, as non-temp names need. */
export function isValidHash(hash: string): boolean {
  return hash.length > 0 && hash.length % 4 !== 1 && HASH_RE.test(hash);
}

/**
 * Parses a segment file name `MM:SS.ffffff-DURATION-TYPE-HASH.ts` in the hour that
 * starts at `hourStart` (µs). The name must already end in `.ts`.
 */
export function parseSegmentName(name: string, hourStart: number): ParsedName {
  if (!name.endsWith('.ts')) return { ok: false, reason: 'does not end in .ts' };
  const base = name.slice(0, -3);
  const d1 = base.indexOf('-');
  const d2 = d1 < 0 ? -1 : base.indexOf('-', d1 + 1);
  const d3 = d2 < 0 ? -1 : base.indexOf('-', d2 + 1);
  if (d3 < 0) return { ok: false, reason: 'expected TIME-DURATION-TYPE-HASH' };
  const offset = parseOffsetMicros(base.slice(0, d1));
  if (offset === null) return { ok: false, reason: 'bad time (want MM:SS[.ffffff], 00-59 each)' };
  const duration = parseDurationMicros(base.slice(d1 + 1, d2));
  if (duration === null) return { ok: false, reason: 'bad duration (want digits[.digits])' };
  const type = base.slice(d2 + 1, d3);
  if (!TYPES.has(type)) return { ok: false, reason: `unknown type "${type}"` };
  const hash = base.slice(d3 + 1);
  if (type !== 'temp' && !isValidHash(hash)) {
    return { ok: false, reason: 'bad hash (want unpadded URL-safe base64)' };
  }
  return {
    ok: true,
    segment: { name, start: hourStart + offset, duration, type: type as SegmentType, hash },
  };
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
