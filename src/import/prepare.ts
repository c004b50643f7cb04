import { unlink, writeFile } from 'node:fs/promises';
import { ensureDir } from '../outputs/files/atomicWrite.js';
import path from 'node:path';
import { qualityDir } from '../store/layout.js';
import type { BoundaryRange } from './chunkPlan.js';
import { FrameGrid } from './frameGrid.js';
import type { ImportConfig } from './importConfig.js';
import { probeSource, type SourceInfo } from './probeSource.js';
import { runTool } from './exec.js';
import { errorMessage } from '../errorMessage.js';

/** A probed source, its frames as cut points, and the part of it the run covers. */
export interface PreparedSource {
  readonly source: SourceInfo;
  readonly grid: FrameGrid;
  /** The frames within --from/--to. */
  readonly limit: BoundaryRange;
  /** The same as source offsets, µs. */
  readonly rangeUs: { readonly from: number; readonly to: number };
  /** Set when the container promises more than the frames that are really there. */
  readonly truncation: string | null;
}

/** The run cannot start: a missing tool, an unreadable SOURCE, an unwritable store. */
export class ImportSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportSetupError';
  }
}

/** Checks that ffmpeg can start at all, so a missing one is one clear error up front. */
export async function checkFfmpeg(ffmpeg: string): Promise<void> {
  try {
    await runTool(ffmpeg, ['-hide_banner', '-version']);
  } catch (e) {
    throw new ImportSetupError(errorMessage(e));
  }
}

/** Probes SOURCE and resolves --from/--to to frame boundaries (nearest frame). */
export async function prepareSource(cfg: ImportConfig): Promise<PreparedSource> {
  let source: SourceInfo;
  try {
    source = await probeSource(cfg.ffprobe, cfg.source);
  } catch (e) {
    throw new ImportSetupError(errorMessage(e));
  }
  const grid = new FrameGrid(source.frames, source.frameUs);
  const framesEnd = grid.timeOf(grid.size);
  const first = cfg.fromUs === null ? 0 : grid.nearest(cfg.fromUs);
  const end = cfg.toUs === null ? grid.size : grid.nearest(cfg.toUs);
  if (end <= first) throw new ImportSetupError(`--from/--to select no frames (SOURCE frames run 0 to ${(framesEnd / 1e6).toFixed(3)} s)`);
  const wanted = cfg.toUs ?? source.durationUs;
  // A container that promises more than a second beyond its last frame lost its tail.
  const truncation =
    wanted > framesEnd + Math.max(1_000_000, 2 * source.frameUs)
      ? `SOURCE is truncated or damaged: frames end at ${(framesEnd / 1e6).toFixed(3)} s, ` +
        `but ${(wanted / 1e6).toFixed(3)} s were ${cfg.toUs === null ? 'announced by the container' : 'asked for'}`
      : null;
  return {
    source,
    grid,
    limit: { first, end },
    rangeUs: { from: grid.timeOf(first), to: grid.timeOf(end) },
    truncation,
  };
}

/** Makes sure new segments can be written: creates C/Q and writes (and removes) a hidden probe file. */
export async function checkStoreWritable(base: string, channel: string, quality: string): Promise<void> {
  const dir = qualityDir(base, channel, quality);
  const probe = path.join(dir, `.segcov-import-${process.pid}-probe`);
  try {
    await ensureDir(dir); // not mkdir({recursive}): it spins forever under /proc
    await writeFile(probe, '');
    await unlink(probe);
  } catch (e) {
    throw new ImportSetupError(`cannot write to the store at ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
