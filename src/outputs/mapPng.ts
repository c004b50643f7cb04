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
  for (let p = 0; p < pixels.length; p++) {
    const x = Math.floor(p / height);
    const y = p - x * height;
    const o = (y * width + x) * 3;
    const c = RGB[pixels[p]];
    rgb[o] = c[0];
    rgb[o + 1] = c[1];
    rgb[o + 2] = c[2];
  }
  return rgb;
}

export async function renderMapPng(map: CoverageMap): Promise<Buffer> {
  // sharp (libvips) is the heaviest module to load: only when a map is drawn
  const { default: sharp } = await import('sharp');
  return sharp(mapToRgb(map), { raw: { width: map.width, height: map.height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/**
 * Writes (temp name, then rename) or, when there is no hour to show, removes the map
 * of one channel and quality in `outputDir`. Returns the file path. Whatever is there
 * that is not a regular file (a FIFO, a device, a folder) is never written, replaced or
 * removed: the write fails instead, and is retried.
 */
export async function writeMapPng(outputDir: string, channel: string, quality: string, map: CoverageMap | null): Promise<string> {
  const file = path.join(outputDir, mapFileName(channel, quality));
  if (map === null) await removeFile(file);
  else await writeFileAtomic(file, await renderMapPng(map));
  return file;
}
