/** Issue 27: the OpenMetrics format beside the classic one: negotiation and conversion. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { CoverageGauges } from '../../src/outputs/metrics/coverageGauges.js';
import { negotiateFormat, toOpenMetrics } from '../../src/outputs/metrics/openMetrics.js';
import { dropBlankLines } from '../../src/outputs/metrics/promText.js';
import type { GaugeValue } from '../../src/coverage/gauges.js';

/** What Prometheus 2.x sends by default (scrape.go's acceptHeader). */
const PROMETHEUS_2 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** The same metrics in a registry of `contentType`: counters, gauges, a histogram, labels that need escaping. */
function registry(openMetrics: boolean): Registry<RegistryContentType> {
  const reg = new Registry<RegistryContentType>();
  if (openMetrics) reg.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const c = new Counter({ name: 'things_done_total', help: 'Things done', labelNames: ['kind'], registers: [reg] });
  c.inc({ kind: 'a "quoted" \\ back\nslash' }, 3);
  c.inc({ kind: 'b' }, 0);
  new Counter({ name: 'bare_counter', help: 'A counter without the suffix', registers: [reg] }).inc(2);
  new Gauge({ name: 'segment_count', help: 'A gauge named like a suffix', labelNames: ['hour'], registers: [reg] }).set(
    { hour: '2026-11-01T00' },
    7,
  );
  new Gauge({ name: 'build_info', help: 'Always 1', labelNames: ['version'], registers: [reg] }).set({ version: '1.2.3' }, 1);
  new Gauge({ name: 'empty_family', help: 'No series yet', labelNames: ['x'], registers: [reg] });
  const h = new Histogram({ name: 'took_seconds', help: 'How long', buckets: [0.1, 1], labelNames: ['op'], registers: [reg] });
  h.observe({ op: 'x' }, 0.5);
  h.observe({ op: 'x' }, 5);
  return reg;
}

describe('OpenMetrics', () => {
  it('negotiates as Prometheus asks: OpenMetrics when it ranks first, classic text otherwise', () => {
    assert.equal(negotiateFormat(PROMETHEUS_2), 'openmetrics');
    assert.equal(negotiateFormat('application/openmetrics-text; version=0.0.1'), 'openmetrics');
    assert.equal(negotiateFormat('application/openmetrics-text'), 'openmetrics');
    // Prometheus 3's default, with its escaping parameter
    assert.equal(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
      ),
      'openmetrics',
    );
    // scrape_protocols: [PrometheusText0.0.4]
    assert.equal(negotiateFormat('text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'text');
    assert.equal(negotiateFormat(undefined), 'text');
    assert.equal(negotiateFormat('*/*'), 'text');
    assert.equal(negotiateFormat(''), 'text');
    assert.equal(negotiateFormat('application/json'), 'text', 'nothing served is asked for: classic text, not a 406');
    assert.equal(negotiateFormat('application/openmetrics-text;version=2.0.0'), 'text', 'a version not served');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0, text/plain'), 'text', 'q=0 refuses');
    assert.equal(negotiateFormat('text/plain;q=0.9, application/openmetrics-text;q=0.5'), 'text', 'the higher q wins');
    assert.equal(negotiateFormat('text/plain;q=0.5, application/openmetrics-text;q=0.5'), 'text', 'a tie: the first listed');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0.5, text/plain;q=0.5'), 'openmetrics');
  });

  it("converts prom-client's classic text to what prom-client's own OpenMetrics registry renders (counters named without _total, # EOF aside)", async () => {
    const classic = dropBlankLines(await registry(false).metrics());
    const om = await registry(true).metrics();
    assert.ok(om.endsWith('\n# EOF\n'));
    const converted = toOpenMetrics(classic);
    assert.notEqual(converted, classic, 'the counters differ (else this proves nothing)');
    assert.equal(converted, om.slice(0, -'# EOF\n'.length));
    assert.match(converted, /^# TYPE things_done counter\nthings_done_total\{kind="a \\"quoted\\" \\\\ back\\nslash"\} 3$/m);
    assert.match(converted, /^# TYPE bare_counter counter\nbare_counter_total 2$/m, 'a counter without _total gets it on its samples');
    assert.match(converted, /^# TYPE segment_count gauge\nsegment_count\{hour="2026-11-01T00"\} 7$/m, 'gauges as they are');
    assert.match(converted, /^took_seconds_bucket\{le="\+Inf",op="x"\} 2$/m, 'histograms as they are');
  });

  it('writes NaN as OpenMetrics spells it, escapes " in HELP, drops free comments, turns untyped into unknown and ms timestamps into seconds', () => {
    const classic = [
      '# HELP odd A "quoted" help \\\\ with \\n escapes',
      '# TYPE odd gauge',
      'odd{a="} x"} Nan',
      '# a free comment',
      '# TYPE legacy untyped',
      'legacy 1 1700000000123',
      '# TYPE c_total counter',
      'c_total{a="1"} 5 1700000000000',
    ].join('\n');
    assert.equal(
      toOpenMetrics(`${classic}\n`),
      `${[
        '# HELP odd A \\"quoted\\" help \\\\ with \\n escapes',
        '# TYPE odd gauge',
        'odd{a="} x"} NaN',
        '# TYPE legacy unknown',
        'legacy 1 1700000000.123',
        '# TYPE c counter',
        'c_total{a="1"} 5 1700000000',
      ].join('\n')}\n`,
    );
    assert.equal(toOpenMetrics(''), '');
  });

  it('the §4 gauges read the same in both formats (so /metrics shares their parts between the formats)', () => {
    const g = new CoverageGauges();
    const values: GaugeValue[] = [
      { name: 'segment_count', type: 'full', value: 3 },
      { name: 'raw_coverage', value: 3599.5 },
      { name: 'overlap_count', type: 'partial', value: 1 },
    ];
    g.apply('chan "x"', 'source', new Map([['2026-11-01T00', values]]));
    const text = g.text();
    assert.match(text, /^overlap_count\{channel="chan \\"x\\"",hour="2026-11-01T00",quality="source",type="partial"\} 1$/m);
    assert.equal(toOpenMetrics(text), text);
  });
});
