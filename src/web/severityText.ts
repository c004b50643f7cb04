import type { Cause, PairState } from '../coverage/severity.js';
import { formatDuration } from './format.js';
import type { QualitySummary } from './qualitySummary.js';

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * Pure: the short reason every surface gives beside a state (the API's `reason`,
 * `segcov check`'s verdict line, the log), e.g. `1 missing hour` or
 * `3 short holes, longest 4.2 s`. Spans (what was recorded) go in fields of their own.
 */
export function reasonText(c: Cause): string {
  switch (c.kind) {
    case 'nothing_recorded':
      return 'nothing recorded';
    case 'window_misses_recording':
      return 'window holds none of the recording';
    case 'stopped':
      return `recording stopped: newest segment ended ${formatDuration(c.ageUs)} ago`;
    case 'missing_hours':
      return plural(c.count, 'missing hour', 'missing hours');
    case 'long_holes':
      return c.count === 1
        ? `long hole of ${formatDuration(c.longestUs)}`
        : `${c.count} long holes, longest ${formatDuration(c.longestUs)}`;
    case 'short_holes':
      return c.count === 1
        ? `1 short hole of ${formatDuration(c.longestUs)}`
        : `${c.count} short holes, longest ${formatDuration(c.longestUs)}`;
    case 'no_hole':
      return 'no hole';
  }
}

/**
 * What every JSON answer says of a pair's state: `state` (ok, warn, bad; null until its
 * first pass) and a short `reason`.
 */
export function stateJson(s: Pick<QualitySummary, 'state' | 'cause'>): { state: PairState | null; reason: string } {
  return { state: s.state, reason: s.cause === null ? 'not scanned yet' : reasonText(s.cause) };
}
