/**
 * Password checks off the main thread (PasswordChecks, from the compiled tree's worker
 * file) and the per-address throttle of wrong passwords (AuthThrottle, on a fake clock).
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { AuthThrottle } from '../../src/outputs/http/authThrottle.js';
import { BasicAuth } from '../../src/outputs/http/basicAuth.js';
import { PasswordChecks } from '../../src/outputs/http/passwordChecks.js';
import { WebGate } from '../../src/outputs/http/webGate.js';
import type { WebConfig } from '../../src/outputs/http/webConfig.js';
import { makeTmpDir } from '../helpers/tmp.js';

const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('password checks on a worker thread', () => {
  it("compare right and wrong, while the main thread's event loop stays idle", async () => {
    const checks = new PasswordChecks();
    try {
      // cost 10: some 0.1 s of CPU a check; in-process, the loop would be busy all along
      const hash = bcrypt.hashSync('secret', 10);
      assert.equal(await checks.compare('secret', hash), true, 'the worker is started (and warm) after this');
      const before = performance.eventLoopUtilization();
      const results = await Promise.all(['secret', 'wrong', 'Secret', 'secret'].map((p) => checks.compare(p, hash)));
      const elu = performance.eventLoopUtilization(before);
      assert.deepEqual(results, [true, false, false, true]);
      assert.ok(elu.utilization < 0.5, `main thread busy ${(elu.utilization * 100).toFixed(0)} % of the time while four checks ran`);
      assert.equal(checks.pending, 0);
    } finally {
      checks.close();
    }
  });

  it('a worker that dies fails the checks waiting on it, and the next check starts a new one', async () => {
    const dir = await makeTmpDir('password-worker');
    const file = path.join(dir, 'worker.mjs');
    // answers true, except that the password "die" ends the thread
    await writeFile(
      file,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => { if (m.password === 'die') process.exit(3); parentPort.postMessage({ id: m.id, ok: true }); });\n",
    );
    const checks = new PasswordChecks(pathToFileURL(file));
    try {
      await assert.rejects(checks.compare('die', 'x'), /password worker exited \(3\)/);
      assert.equal(checks.pending, 0);
      assert.equal(await checks.compare('fine', 'x'), true);
    } finally {
      checks.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the wrong-password throttle', () => {
  it('five wrong passwords from an address are free; then it waits 1 s, 2 s, 4 s …, at most a minute', () => {
    let now = 1_000_000;
    const t = new AuthThrottle(() => now);
    for (let i = 0; i < 4; i++) {
      assert.equal(t.start('a'), 0);
      t.done('a', 'wrong');
    }
    assert.equal(t.start('a'), 0);
    t.done('a', 'wrong');
    assert.equal(t.start('a'), 1, 'after the fifth, 1 s');
    assert.equal(t.start('b'), 0, 'another address is not held up');
    t.done('b', 'right');
    now += 1000;
    assert.equal(t.start('a'), 0);
    t.done('a', 'wrong');
    assert.equal(t.start('a'), 2);
    now += 2000;
    for (let i = 0; i < 10; i++) {
      assert.equal(t.start('a'), 0);
      t.done('a', 'wrong');
      now += 60_000;
    }
    now -= 60_000;
    assert.equal(t.start('a'), 60, 'the wait stops growing at a minute');
  });

  it('a right password clears the record; a check the worker could not make counts for nothing; failures are forgotten after 15 min', () => {
    let now = 0;
    const t = new AuthThrottle(() => now);
    for (let i = 0; i < 5; i++) {
      t.start('a');
      t.done('a', 'wrong');
    }
    now += 1000;
    t.start('a');
    t.done('a', 'right');
    assert.equal(t.start('a'), 0);
    t.done('a', 'wrong');
    assert.equal(t.start('a'), 0, 'one failure after a success is the first again');
    t.done('a', 'unchecked');
    assert.equal(t.start('a'), 0);
    t.done('a', 'unchecked');
    for (let i = 0; i < 5; i++) {
      t.start('c');
      t.done('c', 'wrong');
    }
    assert.ok(t.start('c') > 0);
    now += 15 * 60_000 + 1;
    assert.equal(t.start('c'), 0, 'forgotten');
    t.done('c', 'wrong');
  });

  it('checks under way are bounded: 4 for one address, 32 in all', () => {
    const t = new AuthThrottle(() => 0);
    for (let i = 0; i < 4; i++) assert.equal(t.start('a'), 0);
    assert.equal(t.start('a'), 1, 'a fifth at once from one address waits');
    t.done('a', 'right');
    assert.equal(t.start('a'), 0, 'room again once one is done');
    for (let i = 0; i < 28; i++) assert.equal(t.start(`b${i}`), 0);
    assert.equal(t.start('z'), 1, 'the 33rd at once waits, whoever asks');
  });
});

describe('basic auth with the throttle', () => {
  it('an address that gave five wrong passwords is refused unchecked, but credentials already verified still pass', async () => {
    const checks = new PasswordChecks();
    let now = 0;
    const auth = new BasicAuth(new Map([['alice', bcrypt.hashSync('pw', 4)]]), checks, new AuthThrottle(() => now));
    try {
      assert.equal(await auth.verify(basic('alice', 'pw'), 'x'), 'right');
      for (let i = 0; i < 5; i++) assert.equal(await auth.verify(basic('alice', `no${i}`), 'x'), 'wrong');
      assert.deepEqual(await auth.verify(basic('alice', 'no'), 'x'), { retryAfter: 1 });
      assert.deepEqual(await auth.verify(basic('mallory', 'pw'), 'x'), { retryAfter: 1 }, 'an unknown user likewise');
      assert.equal(await auth.verify(basic('alice', 'pw'), 'x'), 'right', 'the cached right password needs no check');
      assert.equal(await auth.verify(basic('alice', 'no'), 'y'), 'wrong', 'another address is checked');
      now += 1000;
      assert.equal(await auth.verify(basic('alice', 'no'), 'x'), 'wrong', 'checked again once the wait is over');
    } finally {
      checks.close();
    }
  });
});

describe('the web gate', () => {
  it('answers 401 to wrong passwords, 429 with Retry-After once an address must wait, and forgets on a changed file', async () => {
    const config = (password: string): WebConfig => ({
      tls: null,
      users: new Map([['alice', bcrypt.hashSync(password, 4)]]),
      unauthenticatedPaths: new Set(['/healthz']),
      files: [],
    });
    const outcomes: string[] = [];
    const gate = new WebGate(config('old'), (outcome) => outcomes.push(outcome));
    const ask = async (password: string): Promise<{ status: number; retryAfter?: string } | null> => {
      const req = {
        headers: { authorization: basic('alice', password) },
        socket: { remoteAddress: '192.0.2.1' },
      } as unknown as import('node:http').IncomingMessage;
      const denial = await gate.check(req, '/metrics');
      if (denial === null) return null;
      let got: { status: number; retryAfter?: string } = { status: 0 };
      denial({
        writeHead: (status: number, h: Record<string, string>) => {
          got = { status, retryAfter: h['retry-after'] };
        },
        end: () => {},
      } as unknown as import('node:http').ServerResponse);
      return got;
    };
    try {
      for (let i = 0; i < 5; i++) assert.deepEqual(await ask('new'), { status: 401, retryAfter: undefined });
      assert.deepEqual(await ask('new'), { status: 429, retryAfter: '1' });
      assert.deepEqual(outcomes, ['failed', 'failed', 'failed', 'failed', 'failed', 'throttled']);
      gate.apply(config('new'), undefined as never);
      assert.equal(await ask('new'), null, 'the next password, right after the file changed');
    } finally {
      gate.close();
    }
  });
});
