/**
 * The metric names a PromQL expression reads, and how recording rules resolve to the names
 * they read: enough PromQL to check that the dashboard, the rules and the runbooks query
 * only what segcov exports. (promtool has no "list the selectors" command.)
 */

/** Words PromQL reserves between operands (binary operators, modifiers, grouping). */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The metric names `expr` selects; functions, aggregations, labels and keywords left out. */
export function metricNames(expr: string): Set<string> {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/#[^\n]*/g, '') // comments (strings are gone, so a # here starts one)
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const out = new Set<string>();
  // A name does not follow a letter, digit, colon or dot (so 6h, 1e6 and 0.5 are no names).
  for (const m of bare.matchAll(/(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] !== undefined || KEYWORDS.has(m[1].toLowerCase())) continue; // a call, or a keyword
    out.add(m[1]);
  }
  return out;
}

/** A rule of a Prometheus rule file, as far as names go. */
export interface NamedRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
}

/**
 * The names `expr` reads, with every recording rule's output replaced by the names its own
 * expression reads (recursively): what must come from a scrape.
 */
export function resolvedNames(expr: string, rules: readonly NamedRule[]): Set<string> {
  const records = new Map(rules.filter((r) => r.record !== undefined).map((r) => [r.record as string, r.expr]));
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (e: string): void => {
    for (const name of metricNames(e)) {
      const rec = records.get(name);
      if (rec === undefined) out.add(name);
      else if (!seen.has(name)) {
        seen.add(name);
        visit(rec);
      }
    }
  };
  visit(expr);
  return out;
}

/** Every metric family a Prometheus text scrape holds: TYPE/HELP names and sample names. */
export function scrapedNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# (?:TYPE|HELP) (\S+)/.exec(line) ?? /^([A-Za-z_:][\w:]*)(?:\{| )/.exec(line);
    if (m !== null) out.add(m[1]);
  }
  return out;
}
