import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { DAEMON_OPTIONS, resolveDaemonConfig } from '../../src/cli/daemonOptions.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE = path.resolve(here, '../../../config/segcov.example.yaml');

it('config/segcov.example.yaml uses only real flag names and resolves to a valid config with peers', () => {
  const doc = YAML.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  const known = new Set([...Object.keys(DAEMON_OPTIONS), 'channels', 'peers']);
  for (const k of Object.keys(doc)) assert.ok(known.has(k), `unknown key ${k}`);
  const config = resolveDaemonConfig(doc);
  assert.deepEqual(config.channels, ['desertbus']);
  assert.deepEqual(config.qualities, ['source', '480p']);
  assert.deepEqual(config.peers, { 'node-b': 'http://node-b.example.org:8006', 'node-c': 'http://node-c.example.org:8006' });
  assert.equal(config.metricsPort, 8006);
  assert.equal(config.longHole, 60);
});
