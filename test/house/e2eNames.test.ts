import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// `npm run test:unit` runs every test file but the `*.e2e.test.ts` ones, so that an edit can be
// checked without Chromium, Prometheus, Postgres, ffmpeg or namespaces. This keeps the split
// honest: a test that reaches an outside program, itself or through a helper, is named e2e.
// e2e-names: names programs, starts none

const testRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test');

/** Programs the tests start; a quoted name of one in a test's source means the test needs it. */
const PROGRAMS = [
  'chromium',
  'prometheus',
  'promtool',
  'amtool',
  'alertmanager',
  'prometheus-alertmanager',
  'initdb',
  'pg_ctl',
  'postgres',
  'ffmpeg',
  'ffprobe',
  'unshare',
  'setpriv',
  'nsenter',
  'systemd-analyze',
  'systemd-notify',
  'tini',
  'openssl',
  'script',
  'ip',
  'curl',
  'npm',
  'python3',
  'mount',
];
const NEEDS_PROGRAM = new RegExp(`['"\`](${PROGRAMS.join('|')})['"\`]|executablePath|/usr/lib/postgresql|requireBinary\\(`);
const LOCAL_IMPORT = /from '(\.[^']+)\.js'/g;
/** A test that names programs (in a list, a message) and starts none says so with this line. */
const NAMES_ONLY = /^\/\/ e2e-names: names programs, starts none$/m;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Test files that reach an outside program, directly or through the test helpers they import. */
export function filesNeedingPrograms(root: string): Set<string> {
  const source = new Map(tsFiles(root).map((f) => [f, readFileSync(f, 'utf8')]));
  const memo = new Map<string, boolean>();
  const needs = (file: string, seen: Set<string>): boolean => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    const text = source.get(file) ?? '';
    seen.add(file);
    let result = NEEDS_PROGRAM.test(text);
    for (const m of text.matchAll(LOCAL_IMPORT)) {
      if (result) break;
      const dep = path.resolve(path.dirname(file), `${m[1]}.ts`);
      if (source.has(dep) && !seen.has(dep)) result = needs(dep, seen);
    }
    memo.set(file, result);
    return result;
  };
  return new Set([...source.keys()].filter((f) => f.endsWith('.test.ts') && !NAMES_ONLY.test(source.get(f) ?? '') && needs(f, new Set())));
}

describe('test file names', () => {
  it('every test that starts an outside program is named *.e2e.test.ts', () => {
    const misnamed = [...filesNeedingPrograms(testRoot)].filter((f) => !f.endsWith('.e2e.test.ts')).map((f) => path.relative(testRoot, f));
    assert.deepEqual(misnamed, [], 'rename these to *.e2e.test.ts (npm run test:unit leaves them out)');
  });

  it('the check sees a program reached through a helper', () => {
    const found = [...filesNeedingPrograms(testRoot)].map((f) => path.relative(testRoot, f));
    // statusPage drives Chromium only through test/web/helpers/browser.ts
    assert.ok(found.includes(path.join('web', 'statusPage.e2e.test.ts')), found.join(', '));
    assert.ok(!found.includes(path.join('coverage', 'conformance.test.ts')));
  });
});
