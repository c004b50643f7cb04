import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { PROM_CLIENT_SAMPLE_MS, replaceEventLoopLag } from '../../src/outputs/metrics/eventLoopLag.js';
import { parseProm, waitFor } from '../helpers/cli.js';

describe('event-loop lag series', () => {
  it('read the lag, not the sampling interval (Node records interval + lag per sample)', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: PROM_CLIENT_SAMPLE_MS });
    const interval = 500;
    const histogram = replaceEventLoopLag(registry, interval);
    try {
      await registry.metrics(); // a collect resets the histogram: start from nothing
      await waitFor('three samples', async () => (histogram.count >= 3 ? true : undefined));
      const calm = parseProm(await registry.metrics());
      // Node records interval + lag for each sample: 0.5 s or more before the interval was taken off
      assert.ok(
        (calm.get('nodejs_eventloop_lag_p50_seconds') ?? 1) < interval / 2000,
        `p50 ${calm.get('nodejs_eventloop_lag_p50_seconds')}`,
      );
      assert.ok((calm.get('nodejs_eventloop_lag_min_seconds') ?? 1) >= 0);

      const text = await registry.metrics();
      for (const n of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
        assert.equal(text.split('\n').filter((l) => l === `# TYPE ${n} gauge`).length, 1, `${n} registered once`);
      }
    } finally {
      histogram.disable();
    }
  });
});
