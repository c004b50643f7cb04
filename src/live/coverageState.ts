import type { QualityCoverage } from '../coverage/qualityCoverage.js';
import { pairKey } from '../store/pairKey.js';

/** The latest coverage of one channel and quality, as the outputs see it. */
export interface QualityStatus {
  readonly channel: string;
  readonly quality: string;
  readonly coverage: QualityCoverage;
  /** Wall-clock time (ms since epoch) of the update that produced `coverage`. */
  readonly updatedAt: number;
}

type Listener = (s: QualityStatus) => void;

/**
 * What the daemon currently knows, per channel and quality. Each update replaces one
 * entry whole, so a reader (HTTP handler, page, API) never sees half an update.
 */
export class CoverageState {
  private readonly entries = new Map<string, QualityStatus>();
  private readonly listeners = new Set<Listener>();
  private readyFlag = false;

  set(status: QualityStatus): void {
    this.entries.set(pairKey(status.channel, status.quality), status);
    for (const l of this.listeners) l(status);
  }

  get(channel: string, quality: string): QualityStatus | undefined {
    return this.entries.get(pairKey(channel, quality));
  }

  /** Every entry, ordered by channel then quality. */
  list(): QualityStatus[] {
    return [...this.entries.values()].sort((a, b) => (a.channel === b.channel ? cmp(a.quality, b.quality) : cmp(a.channel, b.channel)));
  }

  /** True once every channel and quality has finished its first full pass. */
  get ready(): boolean {
    return this.readyFlag;
  }

  markReady(): void {
    this.readyFlag = true;
  }

  onUpdate(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
