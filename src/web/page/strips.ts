import { HOUR_US } from '../../coverage/types.js';
import { displayUtc, formatPercent } from '../format.js';
import type { FleetNodeRow, FleetQuality, Pair } from '../pageData.js';
import type { Card } from './card.js';
import { el } from './dom.js';
import { legend } from './legend.js';
import type { PageState } from './pageState.js';

/**
 * The fleet strips of a card: one row per node and one for the fleet on the shared time
 * axis, drawn on a canvas, with the node names beside it. Hovering says what each node
 * holds at that second; a click picks an hour and compares the nodes over it.
 */

const MIN_HOUR_PX = 48;
/** Browsers refuse wider canvases. */
const MAX_W = 16000;
const ROW_H = 18;
const ROW_GAP = 4;
/** Room for the date and hour labels above the rows. */
const TOP = 30;
const COLORS = {
  blue: '#1f77b4',
  orange: '#ff7f0e',
  hole: '#ffffff',
  future: '#c4cad1',
  down: '#eaeef2',
  grid: 'rgba(0,0,0,.18)',
  day: 'rgba(0,0,0,.55)',
  text: '#57606a',
  sel: '#8250df',
} as const;

type StripRow = Pick<FleetNodeRow, 'node' | 'self' | 'state' | 'error' | 'covered' | 'partial'> & { readonly fleet?: true };

/** The nodes' rows, then the fleet's (covered where any node covers), which a node without peers leaves out. */
function stripRows(q: FleetQuality, hasPeers: boolean): StripRow[] {
  if (!hasPeers) return [...q.nodes];
  return [...q.nodes, { node: 'fleet', self: false, state: 'up', error: null, covered: q.fleet.covered, partial: [], fleet: true }];
}

/** The strips' caption, rewritten only when the node gains or loses its peers. */
function writeCaption(u: Card, hasPeers: boolean): void {
  if (u.captionPeers === hasPeers) return;
  u.captionPeers = hasPeers;
  u.caption.textContent = '';
  u.caption.append(
    hasPeers
      ? 'One strip per node on one time axis (UTC), and the fleet: covered where any node covers. Click an hour to compare. '
      : "This node's coverage on a time axis (UTC). Click an hour for its share. ",
    legend(hasPeers),
  );
}

/** µs of [a, b) that `spans` cover. */
function overlap(spans: readonly Pair[], a: number, b: number): number {
  let s = 0;
  for (const [p0, p1] of spans) {
    const x = Math.max(p0, a);
    const y = Math.min(p1, b);
    if (y > x) s += y - x;
  }
  return s;
}

function rowState(n: StripRow): string {
  if (n.state === 'up') return n.self ? 'this node' : 'up';
  if (n.state === 'down') return `down${n.error !== null && n.error !== '' ? `: ${n.error}` : ''}`;
  if (n.state === 'absent') return 'does not record this';
  return 'waiting';
}

const hourText = (us: number): string => `${displayUtc(us).slice(0, 13)}:00`;

/** Draws the card's strips from `u.q` (hidden without a time axis), and the picked hour's comparison. */
export function draw(s: PageState, u: Card): void {
  const q = u.q;
  const c = u.canvas;
  u.fleet.hidden = q === null || q.axis === null;
  if (q === null || q.axis === null) {
    c.width = 0;
    c.height = 0;
    c.style.width = '0';
    u.labels.textContent = '';
    u.selText.textContent = '';
    return;
  }
  const [A, B] = q.axis;
  const n = Math.round((B - A) / HOUR_US);
  // 48 px an hour, wider when there are so few hours that the first date label (80 px) would
  // not fit, narrower when a long window would pass the browsers' canvas size limit.
  u.hourPx = n * MIN_HOUR_PX > MAX_W ? Math.max(MAX_W / n, 0.25) : Math.max(MIN_HOUR_PX, Math.ceil(80 / n));
  const hourPx = u.hourPx;
  const W = n * hourPx;
  c.setAttribute('data-hour-px', String(hourPx));
  writeCaption(u, s.hasPeers);
  const rows = stripRows(q, s.hasPeers);
  const H = TOP + rows.length * (ROW_H + ROW_GAP);
  c.setAttribute(
    'aria-label',
    `Coverage of ${q.channel} ${q.quality} ${s.hasPeers ? 'per node and for the fleet' : 'on this node'}, ${hourText(A)} to ${hourText(B)} UTC; the holes list below says the same in words`,
  );
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(W * dpr);
  c.height = Math.round(H * dpr);
  c.style.width = `${W}px`;
  c.style.height = `${H}px`;
  const g = c.getContext('2d');
  if (g === null) return;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  const x = (t: number): number => ((t - A) / HOUR_US) * hourPx;
  const now = s.serverNow();
  const nx = Math.max(0, Math.min(W, x(now)));
  // labels: dates (the first one always whole, later ones pushed right of it), hours
  g.font = '11px system-ui,sans-serif';
  g.textBaseline = 'top';
  g.fillStyle = COLORS.text;
  let minX = 0;
  const labelEvery = [1, 2, 3, 4, 6, 12, 24].find((k) => k * hourPx >= 24) ?? 24;
  for (let i = 0; i < n; i++) {
    const d = new Date((A + i * HOUR_US) / 1000);
    const hx = i * hourPx;
    if (i === 0 || d.getUTCHours() === 0) {
      const txt = d.toISOString().slice(0, 10);
      const lx = Math.max(hx + 2, minX);
      g.fillText(txt, lx, 1);
      minX = lx + g.measureText(txt).width + 8;
    }
    if (d.getUTCHours() % labelEvery === 0) g.fillText(String(d.getUTCHours()).padStart(2, '0'), hx + 2, 15);
  }
  u.labels.textContent = '';
  rows.forEach((r, ri) => {
    const y = TOP + ri * (ROW_H + ROW_GAP);
    const live = r.state === 'up';
    u.labels.appendChild(
      el(
        'div',
        {
          cls: `striplabel${r.fleet ? ' fleetrow' : ''}${live ? '' : ` ${r.state}`}`,
          title: `${r.node} – ${r.fleet ? 'covered where any node covers' : rowState(r)}`,
        },
        [
          el('span', { cls: 'name', text: r.node }),
          el('span', {
            cls: 'st',
            text: r.fleet ? 'any node' : r.state === 'up' ? rowState(r) : r.state === 'absent' ? 'not here' : r.state,
          }),
        ],
      ),
    );
    if (!live) {
      g.fillStyle = COLORS.down;
      g.fillRect(0, y, W, ROW_H);
      g.fillStyle = COLORS.text;
      g.fillText(`${r.node}: ${rowState(r)}`, 4, y + 3);
      return;
    }
    g.fillStyle = COLORS.hole;
    g.fillRect(0, y, nx, ROW_H);
    const spans = (color: string, ps: readonly Pair[]): void => {
      g.fillStyle = color;
      for (const [p0, p1] of ps) g.fillRect(x(p0), y, Math.max(1, x(p1) - x(p0)), ROW_H);
    };
    spans(COLORS.blue, r.covered);
    spans(COLORS.orange, r.partial);
    g.fillStyle = COLORS.future;
    g.fillRect(nx, y, W - nx, ROW_H);
    g.strokeStyle = '#8c959f';
    g.lineWidth = 1;
    g.strokeRect(0.5, y + 0.5, W - 1, ROW_H - 1);
  });
  for (let j = 1; j < n; j++) {
    const h = new Date((A + j * HOUR_US) / 1000).getUTCHours();
    if (h % labelEvery !== 0) continue;
    g.fillStyle = h === 0 ? COLORS.day : COLORS.grid;
    g.fillRect(j * hourPx, TOP - 4, 1, H - TOP + 4);
  }
  const sel = u.sel;
  if (sel !== null && sel >= A && sel < B) {
    g.strokeStyle = COLORS.sel;
    g.lineWidth = 2;
    g.strokeRect(x(sel) + 1, TOP - 3, hourPx - 2, H - TOP + 2);
    const end = Math.min(sel + HOUR_US, now);
    const len = Math.max(0, end - sel);
    u.selText.textContent = `Hour ${hourText(sel)} UTC: ${rows
      .map(
        (r) =>
          `${r.node} ${r.state !== 'up' ? rowState(r) : len > 0 ? formatPercent((overlap(r.covered, sel, end) / len) * 100) : 'not yet'}`,
      )
      .join(' · ')}`;
  } else {
    u.selText.textContent = '';
  }
}

/** The strips' pointer: a hover title per second, a click to pick (or drop) an hour. */
export function listenStrips(s: PageState, u: Card): void {
  u.canvas.addEventListener('mousemove', (ev) => {
    const q = u.q;
    if (q === null || q.axis === null) return;
    const t = q.axis[0] + Math.floor((ev.offsetX / u.hourPx) * 3600) * 1e6;
    const future = t > s.serverNow();
    u.canvas.title = `${displayUtc(t)} UTC\n${stripRows(q, s.hasPeers)
      .map(
        (r) =>
          `${r.node}: ${future ? 'not yet' : r.state !== 'up' ? rowState(r) : overlap(r.covered, t, t + 1e6) > 0 ? 'recorded' : 'nothing'}`,
      )
      .join('\n')}`;
  });
  u.canvas.addEventListener('click', (ev) => {
    const q = u.q;
    if (q === null || q.axis === null) return;
    const h = q.axis[0] + Math.floor(ev.offsetX / u.hourPx) * HOUR_US;
    u.sel = u.sel === h ? null : h;
    draw(s, u);
  });
}
