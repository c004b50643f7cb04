import assert from 'node:assert/strict';
/**
 * Shared helpers of the operations tests (config/, Dockerfile): locating the repository and
 * the compiled tree, running external tools that must be installed, and reading the Grafana
 * dashboard's queries.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The compiled tree this test runs from (dist/ or a private --outDir); holds src/ and test/. */
export const compiledRoot = path.resolve(here, '../..');

/** The repository root: the nearest folder above the compiled test with package.json and config/. */
export const repoRoot = ((): string => {
  let dir = here;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'config'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${here}`);
    dir = up;
  }
})();

export const configDir = path.join(repoRoot, 'config');

/** The daemon's CLI module in the compiled tree the tests run from. */
export const daemonMain = path.join(compiledRoot, 'src', 'cli', 'main.js');

/**
 * Writes a launcher into `dir` that does what bin/segcov.js does, but with the compiled tree
 * these tests run from (bin/ always loads dist/, which a private --outDir build does not fill).
 * Run it as `node LAUNCHER ARGS...`.
 */
export async function writeDaemonLauncher(dir: string): Promise<string> {
  const file = path.join(dir, 'segcov-launch.mjs');
  await writeFile(file, `const m = await import(${JSON.stringify(pathToFileURL(daemonMain).href)});\nawait m.runFromProcess();\n`);
  return file;
}

/**
 * Absolute path of an installed program, or an assertion-style failure that says which
 * Debian package provides it. A missing tool fails the test; it is never a skip.
 */
export function requireBinary(name: string, debianPackage: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status !== 0 || found === '') {
    throw new Error(`${name} is not installed: apt-get install ${debianPackage} (.ci/run installs it on CI)`);
  }
  return found;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion (bounded by `timeoutMs`). */
export function run(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    env: options.env ?? process.env,
  });
  if (r.error !== undefined) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export { freePort } from '../helpers/cli.js';

// ---- the Grafana dashboard ----

export const dashboardFile = path.join(configDir, 'grafana', 'segcov-dashboard.json');

export interface DashboardPanel {
  id?: number;
  type: string;
  title?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Array<{
    refId?: string;
    expr?: string;
    instant?: boolean;
    range?: boolean;
    format?: string;
    legendFormat?: string;
    datasource?: { uid?: string };
  }>;
  panels?: DashboardPanel[];
  repeat?: string;
  links?: Array<{ title: string; url: string }>;
  options?: { mode?: string; content?: string };
  fieldConfig?: { defaults?: { unit?: string } };
}

export interface DashboardVariable {
  type: string;
  name: string;
  query?: string | { query?: string };
  multi?: boolean;
  includeAll?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included. */
export function allPanels(d: Dashboard): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  const walk = (ps: readonly DashboardPanel[]): void => {
    for (const p of ps) {
      out.push(p);
      if (p.panels !== undefined) walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

export interface PanelQuery {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
}

/** Every PromQL query of the dashboard's panels, as written (with Grafana variables). */
export function panelQueries(d: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      if (t.expr === undefined) continue;
      out.push({ panel: p.title ?? `panel ${p.id}`, refId: t.refId ?? '?', expr: t.expr, instant: t.instant === true });
    }
  }
  return out;
}

/** The query text of a query variable. */
export function variableQuery(v: DashboardVariable): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
}

/** `label_values(SELECTOR, LABEL)` → its parts (the only variable query form the dashboard uses). */
export function parseLabelValues(q: string): { selector: string; label: string } {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(q);
  if (m === null) throw new Error(`not a label_values(SELECTOR, LABEL) query: ${q}`);
  return { selector: m[1], label: m[2] };
}

/** Grafana's built-in interval variables, as Grafana would fill them for a short range. */
export const BUILTIN_VARS: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/**
 * Replaces `$var`, `${var}` and `${var:format}` with values, as Grafana does before it sends a
 * query. Throws on a variable it has no value for, so a typo cannot slip through as text.
 */
export function substituteVars(text: string, values: Readonly<Record<string, string>>): string {
  const all = { ...BUILTIN_VARS, ...values };
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const v = all[name];
      if (v === undefined) throw new Error(`unknown dashboard variable ${whole} in: ${text}`);
      return v;
    },
  );
}

/** The variable names a text uses (`$x`, `${x}`, `${x:fmt}`). */
export function usedVariables(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1] ?? m[2]);
  return out;
}

/** Dockerfile parsing, shared by the Dockerfile tests. */
export interface Instruction {
  readonly op: string;
  readonly args: string;
}
export interface Stage {
  readonly name: string;
  readonly from: string;
  readonly body: Instruction[];
}

/** Instructions of a Dockerfile: continuation lines joined, comments dropped. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (buf === '' && (line === '' || line.startsWith('#'))) continue;
    if (buf !== '' && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    buf += line;
    const m = /^(\S+)\s*(.*)$/s.exec(buf.trim());
    if (m !== null) out.push({ op: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim() });
    buf = '';
  }
  return out;
}

export function stages(list: readonly Instruction[]): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const out: Stage[] = [];
  for (const ins of list) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m !== null, `unreadable FROM ${ins.args}`);
      out.push({ from: m[1], name: m[2] ?? '', body: [] });
    } else if (out.length === 0) {
      assert.equal(ins.op, 'ARG', `${ins.op} before the first FROM`);
      const [k, v] = ins.args.split('=');
      args.set(k, v ?? '');
    } else {
      out[out.length - 1].body.push(ins);
    }
  }
  return { args, stages: out };
}

/** Starts `prometheus` on loopback with `config`, its database under `dir`, logging warnings only. */
export function spawnPrometheus(prometheus: string, config: string, dir: string, port: number): ChildProcess {
  const args = [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  return spawn(prometheus, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}
