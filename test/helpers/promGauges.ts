import { Gauge, Registry } from 'prom-client';
import { GAUGE_NAMES, sameGaugeValues, type GaugeName, type GaugeValue } from '../../src/coverage/gauges.js';
import { gaugeHelp } from '../../src/outputs/coverageGauges.js';
import { dropBlankLines } from '../../src/outputs/promText.js';

/**
 * The oracle for CoverageGauges' text: the same writes kept as prom-client series (set,
 * removed) and rendered by prom-client's registry. CoverageGauges formats its lines itself;
 * this is how the text format is meant to come out for the same values, escaping, number
 * forms and sample order included.
 */
export class PromGauges {
  readonly registry = new Registry();
  private readonly gauges = new Map<GaugeName, Gauge>();
  private readonly exported = new Map<string, Map<string, readonly GaugeValue[]>>();

  constructor() {
    for (const name of GAUGE_NAMES) {
      this.gauges.set(name, new Gauge({ name, help: gaugeHelp(name), labelNames: ['channel', 'hour', 'quality', 'type'], registers: [this.registry] }));
    }
  }

  apply(channel: string, quality: string, hours: ReadonlyMap<string, readonly GaugeValue[]>): void {
    const key = `${channel}\u0000${quality}`;
    const before = this.exported.get(key) ?? new Map<string, readonly GaugeValue[]>();
    for (const [hour, values] of before) if (!hours.has(hour)) this.write(channel, quality, hour, values, true);
    for (const [hour, values] of hours) {
      const old = before.get(hour);
      if (old === undefined || !sameGaugeValues(old, values)) this.write(channel, quality, hour, values, false);
    }
    this.exported.set(key, new Map(hours));
  }

  applyChanges(channel: string, quality: string, changes: ReadonlyMap<string, readonly GaugeValue[] | null>): void {
    const key = `${channel}\u0000${quality}`;
    const held = this.exported.get(key) ?? new Map<string, readonly GaugeValue[]>();
    this.exported.set(key, held);
    for (const [hour, values] of changes) {
      const old = held.get(hour);
      if (values === null) {
        if (old !== undefined) this.write(channel, quality, hour, old, true);
        held.delete(hour);
      } else if (old === undefined || !sameGaugeValues(old, values)) {
        this.write(channel, quality, hour, values, false);
        held.set(hour, values);
      }
    }
  }

  remove(channel: string, quality: string): void {
    this.apply(channel, quality, new Map());
  }

  /** The registry's text, blank lines dropped (as /metrics and the textfile drop them). */
  async text(): Promise<string> {
    return dropBlankLines(await this.registry.metrics());
  }

  private write(channel: string, quality: string, hour: string, values: readonly GaugeValue[], remove: boolean): void {
    for (const v of values) {
      const gauge = this.gauges.get(v.name) as Gauge;
      const labels = v.type === undefined ? { channel, hour, quality } : { channel, hour, quality, type: v.type };
      if (remove) gauge.remove(labels);
      else gauge.set(labels, v.value);
    }
  }
}
