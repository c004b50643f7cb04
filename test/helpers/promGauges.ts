import { Gauge, Registry } from 'prom-client';
import { GAUGE_NAMES, type GaugeName, type GaugeValue } from '../../src/coverage/gauges.js';
import { gaugeHelp } from '../../src/outputs/metrics/coverageGauges.js';
import { dropBlankLines } from '../../src/outputs/metrics/promText.js';

/**
 * The oracle for CoverageGauges' text: the same writes kept as prom-client series and
 * rendered by prom-client's registry. It keeps no change detection of its own: every write
 * sets all of an hour's series (setting an unchanged series moves neither its value nor its
 * place) and a gone hour's series are removed, so what CoverageGauges skips as unchanged is
 * checked, not copied. CoverageGauges formats its lines itself; this is how the text format
 * comes out for the same values, escaping, number forms and sample order included.
 */
export class PromGauges {
  readonly registry = new Registry();
  private readonly gauges = new Map<GaugeName, Gauge>();
  /** The hours set per channel/quality key, for apply() to know which are gone. */
  private readonly hours = new Map<string, Map<string, readonly GaugeValue[]>>();

  constructor() {
    for (const name of GAUGE_NAMES) {
      this.gauges.set(
        name,
        new Gauge({ name, help: gaugeHelp(name), labelNames: ['channel', 'hour', 'quality', 'type'], registers: [this.registry] }),
      );
    }
  }

  apply(channel: string, quality: string, hours: ReadonlyMap<string, readonly GaugeValue[]>): void {
    const gone = new Map<string, readonly GaugeValue[] | null>();
    for (const hour of this.held(channel, quality).keys()) if (!hours.has(hour)) gone.set(hour, null);
    this.applyChanges(channel, quality, new Map([...gone, ...hours]));
  }

  applyChanges(channel: string, quality: string, changes: ReadonlyMap<string, readonly GaugeValue[] | null>): void {
    const held = this.held(channel, quality);
    for (const [hour, values] of changes) {
      const old = held.get(hour);
      if (values === null) {
        if (old !== undefined) this.write(channel, quality, hour, old, true);
        held.delete(hour);
      } else {
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

  private held(channel: string, quality: string): Map<string, readonly GaugeValue[]> {
    const key = `${channel}\u0000${quality}`;
    let held = this.hours.get(key);
    if (held === undefined) {
      held = new Map();
      this.hours.set(key, held);
    }
    return held;
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
