import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { makeTmpDir } from '../helpers/tmp.js';
import { configDir, repoRoot, requireBinary, run } from './opsHelpers.js';

const unitFile = path.join(configDir, 'segcov.service');
const unitText = readFileSync(unitFile, 'utf8');

/** Section → key → every value given (in order), comments and blank lines dropped. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec !== null) {
      section = sec[1];
      if (!out.has(section)) out.set(section, new Map());
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not a key=value line: ${line}`);
    const key = line.slice(0, eq);
    const values = out.get(section)?.get(key) ?? [];
    values.push(line.slice(eq + 1));
    out.get(section)?.set(key, values);
  }
  return out;
}

const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();
const one = (key: string): string | undefined => service.get(key)?.at(-1);
const execStart = one('ExecStart') ?? '';

/** The value of a `--flag VALUE` in ExecStart. */
function flag(name: string): string | undefined {
  const words = execStart.split(/\s+/);
  const i = words.indexOf(name);
  return i < 0 ? undefined : words[i + 1];
}

describe('systemd unit (config/segcov.service)', () => {
  test('restarts on failure, but not after a usage error (exit 2)', () => {
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('RestartPreventExitStatus'), '2');
    assert.ok(unit.get('Install')?.get('WantedBy')?.includes('multi-user.target'));
  });

  test('Type=notify with a watchdog: ready after the first pass, restarted when its event loop is stuck', () => {
    assert.equal(one('Type'), 'notify');
    assert.equal(one('WatchdogSec'), '60s');
    // the messages come from systemd-notify, a child of segcov (src/daemon/systemdNotify.ts)
    assert.equal(one('NotifyAccess'), 'all');
    assert.equal(one('Restart'), 'on-failure', 'a watchdog timeout counts as a failure');
  });

  test('has no new privileges and no capabilities, runs as an unprivileged dynamic user', () => {
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('CapabilityBoundingSet'), '');
    assert.equal(one('AmbientCapabilities'), '');
    assert.equal(one('DynamicUser'), 'yes');
    assert.equal(service.get('User'), undefined, 'no fixed (possibly root) user');
  });

  test('the store is read-only; the only writable place is the output folder', () => {
    assert.equal(one('ProtectSystem'), 'strict', 'the whole file system read-only');
    assert.equal(one('ProtectHome'), 'yes');
    assert.equal(one('PrivateTmp'), 'yes');
    const base = flag('--base-dir');
    const out = flag('--output-dir');
    assert.ok(base !== undefined && out !== undefined, `ExecStart must name --base-dir and --output-dir: ${execStart}`);
    const readOnly = (service.get('ReadOnlyPaths') ?? []).flatMap((v) => v.split(/\s+/)).map((p) => p.replace(/^[-+]+/, ''));
    assert.ok(readOnly.includes(base), `ReadOnlyPaths ${readOnly.join(' ')} does not hold the store ${base}`);
    assert.equal(service.get('ReadWritePaths'), undefined, 'nothing writable but the state directory');
    assert.equal(
      out,
      `/var/lib/${one('StateDirectory')}`,
      'the output folder is the state directory (writable under ProtectSystem=strict)',
    );
    assert.ok(!out.startsWith(`${base}/`), 'the output folder must not be inside the read-only store');
  });

  test('the kernel, devices, namespaces, address families and system calls are fenced off', () => {
    for (const key of [
      'PrivateDevices',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectKernelLogs',
      'ProtectControlGroups',
      'ProtectClock',
      'ProtectHostname',
      'RestrictNamespaces',
      'RestrictRealtime',
      'RestrictSUIDSGID',
      'LockPersonality',
    ])
      assert.equal(one(key), 'yes', `${key}=yes`);
    assert.equal(one('RestrictAddressFamilies'), 'AF_UNIX AF_INET AF_INET6');
    assert.equal(one('SystemCallArchitectures'), 'native');
    assert.deepEqual(service.get('SystemCallFilter'), ['@system-service', '~@privileged']);
    assert.equal(service.get('MemoryDenyWriteExecute'), undefined, 'MemoryDenyWriteExecute breaks the V8 JIT');
  });

  test("keeps the daemon's flags: metrics port, config file", () => {
    // no folder: systemd finds it in /usr/local/bin or /usr/bin, wherever `npm install -g` put it
    // (test/ops/install.e2e.test.ts installs it and runs systemd-analyze verify on this unit as shipped)
    assert.match(execStart, /^segcov /);
    assert.equal(flag('--metrics-port'), '8006');
    assert.equal(flag('--config'), '/etc/segcov/segcov.yaml');
  });

  test('systemd-analyze security keeps the sandbox at exposure 1.6 of 10 or less', async () => {
    const analyze = requireBinary('systemd-analyze', 'systemd');
    const dir = await makeTmpDir('ops-unit');
    try {
      const copy = path.join(dir, 'segcov.service');
      await writeFile(copy, unitText.replace(/^ExecStart=segcov /m, `ExecStart=${path.join(repoRoot, 'bin', 'segcov.js')} `));
      const r = run(analyze, ['security', '--offline=yes', '--no-pager', copy], { timeoutMs: 60_000 });
      const m = /Overall exposure level for segcov\.service: ([\d.]+)/.exec(r.stdout + r.stderr);
      assert.ok(m !== null, `no exposure level in:\n${r.stdout}${r.stderr}`);
      assert.ok(Number(m[1]) <= 1.6, `exposure ${m[1]} > 1.6:\n${r.stdout}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
