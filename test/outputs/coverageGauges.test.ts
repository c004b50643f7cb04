/**
 * /metrics and the textfile read the §4 gauges from CoverageGauges.exposition(), text it
 * formats itself and keeps per hour: after any sequence of whole replacements, live changes
 * and removals it must be the text prom-client renders for the same writes, byte for byte
 * (sample order included).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GAUGE_NAMES, type GaugeValue } from '../../src/coverage/gauges.js';
import { COUNTED_TYPES } from '../../src/coverage/types.js';
import { seededRandom as rng } from '../../src/demo/random.js';
import { CoverageGauges } from '../../src/outputs/metrics/coverageGauges.js';
import { PromGauges } from '../helpers/promGauges.js';

const ODD_VALUES = [0, 1, 3600, 0.5, 1799.999999, -0, -2, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** One hour's values in hourGauges' shape, with values drawn from `r`. */
function hourValues(r: () => number): GaugeValue[] {
  const v = (): number => (r() < 0.2 ? ODD_VALUES[Math.floor(r() * ODD_VALUES.length)] : Math.floor(r() * 4) * 2.5);
  const out: GaugeValue[] = [];
  for (const name of GAUGE_NAMES) {
    if (name === 'segment_count' || name === 'segment_duration' || name === 'overlap_count' || name === 'overlap_duration') {
      for (const type of COUNTED_TYPES) out.push({ name, type, value: v() });
      if (name === 'segment_count') out.push({ name, type: 'bad', value: v() });
    } else {
      out.push({ name, value: v() });
    }
  }
  return out;
}

describe('CoverageGauges.exposition', () => {
  it('is the text prom-client renders for the same writes, byte for byte, through random replacements, live changes and removals', async () => {
    const r = rng(12);
    const g = new CoverageGauges();
    // the same writes, its text first asked for half-way (a daemon's first scrape after its first pass)
    const late = new CoverageGauges();
    const oracle = new PromGauges();
    const text = (): string => Buffer.concat(g.exposition()).toString();
    assert.equal(text(), await oracle.text(), 'empty: HELP and TYPE only');
    // label values a text format must escape (the store's names never hold them, the format still must)
    const places = [
      ['demo', 'source'],
      ['demo', '480p'],
      ['we"ird\\chan\nnel', 'q'],
    ] as const;
    const hours = Array.from({ length: 12 }, (_, i) => `2026-11-01T${String(i).padStart(2, '0')}`);
    let changed = 0;
    for (let step = 0; step < 400; step++) {
      const [channel, quality] = places[Math.floor(r() * places.length)];
      const before = g.version;
      const roll = r();
      if (roll < 0.15) {
        const m = new Map<string, GaugeValue[]>();
        for (const h of hours) if (r() < 0.5) m.set(h, hourValues(r));
        for (const x of [g, late, oracle]) x.apply(channel, quality, m);
      } else if (roll < 0.2) {
        for (const x of [g, late, oracle]) x.remove(channel, quality);
      } else {
        const m = new Map<string, GaugeValue[] | null>();
        for (let k = 0; k < 1 + Math.floor(r() * 3); k++) m.set(hours[Math.floor(r() * hours.length)], r() < 0.2 ? null : hourValues(r));
        for (const x of [g, late, oracle]) x.applyChanges(channel, quality, m);
      }
      if (step >= 200) {
        const sorted = (t: string): string[] => t.split('\n').sort();
        assert.deepEqual(sorted(Buffer.concat(late.exposition()).toString()), sorted(await oracle.text()), `late, step ${step}`);
      }
      if (g.version !== before) changed++;
      const parts = g.exposition();
      assert.equal(Buffer.concat(parts).toString(), await oracle.text(), `step ${step}`);
      assert.ok(
        g.exposition().every((b, i) => b === parts[i]),
        'the very same Buffers until the next change',
      );
    }
    assert.ok(changed > 300, `most steps changed something (${changed})`);
    const final = text();
    assert.match(final, /channel="we\\"ird\\\\chan\\nnel"/, 'label values escaped');
    assert.match(final, / Nan\n/);
    assert.match(final, / \+Inf\n/);
  });

  it('a live change rewrites only its hour, and only the families whose lines it changed are new Buffers', () => {
    const r = rng(7);
    const g = new CoverageGauges();
    const all = new Map<string, GaugeValue[]>();
    for (let i = 0; i < 24; i++) all.set(`2026-11-02T${String(i).padStart(2, '0')}`, hourValues(r));
    g.apply('demo', 'source', all);
    const beforeParts = g.exposition();
    const before = Buffer.concat(beforeParts).toString().split('\n');
    const changedHour = '2026-11-02T05';
    // one value changed: raw_coverage of that hour
    const next = (all.get(changedHour) as GaugeValue[]).map((v) => (v.name === 'raw_coverage' ? { ...v, value: 1234.5 } : v));
    g.applyChanges('demo', 'source', new Map([[changedHour, next]]));
    const afterParts = g.exposition();
    const after = Buffer.concat(afterParts).toString().split('\n');
    assert.equal(after.length, before.length);
    const differs = after.filter((l, i) => l !== before[i]);
    assert.deepEqual(differs, [`raw_coverage{channel="demo",hour="${changedHour}",quality="source"} 1234.5`]);
    const fresh = afterParts.map((b, i) => (b === beforeParts[i] ? null : GAUGE_NAMES[i])).filter((x) => x !== null);
    assert.deepEqual(fresh, ['raw_coverage'], 'every other family is the very same Buffer');
  });
});
