/** The stages a chunk (or a stored segment) can go through, in the order given. */
export type Stage = 'cut' | 'checksum' | 'decode';
const STAGES: readonly Stage[] = ['cut', 'checksum', 'decode'];

/**
 * Parses `--processor` (`cut,checksum[,decode]`). Returns the stage list or a one-line
 * reason it is unusable. For `chunk`/`fill`, `cut` must come first (the other stages
 * work on what it wrote) and `checksum` must be present (the hash names the segment).
 */
export function parseStages(text: string, needCut: boolean): Stage[] | string {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) return 'empty stage list';
  const out: Stage[] = [];
  for (const p of parts) {
    if (!(STAGES as readonly string[]).includes(p)) return `unknown stage "${p}" (stages: ${STAGES.join(', ')})`;
    if (out.includes(p as Stage)) return `stage "${p}" given twice`;
    out.push(p as Stage);
  }
  if (needCut) {
    if (out[0] !== 'cut') return 'the first stage must be "cut"';
    if (!out.includes('checksum')) return 'needs "checksum": the hash is part of every segment name';
  } else if (out.includes('cut')) {
    return '"cut" makes no sense for segments already in the store';
  }
  return out;
}
