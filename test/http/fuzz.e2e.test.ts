/**
 * HTTP fuzzing of a running daemon (fast-check): raw request lines, methods, paths,
 * query values and headers against every route. Every request must get an answer
 * (never a dropped connection) with a 2xx, 3xx or 4xx status, and the daemon must stay
 * up. The same over TLS with basic auth (a fifth as many cases, random Authorization
 * headers among them). Bounded: HTTP_FUZZ_RUNS cases (default 5000) or HTTP_FUZZ_MS of
 * fuzzing per daemon (default 120 s), whichever comes first, so a slow machine only runs
 * fewer cases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { fillHour } from '../helpers/simpleStore.js';
import { startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { rawGet, rawRequest, type RawReply } from './rawHttp.js';
import { hashOf, httpsStatus, makeCerts, startTlsDaemon, writeWebConfig, type TlsDaemon } from './tlsFixture.js';

const RUNS = Number(process.env.HTTP_FUZZ_RUNS ?? 5000);
const BUDGET_MS = Number(process.env.HTTP_FUZZ_MS ?? 120_000);

const ROUTES = [
  '/',
  '/metrics',
  '/healthz',
  '/readyz',
  '/api/v1/coverage',
  '/api/v1/holes',
  '/maps/',
  '/maps/chan_source_coverage.png',
  '/maps/x.png',
  '/nope',
  '//',
  '/api/v1/',
];
const PARAMS = ['channel', 'quality', 'since', 'until', 'x', ''];
const HEADER_NAMES = [
  'Accept-Encoding',
  'If-Modified-Since',
  'Authorization',
  'Range',
  'Accept',
  'Cookie',
  'Content-Length',
  'Transfer-Encoding',
  'Expect',
  'Upgrade',
  'Host',
  'X-Forwarded-For',
  'Connection',
];

/** No CR or LF: they would end the line or the head early (the framing is fuzzed separately). */
const noEol = (s: string): string => s.replace(/[\r\n]/g, '');
const text = fc
  .oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ maxLength: 40 }))
  .map(noEol);

/** Times that parse and some that do not: years far out, odd offsets, fractions, garbage. */
const timeValue = fc.oneof(
  fc
    .tuple(fc.integer({ min: -300_000, max: 300_000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.nat(999_999))
    .map(
      ([y, m, d, us]) =>
        `${y < 0 ? '-' : '%2B'}${String(Math.abs(y)).padStart(6, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00.${String(us).padStart(6, '0')}Z`,
    ),
  fc.date({ noInvalidDate: true }).map((d) => encodeURIComponent(d.toISOString())),
  fc.constantFrom('2026-11-01T07', '2026-11-01', 'now', '%', '%ZZ', '%00', '-0', '1e999', ''),
  text.map((s) => encodeURIComponent(s)),
);

const queryValue = fc.oneof(
  { weight: 3, arbitrary: timeValue },
  { weight: 3, arbitrary: fc.constantFrom('chan', 'source', 'CHAN', '..', '%2F') },
  { weight: 2, arbitrary: text.map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: text },
);
const query = fc
  .array(fc.tuple(fc.constantFrom(...PARAMS), queryValue), { maxLength: 5 })
  .map((kv) => (kv.length === 0 ? '' : `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`));

const pathPart = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), text).map(([r, s]) => `${r}${s.replace(/[ ?#]/g, '')}`) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), text).map(([r, s]) => `${r}${encodeURIComponent(s)}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '//[',
      '//x:abc/',
      '//%/',
      'http://[/',
      '*',
      'http://x/metrics',
      '/%',
      '/..%2F..%2Fetc/passwd',
      '/maps/..%2f..%2f',
      '/maps/%00.png',
      '/\u00e9',
      '/a b',
    ),
  },
  { weight: 1, arbitrary: text.map((s) => `/${s.replace(/ /g, '')}`) },
);
const target = fc.tuple(pathPart, query).map(([p, q]) => `${p}${q}`);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'HEAD') },
  { weight: 2, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PRI', 'get') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 8 }).map(noEol) },
);
const version = fc.oneof(
  { weight: 8, arbitrary: fc.constant('HTTP/1.1') },
  { weight: 2, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'HTTP/9', 'http/1.1', '') },
);
/** Printable header values (what a real client may send) and, less often, anything. */
const headerValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
  { weight: 1, arbitrary: text },
);
const header = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HEADER_NAMES) }, { weight: 1, arbitrary: text }), headerValue)
  .map(([k, v]) => `${k}: ${v}`);

/** One request: a request line (sometimes pure garbage), up to 6 headers, then Connection: close. */
const request = fc
  .tuple(
    fc.oneof(
      { weight: 9, arbitrary: fc.tuple(method, target, version).map(([m, t, v]) => `${m} ${t} ${v}`.trimEnd()) },
      { weight: 1, arbitrary: text },
    ),
    fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    fc.array(header, { maxLength: 4 }),
  )
  .map(
    ([line, host, headers]) => `${line}\r\n${host ? 'Host: x\r\n' : ''}${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`,
  );

/**
 * Runs the property: every request gets an answer (not a dropped connection) with a
 * 2xx, 3xx or 4xx status. Returns how many answers of each status were seen.
 */
async function fuzz(
  t: { diagnostic(m: string): void },
  arb: fc.Arbitrary<string>,
  runs: number,
  send: (bytes: Buffer) => Promise<RawReply>,
  context: () => string,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const result = await fc.check(
    fc.asyncProperty(arb, async (bytes) => {
      let r: RawReply;
      try {
        r = await send(Buffer.from(bytes, 'utf8'));
      } catch (e) {
        throw new Error(`no answer: ${String(e)}`);
      }
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.dropped) throw new Error(`connection dropped without an answer\n${context()}`);
      if (!(r.status >= 200 && r.status < 500)) throw new Error(`status ${r.status}\n${r.head}\n${r.body.slice(0, 500)}\n${context()}`);
    }),
    { numRuns: runs, plugins: [fc.interruptAfterTimeLimit(BUDGET_MS)] },
  );
  t.diagnostic(
    `${result.numRuns} cases${result.interrupted ? ' (time budget reached)' : ''}; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  assert.equal(result.failed, false, fc.defaultReportMessage(result) ?? 'failed');
  assert.ok(result.numRuns > 0);
  return statuses;
}

describe('HTTP fuzz against a running daemon', () => {
  let base = '';
  let d: RunningDaemon;

  before(async () => {
    base = await makeTmpDir('http-fuzz');
    fillHour(base, 'chan', 'source', '2026-11-01T07', 0, 60, new Set([20]));
    fillHour(base, 'chan', 'source', '2026-11-01T08', 0, 30);
    d = await startDaemon(['chan', '--base-dir', base, '--output-dir', path.join(base, 'maps'), '--no-watch', '--log-level', 'warn']);
    await waitFor('the map file', async () => ((await rawGet(d.port, '/maps/chan_source_coverage.png')).status === 200 ? true : undefined));
  });

  after(async () => {
    await d?.stop();
    if (base !== '') await rm(base, { recursive: true, force: true });
  });

  it('every request is answered with a 2xx, 3xx or 4xx, and the daemon stays up', async (t) => {
    const statuses = await fuzz(
      t,
      request,
      RUNS,
      (bytes) => rawRequest(d.port, bytes, { timeoutMs: 60_000 }),
      () => `daemon exit ${d.proc.exitCode}\n${d.stderr().slice(-2000)}`,
    );
    assert.ok(
      (statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0 && (statuses.get(404) ?? 0) > 0,
      `fuzzing reached several kinds of answer: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.equal(d.proc.exitCode, null, d.stderr());
    const h = await rawGet(d.port, '/healthz');
    assert.equal(h.status, 200);
    assert.match(h.body, /ok/);
    assert.doesNotMatch(d.stderr(), /"level":"fatal"|uncaught/, 'no uncaught error was logged');
  });
});

/** Authorization headers: garbage, well-formed Basic ones with random credentials, and the right one. */
const authorization = fc.oneof(
  fc.string({ maxLength: 60 }).map(noEol),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
    .map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`),
  fc.string({ maxLength: 40 }).map((x) => `Basic ${x.replace(/[\r\n]/g, '')}`),
  fc.constant(`Basic ${Buffer.from('prom:scrape').toString('base64')}`),
);
const authedRequest = fc.tuple(request, authorization).map(([req, auth]) => req.replace('\r\n', `\r\nAuthorization: ${auth}\r\n`));

describe('HTTP fuzz against a daemon with TLS and basic auth', () => {
  let dir = '';
  let d: TlsDaemon;
  let ca = '';

  before(async () => {
    dir = await makeTmpDir('https-fuzz');
    const certs = await makeCerts(dir);
    ca = certs.ca;
    const base = path.join(dir, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T07', 0, 60, new Set([20]));
    const webFile = path.join(dir, 'web.yml');
    await writeWebConfig(webFile, {
      tls_server_config: { cert_file: certs.serverCert, key_file: certs.serverKey },
      basic_auth_users: { prom: hashOf('scrape') },
    });
    d = await startTlsDaemon(
      ['chan', '--base-dir', base, '--output-dir', path.join(dir, 'maps'), '--no-watch', '--log-level', 'warn'],
      webFile,
      ca,
    );
  });

  after(async () => {
    await d?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('every request over TLS is answered with a 2xx, 3xx or 4xx, and the daemon stays up', async (t) => {
    const tlsOpts = { ca: readFileSync(ca), servername: 'localhost' };
    const statuses = await fuzz(
      t,
      authedRequest,
      Math.ceil(RUNS / 5),
      (bytes) => rawRequest(d.port, bytes, { timeoutMs: 60_000, tls: tlsOpts }),
      () => `daemon exit ${d.proc.exitCode}\n${d.stderr().slice(-2000)}`,
    );
    assert.ok(
      (statuses.get(401) ?? 0) > 0 && (statuses.get(200) ?? 0) > 0,
      `both refused and let through: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.equal(d.proc.exitCode, null, d.stderr());
    assert.equal(await httpsStatus(`${d.url}/healthz`, ca), 200);
    assert.doesNotMatch(d.stderr(), /"level":"fatal"|uncaught/, 'no uncaught error was logged');
  });
});
