import { coverageWindowHoles } from '../coverage/coverageWindow.js';
import type { CoverageState } from '../live/coverageState.js';
import type { Logger } from '../log.js';
import { isoUtc } from '../web/format.js';
import { pairKey } from '../store/pairKey.js';

/**
 * Says out loud, once per channel and quality, that its window holds none of what is
 * recorded (wubloader's compose passes placeholder `--first-hour`/`--last-hour` of
 * 1969-12-31 to 1970-01-07: every figure of the window is then about a week with nothing
 * in it). Looked at after each full pass, not on each live update: the window and what is
 * recorded move slowly, and a pass is where a new window first shows. Said again only
 * after the window held some of the recording in between.
 */
export class WindowMissWarnings {
  private readonly warned = new Set<string>();

  constructor(
    private readonly state: CoverageState,
    private readonly log: Logger,
    private readonly nowUs: () => number = () => Date.now() * 1000,
  ) {}

  check(channel: string, quality: string): void {
    const status = this.state.get(channel, quality);
    if (status === undefined) return;
    const key = pairKey(channel, quality);
    const { bounds } = status.coverage;
    // without --first-hour/--last-hour the window starts at the first segment: it holds the recording
    const r = bounds.start === undefined && bounds.end === undefined ? null : coverageWindowHoles(status.coverage, this.nowUs());
    if (r === null || !r.nothingRecorded || r.recorded === null) {
      this.warned.delete(key);
      return;
    }
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(
      {
        channel,
        quality,
        window: r.window === null ? null : { start: isoUtc(r.window.start), end: isoUtc(r.window.end) },
        recorded: { start: isoUtc(r.recorded.start), end: isoUtc(r.recorded.end) },
      },
      'the window (--first-hour/--last-hour) holds none of the recording: its figures and state are about a span with nothing in it',
    );
  }
}
