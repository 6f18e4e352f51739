import { writeFile } from 'node:fs/promises';
import zlib from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export interface PngOptions {
  width: number;
  height: number;
  /** Different seeds give different bytes (and so different SHA-1s). */
  seed: number;
}

/**
 * A valid RGB PNG of noise. Stored without compression, so its size is predictable:
 * about width × height × 3 bytes — handy for chunked uploads of a chosen size.
 */
export function pngBytes({ width, height, seed }: PngOptions): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type RGB
  const rowLength = 1 + width * 3;
  const raw = Buffer.alloc(rowLength * height);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    raw[y * rowLength] = 0; // filter: none
    for (let i = 1; i < rowLength; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      raw[y * rowLength + i] = state & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Writes a noise PNG of roughly `approxBytes` bytes and returns its path. */
export async function writePng(filePath: string, seed: number, approxBytes = 2_000): Promise<string> {
  const width = 256;
  const height = Math.max(1, Math.ceil(approxBytes / (width * 3)));
  await writeFile(filePath, pngBytes({ width, height, seed }));
  return filePath;
}
