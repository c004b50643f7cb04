import { crc32 } from 'node:zlib';

/** The eight bytes every PNG file starts with. */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG colour type 3: each pixel is an index into the PLTE chunk's colours. */
const INDEXED = 3;

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer[] {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return [head, data, crc];
}

/** What an indexed-colour PNG holds. */
export interface IndexedPng {
  readonly width: number;
  readonly height: number;
  /** Bits per pixel index: 1, 2, 4 or 8. */
  readonly bitDepth: 1 | 2 | 4 | 8;
  /** RGB triples, one per index. */
  readonly palette: Buffer;
  /** The zlib stream of the filtered rows (each row: filter byte, packed indexes). */
  readonly imageData: Buffer;
}

/** The bytes of an indexed-colour PNG file (not interlaced). */
export function indexedPngFile(png: IndexedPng): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(png.width, 0);
  ihdr.writeUInt32BE(png.height, 4);
  ihdr[8] = png.bitDepth;
  ihdr[9] = INDEXED; // compression 0, filter method 0, no interlace: the zeros that follow
  return Buffer.concat([
    SIGNATURE,
    ...chunk('IHDR', ihdr),
    ...chunk('PLTE', png.palette),
    ...chunk('IDAT', png.imageData),
    ...chunk('IEND', Buffer.alloc(0)),
  ]);
}
