import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

/**
 * One compressed stream made of parts compressed on their own, so that an unchanged part's
 * compressed form is reused as is. Each part is raw deflate ended by a sync flush: it ends
 * on a byte boundary and does not end the stream, and no back-reference crosses parts.
 * zlib has no call that reuses the output of an unchanged part, so the wrappers (gzip's
 * header and CRC-32 trailer, zlib's header and Adler-32 trailer) are written here.
 */

const deflateRawAsync = promisify(deflateRaw);

/** An empty final deflate block: ends a stream of sync-flushed parts. */
const FINAL_BLOCK = deflateRawSync(Buffer.alloc(0));

/** One part's raw deflate, sync-flushed (on libuv's thread pool). */
export function deflatePart(data: Buffer, level: number): Promise<Buffer> {
  return deflateRawAsync(data, { level, finishFlush: constants.Z_SYNC_FLUSH });
}

/** RFC 1952 member header: deflate, no flags, no time, unknown OS. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** One gzip member holding `parts` one after the other, from each part's `deflatePart`. */
export function gzipOfParts(parts: readonly Buffer[], deflated: readonly Buffer[]): Buffer {
  let crc = 0;
  let size = 0;
  for (const p of parts) {
    if (p.length === 0) continue; // Node 20's crc32 answers 0 for no data after some start values
    crc = crc32(p, crc);
    size += p.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, ...deflated, FINAL_BLOCK, trailer]);
}

/** RFC 1950 header: deflate, 32 KiB window, default level (0x789c is a multiple of 31). */
const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);

/** A part of a zlib stream: its uncompressed length and Adler-32, and its `deflatePart`. */
export interface ZlibPart {
  readonly length: number;
  readonly adler: number;
  readonly deflated: Buffer;
}

/** One zlib stream (RFC 1950) holding the parts one after the other. */
export function zlibOfParts(parts: readonly ZlibPart[]): Buffer {
  let adler = 1;
  for (const p of parts) adler = adler32Combine(adler, p.adler, p.length);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler, 0);
  return Buffer.concat([ZLIB_HEADER, ...parts.map((p) => p.deflated), FINAL_BLOCK, trailer]);
}

const ADLER_MOD = 65521;
/** Bytes summed before the sums must be reduced (zlib's NMAX: the sums stay below 2^32). */
const ADLER_RUN = 5552;

/** Adler-32 of `data` (RFC 1950), 1 for no data. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + ADLER_RUN);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return (b * 65536 + a) >>> 0;
}

/** Adler-32 of two blocks one after the other, from the first's, the second's and its length (zlib's adler32_combine). */
export function adler32Combine(first: number, second: number, secondLength: number): number {
  const rem = secondLength % ADLER_MOD;
  const a1 = first & 0xffff;
  const b1 = first >>> 16;
  const a2 = second & 0xffff;
  const b2 = second >>> 16;
  const a = (a1 + a2 + ADLER_MOD - 1) % ADLER_MOD;
  const b = (((rem * a1) % ADLER_MOD) + b1 + b2 + ADLER_MOD - rem) % ADLER_MOD;
  return (b * 65536 + a) >>> 0;
}
