import type { FleetQuality, PageData } from '../pageData.js';

/** The data the page draws (the embedded copy, then each live event's), and when it came. */
export class PageState {
  data: PageData;
  /** The browser's clock when `data` came, ms. */
  receivedAt: number;

  constructor(data: PageData) {
    this.data = data;
    this.receivedAt = Date.now();
  }

  replace(data: PageData): void {
    this.data = data;
    this.receivedAt = Date.now();
  }

  /** The daemon's "now": its clock when it sent the data plus the time since (a snapshot stays at its time). */
  serverNow(): number {
    return this.data.static ? this.data.generated_at : this.data.generated_at + (Date.now() - this.receivedAt) * 1000;
  }

  /** No segment, or the newest one ended longer ago than the daemon calls stale. */
  isStale(q: FleetQuality): boolean {
    return q.newest_end === null || this.serverNow() - q.newest_end > this.data.stale_after_us;
  }

  get hasPeers(): boolean {
    return this.data.peers.length > 0;
  }
}
