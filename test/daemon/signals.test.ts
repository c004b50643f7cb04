import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseProm, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** The TCP ports process `pid` listens on, from /proc (IPv4 and IPv6). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m !== null) inodes.add(m[1]);
    } catch { /* fd closed meanwhile */ }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A: LISTEN
      if (inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

async function scrape(url: string): Promise<Map<string, number>> {
  return parseProm(await (await fetch(`${url}/metrics`)).text());
}

describe('signals (issue 9.6)', () => {
  it('SIGHUP re-reads --config and applies peers live, keeps running, and survives a broken config', async () => {
    const root = await makeTmpDir('sighup');
    const base = path.join(root, 'store');
    const cfg = path.join(root, 'segcov.yaml');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    await writeFile(cfg, `base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: info\nrows: 300\n`);
    const d = await startDaemon(['--config', cfg, '--no-watch', '--check-interval', '600']);
    try {
      assert.doesNotMatch(await (await fetch(`${d.url}/`)).text(), /nodeb\.example/);
      await writeFile(cfg, `base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: debug\nrows: 150\npeers:\n  nodeb: http://nodeb.example:8006\n`);
      d.proc.kill('SIGHUP');
      await waitFor('the new peer on the page', async () => (/nodeb\.example/.test(await (await fetch(`${d.url}/`)).text()) ? true : undefined))
        .catch((e: Error) => { throw new Error(`${e.message}\n${d.stderr()}`); });
      await waitFor('the reload to be logged', async () => (/Completed loading of configuration file/.test(d.stderr()) ? true : undefined));
      assert.match(d.stderr(), /"msg":"Loading configuration file"/);
      assert.match(d.stderr(), /applied only on restart: rows/, 'what cannot change live is said');
      assert.match(d.stderr(), /"applied":\{"logLevel":"debug","peers":\{"nodeb":"http:\/\/nodeb.example:8006"\}\}/);
      assert.equal((await scrape(d.url)).get('segcov_config_last_reload_successful'), 1);

      // a broken file: logged, counted, the running config stays, the daemon too
      await writeFile(cfg, 'base-dir: [unclosed\n');
      d.proc.kill('SIGHUP');
      await waitFor('the failed reload to show', async () => ((await scrape(d.url)).get('segcov_config_last_reload_successful') === 0 ? true : undefined));
      assert.match(d.stderr(), /Error reloading config; keeping the running one/);
      assert.match(await (await fetch(`${d.url}/`)).text(), /nodeb\.example/);
      // three more in a row
      for (let i = 0; i < 3; i++) d.proc.kill('SIGHUP');
      await writeFile(cfg, `base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: info\nrows: 300\n`);
      d.proc.kill('SIGHUP');
      await waitFor('the good config again', async () => ((await scrape(d.url)).get('segcov_config_last_reload_successful') === 1 ? true : undefined));
      assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
      assert.equal(d.proc.exitCode, null, 'still running');
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0, d.stderr());
      await rm(root, { recursive: true, force: true });
    }
  });

  it('SIGUSR1 opens no inspector: the daemon listens on its metrics port only', async () => {
    const root = await makeTmpDir('sigusr1');
    const base = path.join(root, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    const d = await startDaemon(['chan', '--base-dir', base, '--no-watch', '--check-interval', '600']);
    try {
      const pid = d.proc.pid as number;
      assert.deepEqual(listeningPorts(pid), [d.port]);
      d.proc.kill('SIGUSR1');
      await waitFor('SIGUSR1 to be logged', async () => (/SIGUSR1 ignored/.test(d.stderr()) ? true : undefined));
      assert.deepEqual(listeningPorts(pid), [d.port], 'no inspector port (9229) opened');
      assert.doesNotMatch(d.stderr(), /Debugger listening|Starting inspector/);
      assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0, d.stderr());
      await rm(root, { recursive: true, force: true });
    }
  });
});
