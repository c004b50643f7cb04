/**
 * Exact conversions between stream timestamps and microseconds. Timestamps are integers
 * in a rational time base (1/90000 in MPEG-TS, 1/15360 in many MP4 files); converting
 * through floats would drift, so BigInt carries the product and rounds once.
 */
export interface TimeBase {
  readonly num: number;
  readonly den: number;
}

/** Parses `num/den` as ffprobe prints it; null when unusable (0/0, N/A). */
export function parseTimeBase(text: string | undefined): TimeBase | null {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (m === null) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return num > 0 && den > 0 ? { num, den } : null;
}

/** `ticks × num/den` seconds in whole microseconds, rounded half away from zero. */
export function ticksToMicros(ticks: number, tb: TimeBase): number {
  const n = BigInt(ticks) * BigInt(tb.num) * 1_000_000n;
  const d = BigInt(tb.den);
  const q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  return Number(twice >= d ? q + (n < 0n ? -1n : 1n) : q);
}

/** Parses a decimal seconds text (`1.400000`, `-0.5`) to microseconds exactly; null if not a number. */
export function secondsTextToMicros(text: string | undefined): number | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec((text ?? '').trim());
  if (m === null) return null;
  const frac = m[3] ?? '';
  let us = Number(m[2]) * 1_000_000 + Number(`${frac}000000`.slice(0, 6));
  if (frac.length > 6 && frac.charCodeAt(6) >= 53 /* '5' */) us += 1;
  return m[1] === '-' ? -us : us;
}

/** Microseconds as a decimal seconds text for ffmpeg options (`12.345678`). */
export function microsToSecondsText(us: number): string {
  const sign = us < 0 ? '-' : '';
  const a = Math.abs(Math.round(us));
  return `${sign}${Math.floor(a / 1_000_000)}.${String(a % 1_000_000).padStart(6, '0')}`;
}
