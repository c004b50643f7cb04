import { availableParallelism } from 'node:os';
import type { Options } from 'yargs';
import { UsageError } from '../config/usageError.js';
import { parseIsoMicros, parseOffsetText } from '../time/isoTime.js';
import { parseStages, type Stage } from './stages.js';

/** Everything `chunk` and `fill` need, validated. */
export interface ImportConfig {
  readonly source: string;
  readonly channel: string;
  readonly quality: string;
  readonly base: string;
  readonly startAtUs: number;
  readonly chunkUs: number;
  readonly workers: number;
  readonly retries: number;
  readonly queueSize: number;
  readonly fromUs: number | null;
  readonly toUs: number | null;
  readonly stages: readonly Stage[];
  readonly manifest: string | null;
  readonly preset: string;
  readonly crf: number;
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly retryDelayMs: number;
  readonly logLevel: string;
  readonly dryRun: boolean;
}

const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Flags shared by the commands that read or write the store. */
export const STORE_OPTIONS = {
  channel: { type: 'string', demandOption: true, describe: 'Channel folder' },
  quality: { type: 'string', demandOption: true, describe: 'Quality folder' },
  'base-dir': { type: 'string', demandOption: true, describe: 'Store root' },
  workers: { type: 'number', describe: 'Workers running at once (default: CPU cores)' },
  'log-level': { type: 'string', default: 'info', describe: `Log level (${LEVELS.join(', ')})` },
  ffmpeg: { type: 'string', default: 'ffmpeg', hidden: true, describe: 'ffmpeg binary' },
  ffprobe: { type: 'string', default: 'ffprobe', hidden: true, describe: 'ffprobe binary' },
} as const satisfies Record<string, Options>;

/** Flags of `chunk` and `fill`. */
export const IMPORT_OPTIONS = {
  ...STORE_OPTIONS,
  'start-at': {
    type: 'string',
    demandOption: true,
    describe: 'Wall-clock time (ISO-8601, UTC unless an offset is given) of SOURCE offset 0',
  },
  'chunk-duration': { type: 'number', default: 2, describe: 'Segment length, seconds' },
  retries: { type: 'number', default: 3, describe: 'Extra tries for a chunk that fails' },
  'queue-size': { type: 'number', default: 10, describe: 'Chunks planned ahead of the workers' },
  from: { type: 'string', describe: 'Offset into SOURCE to start at (seconds or HH:MM:SS.fff)' },
  to: { type: 'string', describe: 'Offset into SOURCE to stop at' },
  processor: { type: 'string', default: 'cut,checksum', describe: 'Stages per chunk: cut,checksum[,decode]' },
  manifest: { type: 'string', describe: 'Write a JSON manifest of the run here' },
  preset: { type: 'string', default: 'veryfast', describe: 'x264 preset for the re-encode' },
  crf: { type: 'number', default: 20, describe: 'x264 quality (lower is better)' },
  'retry-delay': { type: 'number', default: 500, hidden: true, describe: 'First retry backoff, ms' },
} as const satisfies Record<string, Options>;

/** Validates parsed flags; every problem is a UsageError naming the flag. */
export function resolveImportConfig(argv: Record<string, unknown>): ImportConfig {
  const startAt = str(argv, 'start-at');
  let startAtUs: number;
  try {
    startAtUs = parseIsoMicros(startAt);
  } catch (e) {
    throw new UsageError(`--start-at: ${(e as Error).message}`);
  }
  const chunk = num(argv, 'chunk-duration');
  if (!Number.isFinite(chunk) || chunk < 0.1 || chunk > 3600) throw new UsageError('--chunk-duration: want seconds between 0.1 and 3600');
  const fromUs = offset(argv, 'from');
  const toUs = offset(argv, 'to');
  if (fromUs !== null && toUs !== null && toUs <= fromUs) throw new UsageError('--to: must be after --from');
  const stages = parseStages(str(argv, 'processor'), true);
  if (typeof stages === 'string') throw new UsageError(`--processor: ${stages}`);
  const preset = str(argv, 'preset');
  if (!PRESETS.includes(preset)) throw new UsageError(`--preset: want one of ${PRESETS.join(', ')}`);
  const crf = num(argv, 'crf');
  if (!Number.isFinite(crf) || crf < 0 || crf > 51) throw new UsageError('--crf: want 0 to 51');
  const common = resolveStoreConfig(argv);
  return {
    ...common,
    source: str(argv, 'source'),
    startAtUs,
    chunkUs: Math.round(chunk * 1e6),
    retries: intAtLeast(argv, 'retries', 0),
    queueSize: intAtLeast(argv, 'queue-size', 1),
    fromUs,
    toUs,
    stages,
    manifest: typeof argv.manifest === 'string' ? argv.manifest : null,
    preset,
    crf,
    retryDelayMs: intAtLeast(argv, 'retry-delay', 0),
    dryRun: argv['dry-run'] === true,
  };
}

export interface StoreConfig {
  readonly channel: string;
  readonly quality: string;
  readonly base: string;
  readonly workers: number;
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly logLevel: string;
}

export function resolveStoreConfig(argv: Record<string, unknown>): StoreConfig {
  const logLevel = str(argv, 'log-level');
  if (!LEVELS.includes(logLevel)) throw new UsageError(`--log-level: want one of ${LEVELS.join(', ')}`);
  for (const k of ['channel', 'quality'] as const) {
    const v = str(argv, k);
    if (v === '' || v.includes('/') || v.startsWith('.')) throw new UsageError(`--${k}: "${v}" is not a folder name`);
  }
  return {
    channel: str(argv, 'channel'),
    quality: str(argv, 'quality'),
    base: str(argv, 'base-dir'),
    workers: argv.workers === undefined ? availableParallelism() : intAtLeast(argv, 'workers', 1),
    ffmpeg: str(argv, 'ffmpeg'),
    ffprobe: str(argv, 'ffprobe'),
    logLevel,
  };
}

function str(argv: Record<string, unknown>, key: string): string {
  const v = argv[key];
  if (typeof v !== 'string') throw new UsageError(`--${key}: missing`);
  return v;
}

function num(argv: Record<string, unknown>, key: string): number {
  const v = argv[key];
  return typeof v === 'number' ? v : Number.NaN;
}

function intAtLeast(argv: Record<string, unknown>, key: string, min: number): number {
  const v = num(argv, key);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${key}: want a whole number ≥ ${min}`);
  return v;
}

function offset(argv: Record<string, unknown>, key: string): number | null {
  const v = argv[key];
  if (v === undefined) return null;
  const us = parseOffsetText(String(v));
  if (us === null) throw new UsageError(`--${key}: "${String(v)}" is not an offset (seconds or HH:MM:SS.fff)`);
  return us;
}
