import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import type { CoverageMap } from '../../src/coverage/mapPixels.js';
import { MapRaster, renderMapPng } from '../../src/outputs/files/mapPng.js';
import { mapToRgb } from '../helpers/mapRgb.js';

/** The RGB pixels of a PNG, decoded by libvips (an independent decoder). */
async function decode(png: Buffer): Promise<{ rgb: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

/** The chunks of a PNG file: type and data, each CRC checked (over type and data in one piece). */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let o = 8; o < png.length; ) {
    const n = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    assert.equal(png.readUInt32BE(o + 8 + n), crc32(png.subarray(o + 4, o + 8 + n)) >>> 0, `${type} CRC`);
    out.push({ type, data: png.subarray(o + 8, o + 8 + n) });
    o += 12 + n;
  }
  return out;
}

const mapOf = (width: number, height: number, cls = 0): CoverageMap => ({
  width,
  height,
  origin: 0,
  hours: 1,
  pixels: new Uint8Array(width * height).fill(cls),
});

describe('map PNG, kept between draws', () => {
  it('redrawing only changed pixels gives the image drawn from scratch, and decodes to the map colours', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(1, 3, 6, 300),
        fc.array(fc.array(fc.record({ at: fc.nat(), cls: fc.integer({ min: 0, max: 2 }) }), { maxLength: 30 }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (width, height, edits) => {
          const map = mapOf(width, height);
          const raster = new MapRaster();
          for (const batch of edits) {
            for (const e of batch) map.pixels[e.at % map.pixels.length] = e.cls;
            const kept = await raster.png(map);
            assert.ok(kept.equals(await renderMapPng(map)), 'incremental file equals the one drawn from scratch');
            const back = await decode(kept);
            assert.deepEqual([back.width, back.height], [width, height]);
            assert.ok(back.rgb.equals(mapToRgb(map)), 'pixels exact');
          }
          const wider: CoverageMap = { ...map, width: width + 1, pixels: new Uint8Array((width + 1) * height).fill(2) };
          assert.ok((await decode(await raster.png(wider))).rgb.equals(mapToRgb(wider)), 'a map of another size is drawn whole');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is a 2-bit indexed PNG of the three map colours, its zlib stream whole and its CRCs right', async () => {
    const map = mapOf(4320, 300);
    map.pixels.fill(2, 4320 * 300 - 450); // the newest hour's unrecorded part
    map.pixels.fill(1, 1000, 1010);
    const png = await renderMapPng(map);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    assert.deepEqual(
      cs.map((c) => c.type),
      ['IHDR', 'PLTE', 'IDAT', 'IEND'],
    );
    assert.equal(png.subarray(-4).toString('hex'), 'ae426082', "IEND's CRC, the same in every PNG");
    const ihdr = cs[0].data;
    assert.deepEqual(
      [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]],
      [4320, 300, 2, 3, 0, 0, 0],
    );
    assert.equal(cs[1].data.toString('hex'), '1f77b4ff7f0effffff');
    // inflateSync checks the Adler-32 the bands' sums were combined into
    assert.equal(inflateSync(cs[2].data).length, 300 * (1 + 4320 / 4));
    assert.ok((await decode(png)).rgb.equals(mapToRgb(map)));
    assert.ok(png.length < 8000, `a flat map compresses well (${png.length} bytes)`);
  });

  it('one draw at a time: a second draw while one is under way is refused', async () => {
    const raster = new MapRaster();
    const map = mapOf(60, 300);
    const first = raster.png(map);
    await assert.rejects(raster.png(map), /under way/);
    assert.ok((await decode(await first)).rgb.equals(mapToRgb(map)));
    assert.ok((await decode(await raster.png(map))).rgb.equals(mapToRgb(map)), 'and the next draw goes ahead');
  });

  it('lays pixels out down each column, then right', () => {
    const map: CoverageMap = { width: 2, height: 2, origin: 0, hours: 1, pixels: Uint8Array.from([0, 1, 2, 0]) };
    const rgb = mapToRgb(map);
    // (x=0,y=0)=blue (x=1,y=0)=white (x=0,y=1)=orange (x=1,y=1)=blue
    assert.deepEqual([...rgb], [0x1f, 0x77, 0xb4, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0e, 0x1f, 0x77, 0xb4]);
  });
});
