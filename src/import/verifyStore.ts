import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HOUR_US } from '../coverage/types.js';
import type { Logger } from '../log.js';
import { ProgressBar } from '../terminal/progressBar.js';
import { runOrderedPool } from '../pipeline/orderedPool.js';
import { hourDir, qualityDir } from '../store/layout.js';
import { listHourFolders } from '../store/listHours.js';
import { selectSegmentNames } from '../store/listHour.js';
import { parseSegmentName } from '../store/segmentName.js';
import { decodeProblem } from './decodeCheck.js';
import { hashFile } from './hashFile.js';
import type { Stage } from './stages.js';
import { errorMessage } from '../errorMessage.js';

export interface VerifyOptions {
  readonly base: string;
  readonly channel: string;
  readonly quality: string;
  /** Only segments ending after this instant (µs); null: all. */
  readonly sinceUs: number | null;
  /** `checksum` and/or `decode`. */
  readonly stages: readonly Stage[];
  readonly workers: number;
  readonly ffmpeg: string;
  readonly logger: Logger;
  readonly progressBar: boolean;
}

/** A stored segment to check. */
interface StoredSegment {
  /** Relative to BASE. */
  readonly rel: string;
  readonly hash: string;
}

export interface VerifyFinding {
  readonly file: string;
  readonly problem: string;
}

export interface VerifyResult {
  readonly checked: number;
  readonly findings: VerifyFinding[];
  readonly elapsedMs: number;
}

/**
 * Re-checks segments already in the store with the import's stages minus `cut`: the
 * SHA-256 of the bytes against the hash in the name, and optionally a full decode.
 * Read-only. `temp` segments are skipped (their hash is free text).
 */
export async function verifyStore(o: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const segments = await listSegments(o);
  const findings: VerifyFinding[] = [];
  const bar = new ProgressBar({ total: segments.length, label: 'verify' });
  let done = 0;
  o.logger.info({ event: 'pipeline_start', segments: segments.length, workers: o.workers, stages: o.stages }, 'verify start');
  await runOrderedPool<StoredSegment, string[]>({
    items: segments,
    concurrency: o.workers,
    queueSize: o.workers * 2,
    work: (s) => checkSegment(o, s),
    collect: (problems, s) => {
      done++;
      for (const p of problems) {
        findings.push({ file: s.rel, problem: p });
        o.logger.warn({ event: 'segment_bad', file: s.rel, problem: p }, 'segment fails verification');
      }
      if (o.progressBar) bar.update(done, `${findings.length} bad`);
    },
  });
  if (o.progressBar) bar.finish();
  const elapsedMs = Date.now() - started;
  o.logger.info(
    { event: 'pipeline_complete', processed: done, failed: findings.length, elapsedSeconds: elapsedMs / 1000 },
    'verify complete',
  );
  return { checked: segments.length, findings, elapsedMs };
}

async function checkSegment(o: VerifyOptions, s: StoredSegment): Promise<string[]> {
  const file = path.join(o.base, s.rel);
  const problems: string[] = [];
  for (const stage of o.stages) {
    try {
      if (stage === 'checksum') {
        const actual = await hashFile(file);
        if (actual !== s.hash) problems.push(`hash mismatch: content is ${actual}`);
      } else if (stage === 'decode') {
        const p = await decodeProblem(o.ffmpeg, file);
        if (p !== null) problems.push(p);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return []; // deleted while we looked: not corruption
      problems.push(`cannot read: ${code ?? errorMessage(e)}`);
      break;
    }
  }
  return problems;
}

/** The listed, parseable, non-temp segments of the channel/quality, in time order. */
async function listSegments(o: VerifyOptions): Promise<StoredSegment[]> {
  const report = (kind: string, p: string, detail: string): void => o.logger.warn({ event: 'store_problem', kind, path: p }, detail);
  const window = o.sinceUs === null ? {} : { firstHour: Math.floor(o.sinceUs / HOUR_US) * HOUR_US - HOUR_US };
  const hours = await listHourFolders(qualityDir(o.base, o.channel, o.quality), window, report);
  const out: StoredSegment[] = [];
  for (const h of hours) {
    let names: string[];
    try {
      names = await readdir(hourDir(o.base, o.channel, o.quality, h.name));
    } catch (e) {
      report('unreadable', h.name, (e as NodeJS.ErrnoException).code ?? String(e));
      continue;
    }
    for (const n of selectSegmentNames(names).sort()) {
      const p = parseSegmentName(n, h.start);
      if (!p.ok || p.segment.type === 'temp') continue;
      if (o.sinceUs !== null && p.segment.start + p.segment.duration <= o.sinceUs) continue;
      out.push({ rel: path.join(o.channel, o.quality, h.name, n), hash: p.segment.hash });
    }
  }
  return out;
}
