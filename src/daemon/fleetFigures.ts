import { windowSettled } from '../coverage/windowHoles.js';
import type { FleetFigureSet } from '../outputs/fleetGauges.js';
import { fleetOf, type WebContext } from '../web/context.js';
import { interval } from '../web/nodeSpans.js';

/** The fleet gauges' figures from the fleet view, with whether every window in it is settled. */
export function fleetFigures(web: WebContext): FleetFigureSet {
  const v = fleetOf(web).view();
  return {
    qualities: v.qualities.map((q) => ({ channel: q.channel, quality: q.quality, scanned: q.scanned, fleetHoleUs: q.fleet.hole_us, localOnlyHoleUs: q.fleet.local_only_hole_us })),
    peers: v.peers.map((p) => ({ node: p.node, up: p.state === 'up' })),
    settled: v.qualities.every((q) => {
      const cov = web.state.get(q.channel, q.quality)?.coverage;
      if (cov === undefined) return true; // not scanned yet: no window until an update replaces the state
      const self = q.nodes.find((n) => n.self);
      return windowSettled(q.window === null ? null : interval(q.window), (self?.covered ?? []).map(interval), cov.hours.map((h) => h.result), cov.bounds);
    }),
  };
}

/**
 * What the fleet figures are made of, for FleetGauges to tell when to compute them again:
 * the config, every coverage entry (replaced whole on each update) and each peer's last answer.
 */
export function fleetInputs(web: WebContext): unknown[] {
  const out: unknown[] = [web.config, web.state.ready, ...web.state.list()];
  for (const p of fleetOf(web).fetcher.snapshot()) out.push(p.name, p.spansUrl, p.state, p.error, p.data);
  return out;
}
