import type { Logger } from '../log.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import type { ProblemKind, ProblemLog } from '../store/problems.js';

const MAX_REMEMBERED = 200_000;

/**
 * The daemon's problem sink: each distinct (kind, path) is counted in
 * segcov_store_errors_total and logged at warn once, however many passes meet it again,
 * so a steady bad file does not look like rising errors. An unreadable path counts (and is
 * logged) again each time it becomes unreadable: `readable(path)` says it was read since.
 */
export function problemLog(log: Logger, metrics: SelfMetrics): ProblemLog {
  const seen = new Set<string>();
  const sink = (kind: ProblemKind, path: string, detail: string): void => {
    const key = `${kind}\u0000${path}`;
    if (seen.has(key)) return;
    if (seen.size >= MAX_REMEMBERED) seen.clear();
    seen.add(key);
    metrics.storeErrors.inc({ kind });
    log.warn({ kind, path, detail }, `store: ${kind}: ${detail}`);
  };
  return Object.assign(sink, { readable: (path: string) => void seen.delete(`unreadable\u0000${path}`) });
}
