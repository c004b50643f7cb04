/**
 * The exporter ecosystem's flags beside the inherited ones (issue 27): how each is read,
 * where a setting spelled twice comes from, and what a conflict says.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { DAEMON_OPTIONS } from '../../src/cli/daemonFlags.js';
import { givenAt } from '../../src/cli/exporterFlags.js';
import { selectEnv } from '../../src/cli/settingsSources.js';
import { CHECK_OPTIONS } from '../../src/cli/commands/check.js';
import { formatListenAddress, parseListenAddress } from '../../src/config/listenAddress.js';
import { createLogger } from '../../src/log.js';
import { logfmtLine } from '../../src/logfmt.js';
import { parseLogfmt } from '../helpers/logfmt.js';

/** The parser's defaults, as yargs would fill them in, and one channel. */
const base: Record<string, unknown> = { channels: ['chan'] };
for (const [k, o] of Object.entries(DAEMON_OPTIONS)) if ('default' in o) base[k] = o.default;

function usage(argv: Record<string, unknown>, given?: ReturnType<typeof givenAt>): string {
  try {
    resolveDaemonConfig({ ...base, ...argv }, given);
  } catch (e) {
    assert.equal((e as Error).name, 'UsageError', String(e));
    return (e as Error).message;
  }
  assert.fail(`no usage error for ${JSON.stringify(argv)}`);
}

describe('--web.listen-address', () => {
  it('reads host:port, [IPv6]:port and :port, as Go does, and nothing else', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:9100'), { host: '127.0.0.1', port: 9100 });
    assert.deepEqual(parseListenAddress('[::1]:9100'), { host: '::1', port: 9100 });
    assert.deepEqual(parseListenAddress(':9100'), { port: 9100 });
    assert.deepEqual(parseListenAddress('node-a.example.org:0'), { host: 'node-a.example.org', port: 0 });
    for (const bad of ['9100', '::1:9100', '[::1]9100', '[node]:1', 'a:65536', 'a:', ':', '', 'a b:1', 'a:-1', '[::1]:', 'a:1:2']) {
      assert.equal(parseListenAddress(bad), null, bad);
    }
    for (const text of ['127.0.0.1:9100', '[::1]:9100', ':9100'])
      assert.equal(formatListenAddress(parseListenAddress(text) ?? { port: -1 }), text);
  });

  it('is repeatable (flags, YAML list or comma list); the first address is also metricsHost/metricsPort', () => {
    const want = [
      { host: '127.0.0.1', port: 9100 },
      { host: '::1', port: 9101 },
    ];
    for (const v of [['127.0.0.1:9100', '[::1]:9101'], '127.0.0.1:9100,[::1]:9101']) {
      const c = resolveDaemonConfig({ ...base, 'web.listen-address': v });
      assert.deepEqual(c.listenAddresses, want);
      assert.equal(c.metricsPort, 9100);
      assert.equal(c.metricsHost, '127.0.0.1');
    }
  });

  it('port 0 there is a port the system picks; --metrics-port 0 is still no server', () => {
    assert.deepEqual(resolveDaemonConfig({ ...base, 'web.listen-address': ':0' }).listenAddresses, [{ port: 0 }]);
    assert.deepEqual(resolveDaemonConfig({ ...base, 'metrics-port': '0' }).listenAddresses, []);
    assert.deepEqual(resolveDaemonConfig({ ...base, 'metrics-port': '9' }).listenAddresses, [{ host: '0.0.0.0', port: 9 }]);
  });

  it('defaults as before: 0.0.0.0:8006, /metrics, JSON logs at info', () => {
    const c = resolveDaemonConfig(base);
    assert.deepEqual(c.listenAddresses, [{ host: '0.0.0.0', port: 8006 }]);
    assert.equal(c.telemetryPath, '/metrics');
    assert.equal(c.logFormat, 'json');
    assert.equal(c.logLevel, 'info');
  });

  it('a bad value is a usage error naming the flag and the value', () => {
    assert.equal(
      usage({ 'web.listen-address': '::1:9100' }),
      '--web.listen-address: "::1:9100" is not host:port, [IPv6]:port or :port (port 0-65535)',
    );
    assert.match(usage({ 'web.listen-address': ['127.0.0.1:1', 'x:99999'] }), /^--web\.listen-address: "x:99999"/);
    assert.match(usage({ 'web.listen-address': '' }), /^--web\.listen-address: give host:port/);
  });
});

describe('a setting spelled twice', () => {
  const both = { 'metrics-port': '9', 'web.listen-address': ':1' };

  it('both at one level: exit 2 naming both, as they were given', () => {
    assert.equal(
      usage(both, givenAt(['--metrics-port', '9', '--web.listen-address=:1'], {}, both)),
      '--metrics-port and --web.listen-address are two spellings of one setting; give one, not both',
    );
    assert.match(
      usage(both, givenAt([], { SEGCOV_METRICS_PORT: '9', SEGCOV_WEB__LISTEN_ADDRESS: ':1' }, both)),
      /^SEGCOV_METRICS_PORT and SEGCOV_WEB_LISTEN_ADDRESS are two spellings/,
    );
    assert.match(usage(both, givenAt([], {}, both)), /^--config: metrics-port and web\.listen-address are two spellings/);
    const host = { 'metrics-host': '::', 'web.listen-address': ':1' };
    assert.match(
      usage(host, givenAt(['--metricsHost', '::', '--web.listen-address', ':1'], {}, host)),
      /^--metrics-host and --web\.listen-address/,
    );
    assert.match(usage(both), /^--metrics-port and --web\.listen-address/, 'without sources: everything at one level');
  });

  it('at different levels: the higher wins (flags > SEGCOV_* > --config), the other named in a warning', () => {
    const c = resolveDaemonConfig({ ...base, ...both }, givenAt(['--web.listen-address', ':1'], { SEGCOV_METRICS_PORT: '9' }, both));
    assert.deepEqual(c.listenAddresses, [{ port: 1 }]);
    assert.deepEqual(c.warnings, ['SEGCOV_METRICS_PORT ignored: --web.listen-address takes precedence']);
    const old = resolveDaemonConfig({ ...base, ...both }, givenAt(['--metrics-port', '9'], {}, both));
    assert.deepEqual(old.listenAddresses, [{ host: '0.0.0.0', port: 9 }]);
    assert.deepEqual(old.warnings, ['web.listen-address (--config) ignored: --metrics-port takes precedence']);
    const off = resolveDaemonConfig(
      { ...base, 'metrics-port': '0', 'web.listen-address': ':1' },
      givenAt(['--metrics-port', '0'], {}, both),
    );
    assert.deepEqual(off.listenAddresses, [], '--metrics-port 0 as a flag still means no server');
  });

  it('--log-level and --log.level: the same values; at one level they must agree', () => {
    assert.equal(resolveDaemonConfig({ ...base, 'log.level': 'debug' }).logLevel, 'debug');
    assert.equal(resolveDaemonConfig({ ...base, 'log-level': 'warn', 'log.level': 'warn' }).logLevel, 'warn');
    assert.equal(
      usage({ 'log-level': 'warn', 'log.level': 'debug' }),
      '--log-level and --log.level are two spellings of one setting; give one, not both',
    );
    assert.equal(usage({ 'log.level': 'loud' }), '--log.level: "loud" is not one of fatal, error, warn, info, debug, trace, silent');
    const argv = { 'log-level': 'warn', 'log.level': 'debug' };
    const c = resolveDaemonConfig({ ...base, ...argv }, givenAt(['--log.level', 'debug'], { SEGCOV_LOG_LEVEL: 'warn' }, argv));
    assert.equal(c.logLevel, 'debug');
    assert.deepEqual(c.warnings, ['SEGCOV_LOG_LEVEL ignored: --log.level takes precedence']);
  });
});

describe('--web.telemetry-path and --log.format', () => {
  it("a telemetry path is a plain path, none of segcov's own", () => {
    assert.equal(resolveDaemonConfig({ ...base, 'web.telemetry-path': '/segcov/metrics' }).telemetryPath, '/segcov/metrics');
    for (const [bad, want] of [
      ['metrics', /is not a URL path/],
      ['/a b', /is not a URL path/],
      ['/m?x=1', /is not a URL path/],
      ['//host/m', /is not a URL path/],
      ['/a/../m', /is not a URL path/],
      ['/metrics/', /must not end in \//],
      ['/healthz', /is one of segcov's own paths/],
      ['/', /is one of segcov's own paths/],
      ['/api/v1/m', /is one of segcov's own paths/],
    ] as const) {
      assert.match(
        usage({ 'web.telemetry-path': bad }),
        new RegExp(`^--web\\.telemetry-path: "${bad.replace(/[.?/]/g, '\\$&')}" ${want.source}`),
        bad,
      );
    }
  });

  it('--log.format is json or logfmt', () => {
    assert.equal(resolveDaemonConfig({ ...base, 'log.format': 'logfmt' }).logFormat, 'logfmt');
    assert.equal(usage({ 'log.format': 'text' }), '--log.format: "text" is not json or logfmt');
  });
});

describe('environment names of dotted flags', () => {
  it('SEGCOV_WEB_LISTEN_ADDRESS and friends reach the parser; SEGCOV_LOG_LEVEL stays --log-level', () => {
    const { env, warnings } = selectEnv(
      {
        SEGCOV_WEB_LISTEN_ADDRESS: ':1',
        SEGCOV_WEB_TELEMETRY_PATH: '/m',
        SEGCOV_LOG_FORMAT: 'logfmt',
        SEGCOV_LOG_LEVEL: 'warn',
        SEGCOV_WEB_CONFIG_FILE: '/etc/web.yml',
        SEGCOV_WEB__LISTEN_ADDRESS: ':2',
      },
      DAEMON_OPTIONS,
      new Set(),
    );
    assert.deepEqual(env, {
      SEGCOV_WEB__LISTEN_ADDRESS: ':1',
      SEGCOV_WEB__TELEMETRY_PATH: '/m',
      SEGCOV_LOG__FORMAT: 'logfmt',
      SEGCOV_LOG_LEVEL: 'warn',
      SEGCOV_WEB__CONFIG__FILE: '/etc/web.yml',
    });
    assert.deepEqual(warnings, ['SEGCOV_WEB__LISTEN_ADDRESS is not a segcov setting; ignored'], 'only the documented spelling');
    const check = selectEnv({ SEGCOV_WEB_LISTEN_ADDRESS: ':1' }, CHECK_OPTIONS, new Set(Object.keys(DAEMON_OPTIONS)));
    assert.deepEqual(check, { env: {}, warnings: [] }, "the daemon's variable is left alone by segcov check");
  });
});

describe('log lines', () => {
  function logged(format: 'json' | 'logfmt'): string[] {
    const chunks: string[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    });
    const log = createLogger('info', sink, undefined, format);
    log.warn({ path: '/srv/a b', n: 3, err: new TypeError('bad "x"\nnext') }, 'cannot read');
    log.info({ urls: ['http://127.0.0.1:1/metrics', 'http://[::1]:2/metrics'] }, 'serving');
    log.debug('not written');
    return chunks.join('').split('\n').filter(Boolean);
  }

  it('JSON lines carry the level by name', () => {
    const lines = logged('json').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => l.level),
      ['warn', 'info'],
    );
    assert.equal(lines[0].msg, 'cannot read');
  });

  it('logfmt: time, level and msg first, quoted where needed, nested keys dotted, lists comma-joined', () => {
    const lines = logged('logfmt');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^time=\d{4}-\d\d-\d\dT[\d:.]+Z level=warn msg="cannot read" app=segcov path="\/srv\/a b" n=3 err\.type=TypeError err\.message="bad \\"x\\"\\nnext" err\.stack="TypeError: /,
    );
    const first = parseLogfmt(lines[0]);
    assert.equal(first.get('err.message'), 'bad "x"\nnext');
    assert.equal(first.get('path'), '/srv/a b');
    assert.equal(parseLogfmt(lines[1]).get('urls'), 'http://127.0.0.1:1/metrics,http://[::1]:2/metrics');
    assert.equal(logfmtLine({ msg: '', level: 'info', time: 't', k: null, 'a=b': true }), 'time=t level=info msg="" k=null a_b=true\n');
  });
});
