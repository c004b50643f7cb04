import path from 'node:path';
import { constants } from 'node:zlib';
import type { CoverageMap } from '../../coverage/mapPixels.js';
import { mapFileName } from '../../store/layout.js';
import { removeFile, writeFileAtomic } from './atomicWrite.js';
import { adler32, deflatePart, zlibOfParts, type ZlibPart } from './deflateParts.js';
import { indexedPngFile } from './pngFile.js';

/** The map's colours (docs/coverage.md, The map) by pixel class (BLUE, ORANGE, WHITE): its palette, index = class. */
const PALETTE = Buffer.from([0x1f, 0x77, 0xb4, 0xff, 0x7f, 0x0e, 0xff, 0xff, 0xff]);
/** Three classes fit in two bits: four pixels a byte, the leftmost in the high bits. */
const BIT_DEPTH = 2;
const PIXELS_A_BYTE = 8 / BIT_DEPTH;
/** About this many bytes of rows are compressed together, so a redraw compresses again only the bands whose pixels changed. */
const BAND_BYTES = 16 * 1024;
/** Image columns compared at once when looking for what changed. */
const COMPARE_BLOCK = 64;

/** A band of image rows and, once compressed, its part of the PNG's zlib stream. */
interface Band {
  readonly from: number;
  readonly to: number;
  part: ZlibPart | null;
}

/** The PNG's rows as they were last drawn: each a filter byte (0: none) and the packed indexes. */
interface Image {
  readonly width: number;
  readonly height: number;
  readonly origin: number;
  readonly rowBytes: number;
  /** The map's pixels when last drawn (time order). */
  readonly pixels: Uint8Array;
  readonly rows: Buffer;
  readonly bands: readonly Band[];
  /** Band index of each row. */
  readonly bandOf: Uint16Array;
}

/** Packs a map's pixels (down each column, then right) into PNG rows. */
function packRows(map: CoverageMap, rowBytes: number): Buffer {
  const { width, height, pixels } = map;
  const rows = Buffer.alloc(height * rowBytes);
  for (let x = 0, p = 0; x < width; x++) {
    const shift = 8 - BIT_DEPTH * (1 + (x % PIXELS_A_BYTE));
    for (let y = 0, o = 1 + Math.floor(x / PIXELS_A_BYTE); y < height; y++, p++, o += rowBytes) rows[o] |= pixels[p] << shift;
  }
  return rows;
}

function newImage(map: CoverageMap): Image {
  const rowBytes = 1 + Math.ceil(map.width / PIXELS_A_BYTE);
  const perBand = Math.max(1, Math.floor(BAND_BYTES / rowBytes));
  const bands: Band[] = [];
  const bandOf = new Uint16Array(map.height);
  for (let from = 0; from < map.height; from += perBand) {
    const to = Math.min(map.height, from + perBand);
    bandOf.fill(bands.length, from, to);
    bands.push({ from, to, part: null });
  }
  return {
    width: map.width,
    height: map.height,
    origin: map.origin,
    rowBytes,
    pixels: map.pixels.slice(),
    rows: packRows(map, rowBytes),
    bands,
    bandOf,
  };
}

/**
 * One channel and quality's map PNG, kept between draws: a 2-bit indexed image whose rows
 * are compressed in bands. A redraw packs again only the pixels that changed and compresses
 * again only their bands (a live update changes a few pixels of the newest column), so it
 * costs the change, not the map. The file is exact: a decoder gives back those colours.
 */
export class MapRaster {
  private image: Image | null = null;
  private drawing = false;

  /** The PNG file of `map`. One draw at a time: the next may start once this one resolved. */
  async png(map: CoverageMap): Promise<Buffer> {
    if (this.drawing) throw new Error('MapRaster: a draw is already under way');
    this.drawing = true;
    try {
      const img = this.follow(map);
      await Promise.all(
        img.bands
          .filter((b) => b.part === null)
          .map(async (band) => {
            const raw = img.rows.subarray(band.from * img.rowBytes, band.to * img.rowBytes);
            band.part = { length: raw.length, adler: adler32(raw), deflated: await deflatePart(raw, constants.Z_DEFAULT_COMPRESSION) };
          }),
      );
      return indexedPngFile({
        width: img.width,
        height: img.height,
        bitDepth: BIT_DEPTH,
        palette: PALETTE,
        imageData: zlibOfParts(img.bands.map((b) => b.part as ZlibPart)),
      });
    } finally {
      this.drawing = false;
    }
  }

  /** The kept image brought to `map`: rows of changed pixels repacked, their bands to compress again. */
  private follow(map: CoverageMap): Image {
    const img = this.image;
    if (img === null || img.width !== map.width || img.height !== map.height || img.origin !== map.origin) {
      this.image = newImage(map);
      return this.image;
    }
    const h = map.height;
    const now = Buffer.from(map.pixels.buffer, map.pixels.byteOffset, map.pixels.length);
    const before = Buffer.from(img.pixels.buffer, img.pixels.byteOffset, img.pixels.length);
    // compare blocks of columns first (one native compare each), then the columns of a changed block
    for (let x0 = 0; x0 < map.width; x0 += COMPARE_BLOCK) {
      const x1 = Math.min(map.width, x0 + COMPARE_BLOCK);
      if (now.compare(before, x0 * h, x1 * h, x0 * h, x1 * h) === 0) continue;
      for (let x = x0; x < x1; x++) {
        if (now.compare(before, x * h, x * h + h, x * h, x * h + h) !== 0) repackColumn(img, now, x);
      }
    }
    return img;
  }
}

/** Repacks the pixels of image column `x` that differ from `img.pixels`, and marks their bands to compress again. */
function repackColumn(img: Image, now: Uint8Array, x: number): void {
  const shift = 8 - BIT_DEPTH * (1 + (x % PIXELS_A_BYTE));
  const mask = ~(((1 << BIT_DEPTH) - 1) << shift);
  const before = img.pixels;
  for (let y = 0, p = x * img.height, o = 1 + Math.floor(x / PIXELS_A_BYTE); y < img.height; y++, p++, o += img.rowBytes) {
    if (now[p] === before[p]) continue;
    img.rows[o] = (img.rows[o] & mask) | (now[p] << shift);
    before[p] = now[p];
    img.bands[img.bandOf[y]].part = null;
  }
}

/** The PNG of a map; `raster` keeps the image between draws of the same map. */
export function renderMapPng(map: CoverageMap, raster: MapRaster = new MapRaster()): Promise<Buffer> {
  return raster.png(map);
}

/**
 * Writes (temp name, then rename) or, when there is no hour to show, removes the map
 * of one channel and quality in `outputDir`. Returns the file path. Whatever is there
 * that is not a regular file (a FIFO, a device, a folder) is never written, replaced or
 * removed: the write fails instead, and is retried.
 */
export async function writeMapPng(
  outputDir: string,
  channel: string,
  quality: string,
  map: CoverageMap | null,
  raster?: MapRaster,
): Promise<string> {
  const file = path.join(outputDir, mapFileName(channel, quality));
  if (map === null) await removeFile(file);
  else await writeFileAtomic(file, await renderMapPng(map, raster));
  return file;
}
