import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CoverageMap } from '../../src/coverage/mapPixels.js';
import { MapRaster, mapToRgb } from '../../src/outputs/mapPng.js';

describe('map raster kept between draws', () => {
  it('redrawing only changed columns gives the same image as drawing from scratch', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.constantFrom(1, 3, 6),
      fc.array(fc.array(fc.record({ at: fc.nat(), cls: fc.integer({ min: 0, max: 2 }) }), { maxLength: 30 }), { minLength: 1, maxLength: 6 }),
      (width, height, edits) => {
        const map: CoverageMap = { width, height, origin: 0, hours: 1, pixels: new Uint8Array(width * height) };
        const raster = new MapRaster();
        assert.ok(raster.rgb(map).equals(mapToRgb(map)));
        for (const batch of edits) {
          for (const e of batch) map.pixels[e.at % map.pixels.length] = e.cls;
          assert.ok(raster.rgb(map).equals(mapToRgb(map)), 'incremental image equals the full one');
        }
        const wider: CoverageMap = { ...map, width: width + 1, pixels: new Uint8Array((width + 1) * height).fill(2) };
        assert.ok(raster.rgb(wider).equals(mapToRgb(wider)), 'a map of another size is drawn whole');
      },
    ), { numRuns: 200 });
  });

  it('lays pixels out down each column, then right', () => {
    const map: CoverageMap = { width: 2, height: 2, origin: 0, hours: 1, pixels: Uint8Array.from([0, 1, 2, 0]) };
    const rgb = mapToRgb(map);
    // (x=0,y=0)=blue (x=1,y=0)=white (x=0,y=1)=orange (x=1,y=1)=blue
    assert.deepEqual([...rgb], [0x1f, 0x77, 0xb4, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0e, 0x1f, 0x77, 0xb4]);
  });
});
