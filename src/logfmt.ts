/**
 * logfmt, the exporter ecosystem's log format (`--log.format logfmt`): `time=… level=info
 * msg="…" key=value …`, nested objects as dotted keys (as Go's slog writes groups), a list
 * of plain values comma-joined, any other list as JSON. pino has none built in, and a transport runs in a worker thread the one-file bundle
 * cannot load, so pino's JSON line is rewritten here, synchronously, on its way out.
 */

/** A value bare when it can be, else quoted with JSON's escapes (`\"`, `\\`, `\n`). */
function logfmtValue(v: unknown): string {
  const plainList = Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean');
  const text = typeof v === 'string' ? v : plainList ? v.join(',') : (JSON.stringify(v) ?? 'null');
  return /^[^\s"=\\\p{Cc}]+$/u.test(text) ? text : JSON.stringify(text);
}

function pairs(prefix: string, record: Record<string, unknown>, out: string[]): void {
  for (const [k, v] of Object.entries(record)) {
    const key = prefix + (k.replace(/[\s"=\\\p{Cc}]/gu, '_') || '_');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) pairs(`${key}.`, v as Record<string, unknown>, out);
    else if (v !== undefined) out.push(`${key}=${logfmtValue(v)}`);
  }
}

/** One record as a logfmt line: time, level and msg first, then the rest as logged. */
export function logfmtLine(record: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = record;
  const out: string[] = [];
  pairs('', { time, level, msg }, out);
  pairs('', rest, out);
  return `${out.join(' ')}\n`;
}

/** A destination for pino that writes each of its JSON lines to `out` as logfmt. */
export function logfmtStream(out: NodeJS.WritableStream): { write(line: string): boolean } {
  return {
    write(line) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        return out.write(line); // not pino's: passed on as it is
      }
      return out.write(logfmtLine(record as Record<string, unknown>));
    },
  };
}
