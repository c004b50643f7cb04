import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseHourName } from './hourName.js';
import { errorText, problemOf, type ProblemSink } from './problems.js';

export interface HourFolder {
  readonly name: string;
  readonly start: number;
}

export interface HourWindow {
  /** First hour start (µs) to read, inclusive. */
  readonly firstHour?: number;
  /** Last hour start (µs) to read, inclusive. */
  readonly lastHour?: number;
}

export function inWindow(start: number, w: HourWindow): boolean {
  return (w.firstHour === undefined || start >= w.firstHour) && (w.lastHour === undefined || start <= w.lastHour);
}

/**
 * The hour folders of `BASE/CHANNEL/QUALITY` inside the window, sorted by time. Names that
 * are not hours (or hidden) are reported as skipped; an hour name that is not a folder is
 * reported too. A missing quality folder yields no hours (reported as missing_base).
 */
export async function listHourFolders(dir: string, window: HourWindow, report: ProblemSink): Promise<HourFolder[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const kind = problemOf(err);
    report(kind === 'vanished' ? 'missing_base' : kind, dir, `cannot list quality folder: ${errorText(err)}`);
    return [];
  }
  const hours: HourFolder[] = [];
  for (const e of entries) {
    const start = e.name.startsWith('.') ? null : parseHourName(e.name);
    if (start === null) {
      if (e.isDirectory()) report('skipped_folder', path.join(dir, e.name), 'not an hour folder');
      continue;
    }
    if (!inWindow(start, window)) continue;
    if (!e.isDirectory()) {
      if (!e.isSymbolicLink() || !(await isDirectory(path.join(dir, e.name), report))) {
        if (!e.isSymbolicLink()) report('not_a_folder', path.join(dir, e.name), 'hour name is not a folder');
        continue;
      }
    }
    hours.push({ name: e.name, start });
  }
  return hours.sort((a, b) => a.start - b.start);
}

async function isDirectory(p: string, report: ProblemSink): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (err) {
    report(problemOf(err), p, `cannot follow link: ${errorText(err)}`);
    return false;
  }
}
