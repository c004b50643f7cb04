import { formatDuration } from '../format.js';
import type { FleetHole } from '../pageData.js';

/**
 * Which peers hold a hole of this node, in words: `node-b (all), node-c (20 s of it)`, or
 * null when none does. Only meaningful with peers: a single node says nothing of it.
 */
export function heldByText(x: FleetHole): string | null {
  if (x.peers.length === 0) return null;
  return x.peers.map((p) => p.node + (p.cover === 'full' ? ' (all)' : ` (${formatDuration(p.covered_us)} of it)`)).join(', ');
}
