import { createRequire } from 'node:module';
import path from 'node:path';
import type { CoverageMap } from '../coverage/mapPixels.js';
import { mapFileName } from '../store/layout.js';
import { removeFile, writeFileAtomic } from './atomicWrite.js';

/** SPEC §5 colours by pixel class: blue, orange, white. */
const RGB: readonly (readonly [number, number, number])[] = [
  [0x1f, 0x77, 0xb4],
  [0xff, 0x7f, 0x0e],
  [0xff, 0xff, 0xff],
];

/** Lays the time-ordered pixels out as an RGB image: down each column, then right. */
export function mapToRgb(map: CoverageMap): Buffer {
  const { width, height, pixels } = map;
  const rgb = Buffer.alloc(width * height * 3);
  // row by row: the writes run in order (reading down the columns' bytes is the cheaper stride)
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, p = y; x < width; x++, p += height, o += 3) {
      const c = RGB[pixels[p]];
      rgb[o] = c[0];
      rgb[o + 1] = c[1];
      rgb[o + 2] = c[2];
    }
  }
  return rgb;
}

/** Writes image column `x` of the map into `rgb`. */
function paintRgbColumn(rgb: Buffer, map: CoverageMap, x: number): void {
  const { width, height, pixels } = map;
  for (let y = 0, p = x * height, o = x * 3; y < height; y++, p++, o += width * 3) {
    const c = RGB[pixels[p]];
    rgb[o] = c[0];
    rgb[o + 1] = c[1];
    rgb[o + 2] = c[2];
  }
}

/** Image columns compared at once when looking for what changed. */
const RASTER_BLOCK = 64;

/**
 * The RGB image of one channel and quality's map, kept between draws: a redraw lays out
 * again only the image columns whose pixels changed since the last draw (a live update
 * changes a few), so drawing costs the change plus the PNG encode, not the whole map.
 */
export class MapRaster {
  private last: { width: number; height: number; origin: number; pixels: Uint8Array; rgb: Buffer } | null = null;

  /** The RGB image of `map`. The buffer is reused by the next call: encode it before then. */
  rgb(map: CoverageMap): Buffer {
    const l = this.last;
    if (l === null || l.width !== map.width || l.height !== map.height || l.origin !== map.origin) {
      this.last = { width: map.width, height: map.height, origin: map.origin, pixels: map.pixels.slice(), rgb: mapToRgb(map) };
      return this.last.rgb;
    }
    const h = map.height;
    const now = Buffer.from(map.pixels.buffer, map.pixels.byteOffset, map.pixels.length);
    const before = Buffer.from(l.pixels.buffer, l.pixels.byteOffset, l.pixels.length);
    // compare blocks of columns first (one native compare each), then the columns of a changed block
    for (let x0 = 0; x0 < map.width; x0 += RASTER_BLOCK) {
      const x1 = Math.min(map.width, x0 + RASTER_BLOCK);
      if (now.compare(before, x0 * h, x1 * h, x0 * h, x1 * h) === 0) continue;
      for (let x = x0; x < x1; x++) {
        if (now.compare(before, x * h, x * h + h, x * h, x * h + h) === 0) continue;
        paintRgbColumn(l.rgb, map, x);
        before.set(now.subarray(x * h, x * h + h), x * h);
      }
    }
    return l.rgb;
  }
}

type Sharp = typeof import('sharp').default;
let sharpModule: Sharp | null = null;
const requireHere = createRequire(import.meta.url);

/**
 * sharp (libvips), loaded when the first map is drawn: it is the heaviest module. A map is
 * drawn at most about once a second, so libvips keeps no operation cache (that held up to
 * 50 MB of old images) and uses one worker thread (each thread's heap adds to RSS).
 */
export function loadSharp(): Sharp {
  if (sharpModule === null) {
    // required, not imported: a CommonJS package, loaded without the ESM loader's
    // translation (a re-parse of its source for named exports) and at a moment of our choosing
    const m = requireHere('sharp') as Sharp;
    m.cache(false);
    m.concurrency(1);
    sharpModule = m;
  }
  return sharpModule;
}

/** The PNG of a map; `raster` keeps the image between draws of the same map. */
export async function renderMapPng(map: CoverageMap, raster?: MapRaster): Promise<Buffer> {
  const sharp = loadSharp();
  const rgb = raster === undefined ? mapToRgb(map) : raster.rgb(map);
  // zlib level 1: half the CPU of level 6 for these flat-coloured images (redrawn up to once a second)
  return sharp(rgb, { raw: { width: map.width, height: map.height, channels: 3 } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
}

/**
 * Writes (temp name, then rename) or, when there is no hour to show, removes the map
 * of one channel and quality in `outputDir`. Returns the file path. Whatever is there
 * that is not a regular file (a FIFO, a device, a folder) is never written, replaced or
 * removed: the write fails instead, and is retried.
 */
export async function writeMapPng(outputDir: string, channel: string, quality: string, map: CoverageMap | null, raster?: MapRaster): Promise<string> {
  const file = path.join(outputDir, mapFileName(channel, quality));
  if (map === null) await removeFile(file);
  else await writeFileAtomic(file, await renderMapPng(map, raster));
  return file;
}
