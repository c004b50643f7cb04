/**
 * Issue 23: a symlink in the store must not let root hand a folder of the host to
 * `--user`, nor write maps into it. Run as root (as the suite is here), the daemon
 * really takes `--user nobody`; elsewhere --user is ignored and the refusal still holds.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OutputDirError, openOutputDir, outputDirLinkProblem } from '../../src/outputs/files/outputFolder.js';
import { runCli } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A store nobody can read, and a victim folder (mode 700) outside it. */
async function scene(prefix: string): Promise<{ root: string; store: string; victim: string }> {
  const root = await makeTmpDir(prefix);
  await chmod(root, 0o755);
  const store = path.join(root, 'store');
  fillHour(store, 'desertbus', 'source', '2026-11-01T00', 0, 20);
  const victim = path.join(root, 'victim');
  await mkdir(victim);
  await chmod(victim, 0o700);
  return { root, store, victim };
}

function assertUntouched(victim: string): void {
  const st = statSync(victim);
  assert.equal(st.uid, process.getuid?.(), 'the victim keeps its owner');
  assert.equal(st.gid, process.getgid?.(), 'and its group');
  assert.equal(st.mode & 0o7777, 0o700, 'and its mode');
  assert.deepEqual(readdirSync(victim), [], 'and gets no file');
}

describe('the output folder is never reached through a link (issue 23)', () => {
  it('a store/coverage-maps link to another folder: exit 2 naming --output-dir, the folder keeps owner, mode and contents', async () => {
    const { root, store, victim } = await scene('link-out');
    try {
      await symlink(victim, path.join(store, 'coverage-maps'));
      const r = await runCli(['desertbus', '--base-dir', store, '--run-once', '--user', 'nobody', '--metrics-port', '0']);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^segcov: --output-dir: .*\/store\/coverage-maps is a symlink \(to .*victim\); .*give the real path$/);
      assertUntouched(victim);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a link further up inside the store (--output-dir maps/inner, maps a link) is refused too', async () => {
    const { root, store, victim } = await scene('link-mid');
    try {
      await symlink(victim, path.join(store, 'maps'));
      const r = await runCli([
        'desertbus',
        '--base-dir',
        store,
        '--output-dir',
        'maps/inner',
        '--run-once',
        '--user',
        'nobody',
        '--metrics-port',
        '0',
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^segcov: --output-dir: .*\/store\/maps is a symlink/);
      assertUntouched(victim);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a link swapped in after the start-up check is not followed by the open that chowns', async () => {
    const { root, store, victim } = await scene('link-race');
    try {
      const out = path.join(store, 'coverage-maps');
      assert.equal(await outputDirLinkProblem(out, store), null, 'nothing there yet: the check passes');
      await symlink(victim, out); // the store's writer wins the race
      await assert.rejects(
        openOutputDir(out, store, true),
        (e: Error) => e instanceof OutputDirError && /coverage-maps is a symlink: not followed/.test(e.message),
      );
      await symlink(victim, path.join(store, 'up'));
      await assert.rejects(openOutputDir(path.join(store, 'up', 'inner'), store, true), OutputDirError);
      assertUntouched(victim);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("a real output folder is made and handed to --user (a link above --base-dir, the operator's own path, is followed)", async () => {
    const { root, store } = await scene('link-ok');
    try {
      await symlink(root, path.join(root, 'via')); // e.g. /srv → /data: the operator's choice
      const out = path.join(root, 'via', 'maps');
      const r = await runCli([
        'desertbus',
        '--base-dir',
        store,
        '--output-dir',
        out,
        '--run-once',
        '--user',
        'nobody',
        '--metrics-port',
        '0',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const st = statSync(path.join(root, 'maps'));
      assert.equal(st.uid, asRoot ? NOBODY : process.getuid?.());
      assert.ok(existsSync(path.join(root, 'maps', 'desertbus_source_coverage.png')), 'the map is written');

      const inStore = await runCli(['desertbus', '--base-dir', store, '--run-once', '--user', 'nobody', '--metrics-port', '0']);
      assert.equal(inStore.code, 0, inStore.stderr);
      assert.equal(statSync(path.join(store, 'coverage-maps')).uid, asRoot ? NOBODY : process.getuid?.());
      assert.ok(existsSync(path.join(store, 'coverage-maps', 'desertbus_source_coverage.png')));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
