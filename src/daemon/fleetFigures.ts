import { setImmediate as nextTurn } from 'node:timers/promises';
import { windowSettled } from '../coverage/windowHoles.js';
import type { FleetFigureSet, FleetFigures } from '../outputs/fleetGauges.js';
import { fleetOf, shownPairs, type WebContext } from '../web/context.js';
import { fleetQuality } from '../web/fleetView.js';
import { interval, qualitySpans } from '../web/nodeSpans.js';

/**
 * The fleet gauges' figures: per channel and quality shown, what the fleet view says
 * (fleetQuality at one "now"), one channel and quality per turn of the event loop; with
 * whether every window among them is settled (no longer follows the clock).
 */
export async function fleetFigures(web: WebContext): Promise<FleetFigureSet> {
  const fleet = fleetOf(web);
  const now = fleet.nowUs();
  const peers = fleet.fetcher.snapshot();
  const qualities: FleetFigures[] = [];
  let settled = true;
  for (const [channel, quality] of shownPairs(web)) {
    const status = web.state.get(channel, quality);
    const self = qualitySpans(channel, quality, status, now);
    const q = fleetQuality(self, fleet.nodeName, peers, now);
    qualities.push({ channel, quality, scanned: q.scanned, fleetHoleUs: q.fleet.hole_us, localOnlyHoleUs: q.fleet.local_only_hole_us });
    // not scanned yet: no window until an update replaces the state (an input)
    if (status !== undefined) {
      const cov = status.coverage;
      settled &&= windowSettled(self.window === null ? null : interval(self.window), self.covered.map(interval), cov.hours.map((h) => h.result), cov.bounds);
    }
    await nextTurn();
  }
  return { qualities, peers: peers.map((p) => ({ node: p.name, up: p.state === 'up' })), settled };
}

/**
 * What the fleet figures are made of, for FleetGauges to tell when to compute them again:
 * the config, every coverage entry (replaced whole on each update) and each peer's last answer.
 */
export function fleetInputs(web: WebContext): unknown[] {
  const out: unknown[] = [web.config, ...web.state.list()];
  for (const p of fleetOf(web).fetcher.snapshot()) out.push(p.name, p.spansUrl, p.state, p.error, p.data);
  return out;
}
