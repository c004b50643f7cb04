import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { qualityCoverage } from '../../src/coverage/qualityCoverage.js';
import { coldPass } from '../../src/scan/coldPass.js';
import { parseHourFlag } from '../../src/cli/hourFlag.js';
import { buildCaseStore, loadCases, runLength, seriesKey } from '../helpers/conformance.js';

/**
 * Every case of the shared conformance suite, through the store reader and the pure
 * coverage core: the exact series set, every value, and every map pixel.
 */
describe("the coverage contract's conformance cases", () => {
  const cases = loadCases();
  it('has the shared cases', () => assert.ok(cases.length >= 33, `only ${cases.length} cases found`));
  for (const c of cases) {
    it(`${c.name}: ${c.description}`, async () => {
      const base = await buildCaseStore(c);
      try {
        const window = {
          firstHour: c.options.first_hour === undefined ? undefined : parseHourFlag(c.options.first_hour),
          lastHour: c.options.last_hour === undefined ? undefined : parseHourFlag(c.options.last_hour),
        };
        const metrics: Record<string, number> = {};
        for (const quality of c.qualities) {
          // as the daemon does: every hour is read; the window bounds only the map (docs/coverage.md, Which hours have series)
          const pass = await coldPass({ base, channel: c.channel, quality, window: {}, concurrency: 3, report: () => {} });
          assert.ok(pass !== null);
          const cov = qualityCoverage(pass.hours, { ...window, pixelSeconds: c.options.pixel ?? 2, rows: c.options.rows ?? 300 });
          for (const [hour, values] of cov.gauges) {
            for (const v of values) {
              const labels: Record<string, string> = { channel: c.channel, hour, quality };
              if (v.type !== undefined) labels.type = v.type;
              metrics[seriesKey(v.name, labels)] = v.value;
            }
          }
          const want = c.expected.maps[quality];
          if (want === null || want === undefined) {
            assert.equal(cov.map, null, `${quality}: no map expected`);
          } else {
            assert.ok(cov.map !== null, `${quality}: a map expected`);
            assert.equal(cov.map.width, want.width, `${quality}: width`);
            assert.equal(cov.map.height, want.height, `${quality}: height`);
            assert.equal(runLength(cov.map.pixels), want.pixels, `${quality}: pixels`);
          }
        }
        assert.deepEqual(Object.keys(metrics).sort(), Object.keys(c.expected.metrics).sort(), 'series set');
        for (const [k, v] of Object.entries(c.expected.metrics)) assert.equal(metrics[k], v, k);
      } finally {
        await rm(base, { recursive: true, force: true });
      }
    });
  }
});
