import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../helpers/cli.js';

/**
 * The house's import rules (developers' brief, issue 12), read off the sources: imports
 * point down, no room imports from cli/, the pure core reaches for no I/O, and no files
 * import each other, however far round.
 */
const SRC = path.join(REPO, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** What a source file imports: package or node: names as written, project files as paths under src/ (.ts). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g,
  )) {
    const spec = m[1] ?? m[2] ?? m[3];
    out.push(spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts') : spec);
  }
  return out;
}

const files = sources(SRC).map((f) => path.relative(SRC, f));
const graph = new Map(files.map((f) => [f, importsOf(path.join(SRC, f))]));
const room = (f: string): string => (f.includes('/') ? f.split('/')[0] : '.');
const local = (spec: string): boolean => graph.has(spec);
/** A module the build writes (the page's bundled script), declared in src/ by a .d.ts. */
const generated = (spec: string): boolean => spec.endsWith('.generated.ts') && existsSync(path.join(SRC, spec.replace(/\.ts$/, '.d.ts')));

describe('the house: how src/ imports', () => {
  it('reads every relative import as a file that exists (the checks below see the whole graph)', () => {
    assert.ok(files.length > 100, `${files.length} sources`);
    const edges = [...graph.values()].reduce((n, specs) => n + specs.filter(local).length, 0);
    assert.ok(edges > 2 * files.length, `${edges} imports between project files read`);
    assert.ok(graph.get('daemon/daemon.ts')?.includes('live/liveMode.ts'), 'a dynamic import() is read too');
    for (const [f, specs] of graph) {
      // a relative import resolves to a path under src/ (outside it: '../…') that names a source file
      for (const s of specs)
        if (s.startsWith('../') || s.endsWith('.ts')) assert.ok(local(s) || generated(s), `${f} imports ${s}, which is not a source file`);
    }
  });

  it('the coverage core is pure: it imports only itself (no node: module, no package, no other room)', () => {
    for (const [f, specs] of graph) {
      if (room(f) !== 'coverage') continue;
      for (const s of specs) assert.equal(room(s), 'coverage', `${f} imports ${s}`);
    }
  });

  it('the core (coverage, store) never imports the shell', () => {
    const shell = new Set(['scan', 'live', 'outputs', 'daemon', 'cli', 'web', 'import', 'nodes', 'demo', 'pipeline', 'config', 'terminal']);
    for (const [f, specs] of graph) {
      if (room(f) !== 'coverage' && room(f) !== 'store') continue;
      for (const s of specs) if (local(s)) assert.ok(!shell.has(room(s)), `${f} imports ${s}`);
    }
  });

  it("the status page's browser script (web/page/) reaches no node: module and no package, however far round", () => {
    const seen = new Set<string>();
    const todo = ['web/page/main.ts'];
    for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
      if (seen.has(f)) continue;
      seen.add(f);
      for (const s of graph.get(f) ?? []) {
        assert.ok(local(s), `${f} imports ${s}: the page's bundle may hold only project files without Node`);
        todo.push(s);
      }
    }
    assert.ok(seen.has('web/format.ts'), "the page formats with the server's format.ts");
  });

  it('outputs/ is split by concern, floors in order: files below metrics, neither reaches http', () => {
    const part = (f: string): string => (f.startsWith('outputs/') ? f.split('/')[1] : '');
    const below: Record<string, readonly string[]> = { files: ['files'], metrics: ['files', 'metrics'], http: ['http'] };
    assert.deepEqual(
      new Set(files.filter((f) => room(f) === 'outputs').map(part)),
      new Set(Object.keys(below)),
      'every output file lives in files/, metrics/ or http/',
    );
    for (const [f, specs] of graph) {
      const p = part(f);
      if (p === '') continue;
      for (const s of specs) if (local(s) && room(s) === 'outputs') assert.ok(below[p].includes(part(s)), `${f} imports ${s}`);
    }
  });

  it('terminal output draws only what the core computed', () => {
    for (const [f, specs] of graph) {
      if (room(f) !== 'terminal') continue;
      for (const s of specs) if (local(s)) assert.ok(['coverage', 'store', 'time', 'terminal'].includes(room(s)), `${f} imports ${s}`);
    }
  });

  it('no file in src/ is over 250 lines, outside the import tools', () => {
    const long = files
      .filter((f) => room(f) !== 'import')
      .map((f) => [f, readFileSync(path.join(SRC, f), 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > 250);
    assert.deepEqual(long, []);
  });

  it('no room imports from cli/', () => {
    for (const [f, specs] of graph) {
      if (room(f) === 'cli') continue;
      for (const s of specs) assert.notEqual(local(s) ? room(s) : '', 'cli', `${f} imports ${s}`);
    }
  });

  it('no import cycle, of two files or more', () => {
    // Tarjan's strongly connected components over project files
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    let n = 0;
    const visit = (v: string): void => {
      index.set(v, n);
      low.set(v, n++);
      stack.push(v);
      on.add(v);
      for (const w of (graph.get(v) ?? []).filter(local)) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (on.has(w)) {
          low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
        }
      }
      if (low.get(v) === index.get(v)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          on.delete(w);
          c.push(w);
        } while (w !== v);
        if (c.length > 1) cycles.push(c.sort());
      }
    };
    for (const f of files) if (!index.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });
});
