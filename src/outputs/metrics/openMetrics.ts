/**
 * The OpenMetrics 1.0 text format beside Prometheus' classic one (text/plain 0.0.4): which one
 * a scrape asks for, and the classic text turned into OpenMetrics. The two differ, for what
 * segcov exposes, only in counters (the family is named without `_total`, its samples with
 * it), in `NaN`'s spelling, in a `"` in HELP (escaped in OpenMetrics), and in the closing
 * `# EOF`; gauges and histograms read the same in both.
 *
 * prom-client 15 renders OpenMetrics only from a registry of that content type, and strips
 * `_total` from the counter objects themselves as it does (a classic render afterwards loses
 * it), so one set of metrics cannot be rendered both ways by it: the classic text is
 * converted instead. No `_created` samples (optional in OpenMetrics): Prometheus 2.x stores
 * them as series of their own, one more per counter series. No `# UNIT` (optional): the unit
 * is already the name's suffix where there is one, and Prometheus 2.x only keeps it as metadata.
 */

export type MetricsFormat = 'text' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<MetricsFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** The line that ends an OpenMetrics exposition. */
export const OPENMETRICS_EOF = Buffer.from('# EOF\n');

/** The OpenMetrics versions served (0.0.1, the draft Prometheus also asks for, parses the same). */
const OM_VERSIONS = new Set(['1.0.0', '0.0.1']);

/**
 * The format an Accept header asks for, as Prometheus' own client libraries negotiate it: the
 * highest q among the media ranges segcov serves (the first of those on a tie); classic text
 * for no header, `*\/*`, or nothing it serves.
 */
export function negotiateFormat(accept: string | undefined): MetricsFormat {
  let best: MetricsFormat = 'text';
  let bestQ = -1;
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const param = (name: string): string | undefined =>
      params
        .find((p) => p.startsWith(`${name}=`))
        ?.slice(name.length + 1)
        .replace(/^"(.*)"$/, '$1');
    const q = param('q') === undefined ? 1 : Number(param('q'));
    if (!(q > 0) || q <= bestQ) continue;
    const version = param('version');
    let format: MetricsFormat | null = null;
    if (type === 'application/openmetrics-text' && (version === undefined || OM_VERSIONS.has(version))) format = 'openmetrics';
    else if ((type === 'text/plain' && (version === undefined || version === '0.0.4')) || type === 'text/*' || type === '*/*')
      format = 'text';
    if (format === null) continue;
    best = format;
    bestQ = q;
  }
  return best;
}

/** A sample line cut into its name, its labels (`{...}`, or nothing) and what follows them. */
function sampleParts(line: string): { name: string; labels: string; tail: string } {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (line[i] !== '{') return { name, labels: '', tail: line.slice(i) };
  let quoted = false;
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (quoted && c === '\\') j++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === '}') return { name, labels: line.slice(i, j + 1), tail: line.slice(j + 1) };
  }
  return { name, labels: line.slice(i), tail: '' };
}

/** ` VALUE [TIMESTAMP]` with OpenMetrics' NaN and timestamp in seconds (classic: ms). */
function omValue(tail: string): string {
  const [value, timestamp] = tail.trim().split(/\s+/);
  const v = value.toLowerCase() === 'nan' ? 'NaN' : value;
  return timestamp === undefined ? ` ${v}` : ` ${v} ${Number(timestamp) / 1000}`;
}

const OM_TYPES: Readonly<Record<string, string>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};

/**
 * Classic Prometheus text (as prom-client renders it, blank lines dropped) in the OpenMetrics
 * format, without the closing `# EOF` (the caller ends the whole exposition with it).
 */
export function toOpenMetrics(classic: string): string {
  const counters = new Set<string>();
  for (const m of classic.matchAll(/^# TYPE (\S+) counter$/gm)) counters.add(m[1]);
  const family = (name: string): string => (counters.has(name) ? name.replace(/_total$/, '') : name);
  const out: string[] = [];
  for (const line of classic.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta !== null) {
      const [, kind, name, text = ''] = meta;
      // classic HELP escapes only \ and newline; OpenMetrics escapes " as well
      out.push(
        kind === 'HELP' ? `# HELP ${family(name)} ${text.replace(/"/g, '\\"')}` : `# TYPE ${family(name)} ${OM_TYPES[text] ?? 'unknown'}`,
      );
      continue;
    }
    if (line.startsWith('#')) continue; // OpenMetrics has no free comments
    const { name, labels, tail } = sampleParts(line);
    out.push(`${counters.has(name) ? `${family(name)}_total` : name}${labels}${omValue(tail)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
