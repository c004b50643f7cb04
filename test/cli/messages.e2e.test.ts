import assert from 'node:assert/strict';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { AS_NOBODY, readableCopy } from '../helpers/readableCopy.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** Each message says what happened and what to do (issue 26): names the flag, the file, the key. */
describe('messages name what went wrong', () => {
  let root = '';
  let bin = '';
  /** A readable store with one channel, `chan`. */
  let store = '';
  /** Folders made unreadable, given back their mode before the clean-up. */
  const locked: string[] = [];
  const lock = async (dir: string): Promise<void> => {
    locked.push(dir);
    await chmod(dir, 0o000);
  };
  /** Runs the readable copy, as nobody where we are root, from a folder it may enter. */
  const runCopy = (args: string[]): ReturnType<typeof runCli> => runCli(args, { bin, command: AS_NOBODY, cwd: root });

  before(async () => {
    root = await makeTmpDir('messages');
    bin = await readableCopy(root);
    store = path.join(root, 'store');
    fillHour(store, 'chan', 'source', '2026-11-01T00', 0, 10);
  });
  after(async () => {
    for (const dir of locked) await chmod(dir, 0o755);
    await rm(root, { recursive: true, force: true });
  });

  /** A store whose base exists but that nobody may read (mode 000), and an output folder nobody may write. */
  async function lockedBase(name: string): Promise<{ base: string; out: string }> {
    const base = path.join(root, name);
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
    await lock(base);
    const out = path.join(root, `${name}-out`);
    await mkdir(out);
    await chmod(out, 0o777);
    return { base, out };
  }

  it('a base that exists but cannot be read is not "missing": it says so, and --run-once exits 1', async () => {
    const { base, out } = await lockedBase('locked-daemon');
    const r = await runCopy(['chan', '--base-dir', base, '--output-dir', out, '--run-once', '--metrics-port', '0']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /base dir cannot be read \(EACCES: permission denied\)/);
    assert.doesNotMatch(r.stderr, /does not exist/);
    assert.match(r.stderr, /--run-once: the base dir cannot be read .*exit 1/);
    // control: a base that is not there yet is an empty store, exit 0
    const missing = await runCopy([
      'chan',
      '--base-dir',
      path.join(root, 'not-yet'),
      '--output-dir',
      out,
      '--run-once',
      '--metrics-port',
      '0',
    ]);
    assert.equal(missing.code, 0, missing.stderr);
    assert.match(missing.stderr, /base dir does not exist yet/);
  });

  it('`check` on an unreadable base says it cannot be read (and a missing one that it does not exist)', async () => {
    const { base } = await lockedBase('locked-check');
    const r = await runCopy(['check', 'chan', '--base-dir', base]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), `segcov: --base-dir: ${base} cannot be read (EACCES: permission denied)`);
    const missing = await runCopy(['check', 'chan', '--base-dir', path.join(root, 'nowhere')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), `segcov: --base-dir: ${path.join(root, 'nowhere')} does not exist`);
  });

  it('an output folder that cannot be checked names --output-dir', async () => {
    // the default output folder, inside a base under a folder nobody may enter
    const fence = path.join(root, 'fence');
    fillHour(path.join(fence, 'store'), 'chan', 'source', '2026-11-01T00', 0, 10);
    await lock(fence);
    const r = await runCopy(['chan', '--base-dir', path.join(fence, 'store'), '--run-once', '--metrics-port', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim(), `segcov: --output-dir: cannot use ${path.join(fence, 'store', 'coverage-maps')}: permission denied`);
  });

  it('an unknown flag is named as typed, with a pointer to --help', async () => {
    const r = await runCli(['chan', '--base-dir', store, '--qualitie', 'source', '--run-once']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'segcov: Unknown argument: --qualitie (see segcov --help)');
    const two = await runCli(['check', 'chan', '--base-dir', store, '--bogus=1', '-z']);
    assert.equal(two.code, 2);
    assert.equal(two.stderr.trim(), 'segcov: Unknown arguments: --bogus, -z (see segcov check --help)');
  });

  it('a mistake in the config file names the file and the key', async () => {
    const typo = path.join(root, 'typo.yaml');
    await writeFile(typo, `channels: [chan]\nbase-dir: ${store}\nqualitie: source\n`);
    const r = await runCli(['--config', typo, '--run-once']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), `segcov: --config ${typo}: unknown key "qualitie" (keys are the flag names; see --help)`);
    const bad = path.join(root, 'bad-value.yaml');
    await writeFile(bad, `channels: [chan]\nbase-dir: ${store}\ncheck-interval: soon\n`);
    const v = await runCli(['--config', bad, '--run-once']);
    assert.equal(v.code, 2);
    assert.equal(v.stderr.trim(), `segcov: --config ${bad}: check-interval: "soon" is not a positive number of seconds`);
    // the same value on the command line is the flag's
    const flag = await runCli(['--config', bad, '--run-once', '--check-interval', 'soon']);
    assert.equal(flag.stderr.trim(), 'segcov: --check-interval: "soon" is not a positive number of seconds');
  });

  it('a channel with no folder under the base: one warning listing the channels there', async () => {
    // `--qualities source, 480p`: the space makes 480p a channel
    const d = await startDaemon([
      'chan',
      '--base-dir',
      store,
      '--qualities',
      'source,',
      '480p',
      '--output-dir',
      path.join(root, 'maps'),
      '--check-interval',
      '1',
      '--no-watch',
    ]);
    try {
      await waitFor('three passes', async () => {
        const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
        return (m.get('segcov_passes_total{channel="480p",quality="source"}') ?? 0) >= 3 ? true : undefined;
      });
      const lines = d
        .stderr()
        .split('\n')
        .filter((l) => l.includes('no folder for channel'));
      assert.equal(lines.length, 1, d.stderr());
      assert.match(lines[0], /no folder for channel \\"480p\\" under [^;]+; the channels there are \\"chan\\"/);
    } finally {
      assert.equal((await d.stop()).code, 0);
    }
    const check = await runCli(['check', 'chan', '480p', '--base-dir', store]);
    assert.match(check.stderr, /^segcov: warning: no folder for channel "480p" under .*; the channels there are "chan"$/m);
  });
});
