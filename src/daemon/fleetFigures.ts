import { setImmediate as nextTurn } from 'node:timers/promises';
import { coverageWindowHoles } from '../coverage/coverageWindow.js';
import { windowSettled } from '../coverage/windowHoles.js';
import type { FleetFigureSet, FleetFigures } from '../outputs/metrics/fleetGauges.js';
import { shownPairs, type WebContext } from '../web/context.js';
import { fleetHoleFiguresOf } from '../web/fleetView.js';

/**
 * The fleet gauges' figures: per channel and quality shown, the fleet view's two figures
 * (fleetHoleFiguresOf at one "now", from this node's raw window report: the view's spans,
 * rows and per-hour lists are not built), one channel and quality per turn of the event
 * loop; with whether every window among them is settled (no longer follows the clock).
 */
export async function fleetFigures(web: WebContext): Promise<FleetFigureSet> {
  const { fleet } = web;
  const now = fleet.nowUs();
  const peers = fleet.fetcher.snapshot();
  const qualities: FleetFigures[] = [];
  let settled = true;
  for (const [channel, quality] of shownPairs(web)) {
    const status = web.state.get(channel, quality);
    // not scanned yet: no window, no figures, until an update replaces the state (an input)
    if (status === undefined) {
      qualities.push({ channel, quality, scanned: false, fleetHoleUs: 0, localOnlyHoleUs: 0 });
    } else {
      const cov = status.coverage;
      const results = cov.hours.map((h) => h.result);
      const r = coverageWindowHoles(cov, now, 'raw');
      const f = fleetHoleFiguresOf(channel, quality, r, peers);
      qualities.push({ channel, quality, scanned: true, fleetHoleUs: f.fleetHoleUs, localOnlyHoleUs: f.localOnlyHoleUs });
      settled &&= windowSettled(r.window, r.covered, results, cov.bounds);
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
  for (const p of web.fleet.fetcher.snapshot()) out.push(p.name, p.spansUrl, p.state, p.error, p.data);
  return out;
}
