import { HOUR_US } from '../coverage/types.js';
import { formatHourName } from '../store/hourName.js';

/** The part of a CoverageMap the page needs to place labels (no pixels). */
export interface MapGeometry {
  readonly width: number;
  readonly height: number;
  /** Start of the first hour shown (µs). */
  readonly origin: number;
  readonly hours: number;
}

export interface AxisLabel {
  /** CSS px from the left (hours, days) or top (minutes) of the drawn map. */
  readonly at: number;
  readonly size: number;
  readonly text: string;
  readonly title: string;
}

/**
 * Where the map is drawn and where its labels go. The PNG runs down each column then to
 * the next column; an hour is `width / hours` columns. It is drawn scaled by whole
 * numbers (crisp pixels) so an hour is wide enough to label when there are few hours.
 */
export interface MapLayout {
  readonly scaleX: number;
  readonly scaleY: number;
  /** Drawn size, CSS px. */
  readonly width: number;
  readonly height: number;
  readonly hourPx: number;
  /** One label per labelled hour, at the hour's left edge (`text` is the UTC hour). */
  readonly hourLabels: readonly AxisLabel[];
  /** One span per UTC day shown. */
  readonly dayLabels: readonly AxisLabel[];
  /** Offsets into a column, top to bottom. */
  readonly minuteTicks: readonly AxisLabel[];
  /** Seconds a column spans. */
  readonly columnSeconds: number;
}

const TARGET_WIDTH = 1200;
const TARGET_HOUR_PX = 96;
const TARGET_HEIGHT = 300;
const HOUR_STEPS = [1, 2, 3, 4, 6, 12, 24, 48, 168];
const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600];

/** Pure: the layout of a map of `g`'s geometry whose pixels are `pixelSeconds` long. */
export function mapLayout(g: MapGeometry, pixelSeconds: number): MapLayout {
  const colsPerHour = g.width / g.hours;
  const scaleX = Math.max(1, Math.min(Math.ceil(TARGET_HOUR_PX / colsPerHour), Math.floor(TARGET_WIDTH / g.width)));
  const scaleY = Math.max(1, Math.floor(TARGET_HEIGHT / g.height));
  const hourPx = colsPerHour * scaleX;
  const step = HOUR_STEPS.find((s) => s * hourPx >= 30) ?? HOUR_STEPS[HOUR_STEPS.length - 1];

  const hourLabels: AxisLabel[] = [];
  const dayLabels: AxisLabel[] = [];
  for (let i = 0; i < g.hours; i++) {
    const start = g.origin + i * HOUR_US;
    const hourOfDay = new Date(start / 1000).getUTCHours();
    const name = formatHourName(start);
    const sinceEpochHours = Math.round(start / HOUR_US);
    const labelled = step <= 24 ? hourOfDay % step === 0 : sinceEpochHours % step === 0;
    if (labelled) {
      hourLabels.push({ at: i * hourPx, size: hourPx, text: name.slice(11, 13), title: `${name.replace('T', ' ')}:00 UTC` });
    }
    const day = name.slice(0, 10);
    const last = dayLabels[dayLabels.length - 1];
    if (last !== undefined && last.title === day) {
      dayLabels[dayLabels.length - 1] = { ...last, size: last.size + hourPx };
    } else {
      dayLabels.push({ at: i * hourPx, size: hourPx, text: day, title: day });
    }
  }
  const withDayText = dayLabels.map((d) => ({
    ...d,
    text: d.size >= 84 ? d.title : d.size >= 44 ? d.title.slice(5) : '',
  }));

  const columnSeconds = g.height * pixelSeconds;
  const tickStep = TICK_STEPS_S.find((s) => columnSeconds / s <= 5) ?? columnSeconds;
  const minuteTicks: AxisLabel[] = [];
  for (let s = 0; s <= columnSeconds; s += tickStep) {
    const text = columnSeconds >= 120 ? `+${s / 60} min` : `+${s} s`;
    minuteTicks.push({ at: (s / pixelSeconds) * scaleY, size: 0, text, title: `${text} into the column` });
  }
  return {
    scaleX,
    scaleY,
    width: g.width * scaleX,
    height: g.height * scaleY,
    hourPx,
    hourLabels,
    dayLabels: withDayText,
    minuteTicks,
    columnSeconds,
  };
}
