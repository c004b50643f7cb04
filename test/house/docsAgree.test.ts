import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMAND_SETTINGS } from '../../src/cli/commands/index.js';
import { REPO, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { anchorsOf, mentionsOf, type Doc, type Mention, type Mentions } from './docMentions.js';

// e2e-names: names programs, starts none

/**
 * The docs agree with the code (issue 26): every repository path, link, segcov flag, metric
 * name and URL path that README.md, docs/*.md and config/ (its README, and the comments of
 * its YAML files and systemd unit) name exists, is accepted by a segcov command, is in a
 * running daemon's scrape, or is served by it.
 */

/** Flags of other programs named in prose, where no command line says whose they are. */
const FOREIGN_FLAGS: Record<string, string> = {
  '--prefix': "npm install's (config/segcov.service: installed under another prefix)",
  '--config.file': "of amtool (config/alertmanager.example.yml's comments)",
};
/** Names the docs give that a daemon does not export, on purpose. */
const NOT_EXPORTED: Record<string, string> = {
  segcov_hours: 'the name before 0.2, named as renamed',
  nodejs_active_handles_total: "prom-client's default, left out (a counter name on a gauge)",
  nodejs_active_requests_total: "prom-client's default, left out",
  nodejs_active_resources_total: "prom-client's default, left out",
  nodejs_version: 'a label of segcov_build_info',
  segment_coverage: "wubloader's checker, not a metric",
  segcov_passes: "segcov_passes_total's family name in OpenMetrics (the test scrapes the classic format)",
};
/** Absolute paths that are files on a machine, not URL paths (their first folder). */
const FILE_SYSTEM = new Set([
  'mnt',
  'dev',
  'proc',
  'sys',
  'etc',
  'srv',
  'var',
  'usr',
  'app',
  'tmp',
  'home',
  'root',
  'opt',
  'run',
  'bin',
  'lib',
]);
/** URL paths of other servers the docs name. */
const FOREIGN_PATHS: Record<string, string> = {
  '/segments/': "wubloader's nginx: the output folder",
  '/metrics/segment_coverage': "wubloader's nginx: its metrics path in front of segcov",
  '/targets': "Prometheus' page",
  '/service-discovery': "Prometheus' page",
};

const CHANNEL = 'ch';
const MAP_FILE = `${CHANNEL}_source_coverage.png`;

/** The docs this test reads. */
function docsOfRepo(): Doc[] {
  const md = (file: string): Doc => ({ file, text: readFileSync(path.join(REPO, file), 'utf8'), kind: 'markdown' });
  const docs = readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => md(`docs/${f}`));
  const configs = readdirSync(path.join(REPO, 'config'))
    .filter((f) => /\.(ya?ml|service)$/.test(f))
    .map((f): Doc => ({ file: `config/${f}`, text: readFileSync(path.join(REPO, 'config', f), 'utf8'), kind: 'comments' }));
  return [md('README.md'), md('config/README.md'), ...docs, ...configs];
}

/** Every flag some segcov command accepts: its option tables, `--no-X` of a boolean, and the global ones. */
function acceptedFlags(): Set<string> {
  const out = new Set(['--config', '--help', '--version']);
  for (const { options } of Object.values(COMMAND_SETTINGS)) {
    for (const [name, o] of Object.entries(options)) {
      out.add(`--${name}`);
      if (o.type === 'boolean') out.add(`--no-${name}`);
    }
  }
  return out;
}

/** A doc path with a placeholder (`NAME`, `…`, `*`) stands for the folder before it. */
function concretePart(p: string): string {
  const parts = p.split('/');
  const i = parts.findIndex((s) => /[*…]|\.\.\.|^[A-Z][A-Z_]*(\.|$)/.test(s));
  return i < 0 ? p : parts.slice(0, i).join('/');
}

interface Served {
  readonly url: string;
  readonly metricNames: ReadonlySet<string>;
}

async function status(url: string): Promise<number> {
  const ctl = new AbortController();
  const res = await fetch(url, { signal: ctl.signal });
  ctl.abort(); // /api/v1/events streams
  return res.status;
}

/** The URL path a doc names, as a request to the test daemon: placeholders filled, empty or placeholder parameters (`C`) dropped. */
function request(p: string): string {
  const [route, query = ''] = p.replace(/(…|\.\.\.)$/, '').split('?');
  const filled = route.replace('CHANNEL_QUALITY_coverage.png', MAP_FILE).replace(/\/FILE$/, `/${MAP_FILE}`);
  const params = new URLSearchParams(query);
  for (const [k, v] of [...params]) if (/^[A-Z_]*$/.test(v)) params.delete(k);
  const q = params.toString();
  return concretePart(filled) + (q === '' ? '' : `?${q}`);
}

/** What in `m` disagrees with the repository, the CLI and the daemon: one line each. */
async function problems(m: Mentions, served: Served): Promise<string[]> {
  const out: string[] = [];
  const flags = acceptedFlags();
  for (const f of m.flags) if (!flags.has(f.value) && !(f.value in FOREIGN_FLAGS)) out.push(`${f.where}: ${f.value} is no flag of segcov`);
  for (const p of m.paths) if (!existsSync(path.join(REPO, concretePart(p.value)))) out.push(`${p.where}: ${p.value} does not exist`);
  for (const n of m.metrics) {
    const name = n.value;
    const ok = name.endsWith('*') ? [...served.metricNames].some((s) => s.startsWith(name.slice(0, -1))) : served.metricNames.has(name);
    if (!ok && !(name in NOT_EXPORTED)) out.push(`${n.where}: ${name} is not exported`);
  }
  const concrete = new Map<string, number>();
  const urlPaths = m.urlPaths.filter(
    (u) => !FILE_SYSTEM.has(u.value.split('/')[1]) && !Object.keys(FOREIGN_PATHS).some((w) => u.value.startsWith(w)),
  );
  for (const u of urlPaths) {
    const req = request(u.value);
    if (!concrete.has(req)) concrete.set(req, await status(served.url + req));
  }
  for (const u of urlPaths) {
    const req = request(u.value);
    const code = concrete.get(req);
    // a prefix (`/maps`, `/docs/…`) is right when a path served below it is named too
    const prefixOfServed = [...concrete].some(
      ([p, c]) => c === 200 && p !== req && p.startsWith(req) && (req.endsWith('/') || p[req.length] === '/'),
    );
    if (code !== 200 && !prefixOfServed) out.push(`${u.where}: ${u.value} is not served (GET ${req}: ${code})`);
  }
  return out;
}

/** The mentions of several docs as one (a prefix in one doc is right when another names a path below it). */
function merged(all: readonly Mentions[]): Mentions {
  return {
    links: all.flatMap((m) => m.links),
    paths: all.flatMap((m) => m.paths),
    flags: all.flatMap((m) => m.flags),
    metrics: all.flatMap((m) => m.metrics),
    urlPaths: all.flatMap((m) => m.urlPaths),
  };
}

/** Relative links: the file exists, and a #fragment of a Markdown file is one of its headings. */
function linkProblems(doc: Doc, links: readonly Mention[]): string[] {
  const out: string[] = [];
  for (const l of links) {
    if (/^[a-z]+:/.test(l.value)) continue;
    const [file, fragment] = l.value.split('#');
    const target = file === '' ? path.join(REPO, doc.file) : path.resolve(path.dirname(path.join(REPO, doc.file)), file);
    if (!target.startsWith(REPO + path.sep) || !existsSync(target)) {
      out.push(`${l.where}: ${l.value} leads nowhere in the repository`);
      continue;
    }
    if (fragment !== undefined && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(fragment))
      out.push(`${l.where}: ${l.value} names no heading there`);
  }
  return out;
}

/** The metric names of a scrape: every sample's name and every declared family. */
function metricNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# (?:TYPE|HELP) (\S+)/.exec(line) ?? /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (m !== null) out.add(m[1]);
  }
  return out;
}

describe('the house: the docs agree with the code', () => {
  let dir: string;
  let daemon: RunningDaemon;
  let served: Served;
  const docs = docsOfRepo();

  before(async () => {
    dir = await makeTmpDir('docs-agree');
    const base = path.join(dir, 'store');
    fillHour(base, CHANNEL, 'source', '2026-11-01T05', 0, 600, new Set([100]));
    putSegment(base, CHANNEL, 'source', '2026-11-01T05', '10:00.000000-2.000-suspect-AAAA.ts', 10);
    putSegment(base, CHANNEL, 'source', '2026-11-01T05', '10:02.000000-2.000-partial-AAAA.ts', 10);
    // a peer that never answers: the peer gauges have a series
    const config = path.join(dir, 'segcov.yaml');
    writeFileSync(config, 'peers:\n  node-b: http://127.0.0.1:9/\n');
    daemon = await startDaemon([CHANNEL, '--base-dir', base, '--config', config]);
    await waitFor('the map', async () => (existsSync(path.join(base, 'coverage-maps', MAP_FILE)) ? true : undefined));
    served = { url: daemon.url, metricNames: metricNames(await (await fetch(`${daemon.url}/metrics`)).text()) };
  });
  after(async () => {
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every doc, and finds in them what it checks', () => {
    const all = docs.map(mentionsOf);
    const count = (k: keyof Mentions): number => all.reduce((n, m) => n + m[k].length, 0);
    for (const k of ['links', 'paths', 'flags', 'metrics', 'urlPaths'] as const) assert.ok(count(k) > 20, `${count(k)} ${k}`);
    assert.ok(docs.some((d) => d.file === 'config/segcov.service') && docs.some((d) => d.file === 'docs/operating.md'));
  });

  it('every relative link resolves, to a heading where it names one', () => {
    assert.deepEqual(
      docs.flatMap((d) => linkProblems(d, mentionsOf(d).links)),
      [],
    );
  });

  it('every path, flag, metric name and URL path named exists, is accepted, is exported, is served', async () => {
    assert.deepEqual(await problems(merged(docs.map(mentionsOf)), served), []);
  });

  it('catches a typo of each kind', async () => {
    const typo: Doc = {
      file: 'typo.md',
      kind: 'markdown',
      text:
        'Run `segcov ch --metrics-prot 1`, see `docs/coverge.md` and [this](docs/operating.md#flagz).\n' +
        'Scrape `segcov_window_holez` at `/metrcs` or `/api/v1/hole?peers=1`.\n',
    };
    const m = mentionsOf(typo);
    const found = [...(await problems(m, served)), ...linkProblems(typo, m.links)].join('\n');
    for (const bad of ['--metrics-prot', 'docs/coverge.md', '#flagz', 'segcov_window_holez', '/metrcs', '/api/v1/hole?peers=1']) {
      assert.ok(found.includes(bad), `${bad} is not reported:\n${found}`);
    }
    // and the same kinds, spelt right, are not
    const right: Doc = {
      ...typo,
      text: 'Run `segcov ch --metrics-port 1`, see `docs/coverage.md`. Scrape `segcov_window_holes` at `/metrics`.\n',
    };
    assert.deepEqual(await problems(mentionsOf(right), served), []);
  });

  it('the README is a front door: at most 200 lines, no link out of the repository; the package ships docs/', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    assert.ok(readme.split('\n').length <= 201, `README.md has ${readme.split('\n').length - 1} lines`);
    assert.ok(!readme.includes('](../'), 'README.md links above the repository');
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(pkg.files.includes('docs') && statSync(path.join(REPO, 'docs')).isDirectory());
  });
});
