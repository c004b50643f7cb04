import { writeFileAtomic } from '../outputs/files/atomicWrite.js';
import type { ChunkRecord, PipelineResult } from './chunkPipeline.js';
import { formatIsoMicros } from '../time/isoTime.js';

export interface ManifestSegment {
  readonly sequence: number;
  readonly status: ChunkRecord['status'];
  readonly file: string | null;
  readonly start: string;
  /** Seconds. */
  readonly duration: number;
  readonly hash: string | null;
  readonly tries: number;
  readonly error: string | null;
}

/** The JSON record of one chunk/fill run; written even when the run failed part-way. */
export interface Manifest {
  readonly command: 'chunk' | 'fill';
  readonly source: string;
  /** Seconds, as the container states it; null when SOURCE could not be probed. */
  readonly sourceDuration: number | null;
  readonly channel: string;
  readonly quality: string;
  readonly baseDir: string;
  readonly startAt: string;
  /** Offsets into SOURCE, seconds (for fill: the span searched for holes). */
  readonly range: { readonly from: number; readonly to: number } | null;
  readonly chunkDuration: number;
  readonly totals: {
    readonly planned: number;
    readonly processed: number;
    readonly landed: number;
    readonly existing: number;
    readonly failed: number;
  };
  readonly elapsedSeconds: number;
  /** Media seconds landed per wall second. */
  readonly throughput: number;
  /** What stopped the run (missing ffmpeg, unreadable SOURCE, unwritable store), or null. */
  readonly error: string | null;
  readonly segments: readonly ManifestSegment[];
}

export interface ManifestHead {
  readonly command: Manifest['command'];
  readonly source: string;
  readonly sourceDurationUs: number | null;
  readonly channel: string;
  readonly quality: string;
  readonly baseDir: string;
  readonly startAtUs: number;
  readonly rangeUs: { readonly from: number; readonly to: number } | null;
  readonly chunkUs: number;
}

export function buildManifest(head: ManifestHead, result: PipelineResult | null, error: string | null): Manifest {
  const records = result?.records ?? [];
  const count = (s: ChunkRecord['status']): number => records.filter((r) => r.status === s).length;
  const elapsed = (result?.elapsedMs ?? 0) / 1000;
  return {
    command: head.command,
    source: head.source,
    sourceDuration: head.sourceDurationUs === null ? null : head.sourceDurationUs / 1e6,
    channel: head.channel,
    quality: head.quality,
    baseDir: head.baseDir,
    startAt: formatIsoMicros(head.startAtUs),
    range: head.rangeUs === null ? null : { from: head.rangeUs.from / 1e6, to: head.rangeUs.to / 1e6 },
    chunkDuration: head.chunkUs / 1e6,
    totals: {
      planned: result?.planned ?? 0,
      processed: records.length,
      landed: count('landed'),
      existing: count('exists'),
      failed: count('failed'),
    },
    elapsedSeconds: elapsed,
    throughput: elapsed > 0 ? Number(((result?.mediaUs ?? 0) / 1e6 / elapsed).toFixed(3)) : 0,
    error: error ?? result?.fatal ?? result?.producerError ?? null,
    segments: records.map((r) => ({
      sequence: r.sequence,
      status: r.status,
      file: r.file,
      start: formatIsoMicros(r.startUs),
      duration: r.durationUs / 1e6,
      hash: r.hash,
      tries: r.tries,
      error: r.error,
    })),
  };
}

/**
 * Writes the manifest to a temporary name beside FILE and renames it over FILE; a
 * character device or FIFO (`--manifest /dev/stdout`) is written in place, and anything
 * else that is not a regular file is refused, never replaced.
 */
export async function writeManifest(file: string, m: Manifest): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(m, null, 2)}\n`, { inPlace: true, followSymlinks: true });
}
