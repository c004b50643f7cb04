/**
 * What the docs name, read off their text: repository paths, links, segcov flags, metric
 * names and the daemon's URL paths. Pure: docsAgree.test.ts checks each against the
 * repository, the CLI's option tables and a running daemon.
 */

/** A document: Markdown, or a config file of which only the comments are read. */
export interface Doc {
  /** Repository-relative path. */
  readonly file: string;
  readonly text: string;
  readonly kind: 'markdown' | 'comments';
}

/** One thing a doc names, and where. */
export interface Mention {
  readonly value: string;
  readonly where: string;
}

export interface Mentions {
  readonly links: Mention[];
  readonly paths: Mention[];
  readonly flags: Mention[];
  readonly metrics: Mention[];
  readonly urlPaths: Mention[];
}

/** One stretch of text a flag is read in: a code span, a line of a code block, or a line of prose. */
interface Segment {
  readonly text: string;
  readonly line: number;
  /** Code names its program (`npm ci --no-audit`); in prose every flag is taken for segcov's. */
  readonly code: boolean;
}

/** The folders at the repository's top whose paths the docs name. */
const REPO_FOLDERS = ['config', 'src', 'docs', 'test', 'bench', 'bin', 'scripts', '.ci', 'dist'];
const REPO_PATH = new RegExp(`(?<![\\w./~@-])(?:${REPO_FOLDERS.map((f) => f.replace('.', '\\.')).join('|')})/[\\w./*…-]*`, 'g');
/** segcov's metric families, and the names it keeps from the checker it replaces. */
const METRIC = /(?<![\w-])(?:segcov|process|nodejs|raw|editable|segment|overlap|log_count)_[a-z0-9_]*(?:\{[a-z_,]+\}[a-z0-9_]*)*\*?/g;
const FLAG = /(?<![\w-])--[a-z][a-z0-9.-]*[a-z0-9]/g;
/** A URL of a segcov node (port 8006, or a placeholder host) or a bare absolute path. */
const NODE_URL = /\b(?:https?:\/\/(?:[^/\s`'"<>)]*:8006|[A-Z][A-Z_-]*)|\b(?:URL|BASE_URL|INSTANCE|NODE))(\/[^\s`'"<>),#\]]*)/g;
const BARE_PATH = /(?<![\w./~>)}\]*:$-])\/[a-z][^\s`'"<>),#\]]*/g;

/** Programs whose flags are not segcov's: a flag after one of them in code is theirs. */
const OTHER_PROGRAMS =
  /\b(?:npm|npx|node|promtool|amtool|docker|podman|systemctl|systemd-analyze|curl|htpasswd|sed|git|apt-get|tini|find)\b(?!-)/g;

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The text of a doc that is read: all of a Markdown file, the comments of a config file (other text blanked, lines kept). */
export function readable(doc: Doc): string {
  if (doc.kind === 'markdown') return doc.text;
  return doc.text
    .split('\n')
    .map((l) => {
      const m = /(?:^|\s)#(.*)$/.exec(l);
      return m === null ? '' : ' '.repeat(l.length - m[1].length) + m[1];
    })
    .join('\n');
}

/** The segments of a doc, for reading flags in context. */
function segments(doc: Doc): Segment[] {
  const out: Segment[] = [];
  let fenced = false;
  let continued = '';
  readable(doc)
    .split('\n')
    .forEach((line, i) => {
      if (doc.kind === 'markdown' && line.trimStart().startsWith('```')) {
        fenced = !fenced;
        return;
      }
      if (fenced) {
        // a shell command continued over lines (`\`) is one segment
        const whole = continued + line;
        continued = line.trimEnd().endsWith('\\') ? `${whole.trimEnd().slice(0, -1)} ` : '';
        out.push({ text: whole, line: i + 1, code: true });
        return;
      }
      for (const m of line.matchAll(/`([^`]+)`/g)) out.push({ text: m[1], line: i + 1, code: true });
      // a config file's comments are mostly command lines: read as code
      out.push({ text: line.replace(/`[^`]+`/g, (s) => ' '.repeat(s.length)), line: i + 1, code: doc.kind === 'comments' });
    });
  return out;
}

/** Whether the flag at `at` in a segment belongs to another program (`npm ci --no-audit`), not to segcov. */
function foreign(text: string, at: number): boolean {
  const before = text.slice(0, at);
  const programs = [...before.matchAll(OTHER_PROGRAMS)];
  if (programs.length === 0) return false;
  const last = programs[programs.length - 1];
  const rest = before.slice(last.index);
  // `npm run demo -- FLAGS`: the flags after `--` go to the daemon; `npx segcov` is segcov
  if (/^npm run demo\b.* -- /.test(rest) || /^npx segcov\b/.test(rest)) return false;
  return !/\bsegcov\b/.test(rest.slice(last[0].length));
}

/** `a_{b,c}_d` → `a_b_d`, `a_c_d`; a brace that ends the name is a label list and is dropped. */
function expandBraces(name: string): string[] {
  const m = /^(.*?)\{([^}]*)\}(.*)$/.exec(name);
  if (m === null) return [name];
  if (m[3] === '') return [m[1]];
  return m[2].split(',').flatMap((alt) => expandBraces(`${m[1]}${alt}${m[3]}`));
}

/** Everything a doc names. */
export function mentionsOf(doc: Doc): Mentions {
  const text = readable(doc);
  const where = (offset: number): string => `${doc.file}:${lineAt(text, offset)}`;
  const links: Mention[] = [];
  const paths: Mention[] = [];
  const metrics: Mention[] = [];
  const urlPaths: Mention[] = [];
  if (doc.kind === 'markdown') {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) links.push({ value: m[1], where: where(m.index) });
  }
  for (const m of text.matchAll(REPO_PATH)) {
    const value = m[0].replace(/[.,:;]+$/, '');
    if (value.includes('/')) paths.push({ value, where: where(m.index) });
  }
  for (const m of text.matchAll(METRIC)) {
    for (const value of expandBraces(m[0])) metrics.push({ value, where: where(m.index) });
  }
  for (const m of text.matchAll(NODE_URL)) urlPaths.push({ value: m[1], where: where(m.index) });
  for (const m of text.matchAll(BARE_PATH)) {
    if (text.slice(Math.max(0, m.index - 3), m.index) === '://') continue;
    urlPaths.push({ value: m[0], where: where(m.index) });
  }
  const flags: Mention[] = [];
  for (const s of segments(doc)) {
    for (const m of s.text.matchAll(FLAG)) {
      if (!s.code || !foreign(s.text, m.index)) flags.push({ value: m[0], where: `${doc.file}:${s.line}` });
    }
  }
  return { links, paths, flags, metrics, urlPaths: urlPaths.map((u) => ({ ...u, value: u.value.replace(/[.:;]+$/, '') })) };
}

/** GitHub's anchors for a Markdown file's headings (`## Edge holes` → `edge-holes`). */
export function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const slug = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}
