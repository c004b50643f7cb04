import { BLUE, ORANGE, WHITE, type CoverageMap } from '../../src/coverage/mapPixels.js';

/** The map's colours (docs/coverage.md, The map), apart from the writer's palette: the tests' oracle. */
const RGB: Record<number, readonly [number, number, number]> = {
  [BLUE]: [0x1f, 0x77, 0xb4],
  [ORANGE]: [0xff, 0x7f, 0x0e],
  [WHITE]: [0xff, 0xff, 0xff],
};

/** A map's time-ordered pixels (down each column, then right) as the RGB image a PNG of it decodes to, row by row. */
export function mapToRgb(map: CoverageMap): Buffer {
  const { width, height, pixels } = map;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, p = y; x < width; x++, p += height, o += 3) rgb.set(RGB[pixels[p]], o);
  }
  return rgb;
}
