/**
 * A one-line progress bar for interactive terminals: drawn only when the stream is a
 * TTY (never in logs, pipes or CI), redrawn at most every 100 ms.
 */
export interface ProgressOptions {
  readonly total: number;
  readonly label: string;
  readonly stream?: NodeJS.WriteStream;
  /** Draw only if the work is still running after this many ms (default 0). */
  readonly delayMs?: number;
  readonly now?: () => number;
}

export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly started: number;
  private readonly now: () => number;
  private lastDraw = 0;
  private drawn = false;
  private done = 0;
  private extra = '';

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.now = opts.now ?? Date.now;
    this.started = this.now();
  }

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Records progress; `extra` is shown after the counts (e.g. "12.3 media s/s"). */
  update(done: number, extra = ''): void {
    this.done = done;
    this.extra = extra;
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.started < (this.opts.delayMs ?? 0) || t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.stream.write(`\r${this.render(t)}\u001b[K`);
    this.drawn = true;
  }

  /** Clears the bar line (if one was drawn). */
  finish(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }

  /** The bar text at time `t` (ms). Exposed for tests. */
  render(t: number): string {
    const total = Math.max(this.opts.total, 1);
    const frac = Math.min(1, this.done / total);
    const width = 30;
    const fill = Math.round(frac * width);
    const elapsed = (t - this.started) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.opts.total - this.done) : NaN;
    const etaText = Number.isFinite(eta) ? `ETA ${formatSeconds(eta)}` : 'ETA --';
    const tail = this.extra ? ` ${this.extra}` : '';
    return `${this.opts.label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${this.done}/${this.opts.total} ${(frac * 100).toFixed(0)}% ${etaText}${tail}`;
  }
}

export function formatSeconds(s: number): string {
  const v = Math.max(0, Math.round(s));
  const h = Math.floor(v / 3600);
  const m = Math.floor((v % 3600) / 60);
  const sec = v % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
