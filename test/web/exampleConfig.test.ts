import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { DAEMON_OPTIONS } from '../../src/cli/daemonFlags.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE = path.resolve(here, '../../../config/segcov.example.yaml');

it('config/segcov.example.yaml uses only real flag names, resolves to a valid config, and its commented peers work', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const doc = YAML.parse(text) as Record<string, unknown>;
  const known = new Set([...Object.keys(DAEMON_OPTIONS), 'channels', 'peers']);
  for (const k of Object.keys(doc)) assert.ok(known.has(k), `unknown key ${k}`);
  const config = resolveDaemonConfig(doc);
  assert.deepEqual(config.channels, ['desertbus']);
  assert.deepEqual(config.qualities, ['source', '480p']);
  assert.deepEqual(config.peers, {}, 'no example host is asked as shipped');
  assert.equal(config.metricsPort, 8006);
  assert.equal(config.longHole, 60);
  // the peers block, uncommented as an operator would
  const withPeers = text.replace(/^# (peers:| {2}node-)/gm, '$1');
  assert.notEqual(withPeers, text);
  const peers = resolveDaemonConfig(YAML.parse(withPeers) as Record<string, unknown>).peers;
  assert.deepEqual(peers, { 'node-b': 'http://node-b.example.org:8006', 'node-c': 'http://node-c.example.org:8006' });
});

it('the example names the config path the systemd unit reads', () => {
  const unit = readFileSync(path.join(path.dirname(EXAMPLE), 'segcov.service'), 'utf8');
  const read = /^ExecStart=\S+ --config (\S+)/m.exec(unit)?.[1];
  assert.equal(read, '/etc/segcov/segcov.yaml');
  const first = readFileSync(EXAMPLE, 'utf8').split('\n')[0];
  assert.ok(first.includes(`segcov --config ${read}\``), first);
});
