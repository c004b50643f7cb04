/**
 * The frames of a source as cut points. A *boundary* b (0 ≤ b ≤ n) is the place just
 * before frame b (b = n: after the last frame); a chunk is the frames between two
 * boundaries. Cutting *between* frames — at the midpoint of two presentation times —
 * means no frame ever sits on a cut, so consecutive chunks share their boundary frame-
 * exactly and join without gap or overlap, whatever rounding ffmpeg applies.
 */
/** Frames further apart than this many typical frame lengths mark a gap in the source. */
const GAP_FACTOR = 2.5;

export class FrameGrid {
  /** Boundaries b where frame b follows a gap in the source (a damaged or dropped stretch). */
  private readonly gaps: number[] = [];

  constructor(
    /** Sorted, distinct frame times (µs offsets into the source). */
    readonly frames: readonly number[],
    /** Length of the last frame. */
    readonly frameUs: number,
  ) {
    if (frames.length === 0) throw new Error('a frame grid needs at least one frame');
    for (let b = 1; b < frames.length; b++) {
      if (frames[b] - frames[b - 1] > GAP_FACTOR * frameUs) this.gaps.push(b);
    }
  }

  /**
   * The first boundary after b that follows a gap, or n. No chunk may span a gap: its
   * measured duration (first frame to last frame's end) would then claim time the
   * source does not hold.
   */
  nextGapAfter(b: number): number {
    for (const g of this.gaps) if (g > b) return g;
    return this.frames.length;
  }

  get size(): number {
    return this.frames.length;
  }

  /** The time of boundary b: the start of frame b, or the end of the last frame. */
  timeOf(b: number): number {
    return b < this.frames.length ? this.frames[b] : this.frames[this.frames.length - 1] + this.frameUs;
  }

  /** Where ffmpeg must cut for boundary b (a source offset), or null for the very start/end. */
  cutPoint(b: number): number | null {
    if (b <= 0 || b >= this.frames.length) return null;
    return Math.floor((this.frames[b - 1] + this.frames[b]) / 2);
  }

  /** The boundary whose time is nearest to t. */
  nearest(t: number): number {
    const b = this.atOrAfter(t);
    if (b > 0 && t - this.timeOf(b - 1) <= this.timeOf(b) - t) return b - 1;
    return b;
  }

  /** The last boundary at or before t (0 when t precedes everything). */
  atOrBefore(t: number): number {
    let lo = 0;
    let hi = this.frames.length; // invariant: answer in [lo, hi]
    if (this.timeOf(0) > t) return 0;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.timeOf(mid) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first boundary at or after t (n when t is past the last frame's end). */
  atOrAfter(t: number): number {
    let lo = 0;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.timeOf(mid) >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
