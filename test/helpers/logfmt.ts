/** Reads one logfmt line (as segcov writes it with `--log.format logfmt`) into key → value; throws on anything else. */
export function parseLogfmt(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const pair = /([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"=]*)(?: |$)/y;
  for (pair.lastIndex = 0; pair.lastIndex < line.length; ) {
    const at = pair.lastIndex;
    const m = pair.exec(line);
    if (m === null) throw new Error(`not logfmt at ${at}: ${line}`);
    out.set(m[1], m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2]);
  }
  return out;
}
