import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { adler32, adler32Combine, deflatePart, zlibOfParts } from '../../src/outputs/files/deflateParts.js';

/** Adler-32 as zlib computes it: the trailer of a zlib stream. */
const zlibAdler = (b: Buffer): number => deflateSync(b).subarray(-4).readUInt32BE(0);

describe('deflate parts', () => {
  it('adler32 and adler32Combine agree with zlib', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.uint8Array({ maxLength: 20_000 }), (a, b) => {
        const A = Buffer.from(a);
        const B = Buffer.from(b);
        assert.equal(adler32(A), zlibAdler(A));
        assert.equal(adler32Combine(adler32(A), adler32(B), B.length), zlibAdler(Buffer.concat([A, B])));
      }),
      { numRuns: 150 },
    );
    // long runs of 0xff: the sums' reduction at zlib's NMAX
    const ff = Buffer.alloc(300_000, 0xff);
    assert.equal(adler32(ff), zlibAdler(ff));
  });

  it('zlibOfParts: one zlib stream of sync-flushed parts inflates to the parts joined', async () => {
    const parts = [Buffer.from('a'.repeat(5000)), Buffer.alloc(0), Buffer.from('xyz'), Buffer.alloc(70_000, 7)];
    const zparts = await Promise.all(
      parts.map(async (p) => ({ length: p.length, adler: adler32(p), deflated: await deflatePart(p, constants.Z_DEFAULT_COMPRESSION) })),
    );
    assert.ok(inflateSync(zlibOfParts(zparts)).equals(Buffer.concat(parts)));
    assert.equal(inflateSync(zlibOfParts([])).length, 0);
    // a wrong sum is caught by the reader
    const bad = zlibOfParts(zparts.map((p, i) => (i === 0 ? { ...p, adler: p.adler ^ 1 } : p)));
    assert.throws(() => inflateSync(bad), /incorrect data check/);
  });
});
