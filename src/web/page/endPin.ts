/**
 * Keeps a sideways scroll box (strips, map) at its newest, right-hand end: on first draw,
 * after a redraw, and whenever the box is resized (a card added beside it narrows it, a
 * hidden box is shown, the window is resized). Once the reader scrolls away from the end
 * it stays where they put it, through live updates too, until they scroll back to the end.
 */
export class EndPin {
  private box: HTMLElement | null = null;
  /** Follows the end until the reader scrolls elsewhere. */
  private pinned = true;
  /** The scrollLeft this pin set last: a box that shows another one was moved by the reader. */
  private lastSet = 0;
  private readonly resized = new ResizeObserver(() => this.settle());
  private readonly onScroll = (): void => this.readReader();

  /** Follows `box` from now on (a map's box is replaced when its layout changes); what the reader chose carries over. */
  attach(box: HTMLElement): void {
    if (this.box === box) return;
    this.readReader();
    if (this.box !== null) {
      this.resized.unobserve(this.box);
      this.box.removeEventListener('scroll', this.onScroll);
    }
    this.box = box;
    this.lastSet = box.scrollLeft;
    box.addEventListener('scroll', this.onScroll, { passive: true });
    this.resized.observe(box);
  }

  /** Puts the box at `left` (where the reader had an old box), unless it follows the end. */
  keep(left: number): void {
    if (this.box === null || this.pinned) return;
    this.box.scrollLeft = left;
    this.lastSet = this.box.scrollLeft;
  }

  /** Moves the box to its end if it follows it: call after anything that may change its width. */
  settle(): void {
    this.readReader();
    if (this.box === null || !this.pinned) return;
    this.box.scrollLeft = this.box.scrollWidth;
    this.lastSet = this.box.scrollLeft;
  }

  /** A scroll this pin did not make is the reader's: it follows the end only if they left it there. */
  private readReader(): void {
    const b = this.box;
    if (b === null || Math.abs(b.scrollLeft - this.lastSet) <= 1) return;
    this.pinned = b.scrollLeft + b.clientWidth >= b.scrollWidth - 2;
    this.lastSet = b.scrollLeft;
  }
}
