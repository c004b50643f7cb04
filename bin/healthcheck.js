#!/usr/bin/env node
// The container image's HEALTHCHECK. The daemon writes the URL of its /healthz to
// $SEGCOV_PORT_FILE once it listens, so the check follows --metrics-port however it was
// given (flag, SEGCOV_METRICS_PORT, config file). Without that file it falls back to
// SEGCOV_METRICS_PORT or 8006. Exit 0: healthy; 1: not (yet) answering.
import { readFileSync } from 'node:fs';

let url = `http://127.0.0.1:${process.env.SEGCOV_METRICS_PORT || 8006}/healthz`;
const file = process.env.SEGCOV_PORT_FILE;
if (file) {
  try {
    url = readFileSync(file, 'utf8').trim();
  } catch {
    process.exit(1); // not listening yet
  }
}
if (url === 'none') process.exit(0); // --metrics-port 0: no server to ask
// With --web.config.file's TLS on, the URL is https: the check asks its own node over
// loopback, so the certificate (issued for the node's public name) is not verified here.
const { get } = await import(url.startsWith('https:') ? 'node:https' : 'node:http');
const req = get(url, { rejectUnauthorized: false, timeout: 4000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
