// Windows bitmaps are not accepted by NC Commons; an operator may ask for a lossless PNG copy instead.
// Node's zlib is all PNG needs, so this is written here rather than pulling in an image library.
import zlib from 'node:zlib';
import { CourierError } from '../../../../shared/errors';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
/** Refuses bitmaps whose pixels would not fit in memory comfortably (e.g. a corrupt header). */
const MAX_PIXELS = 100_000_000;

interface Bitmap {
  width: number;
  height: number;
  /** RGBA, top row first. */
  rgba: Uint8Array;
  hasAlpha: boolean;
}

function unsupported(what: string): CourierError {
  return new CourierError({
    code: 'convert-unsupported',
    message: `This bitmap cannot be converted to PNG (${what}); skip it or convert it by hand.`,
    attention: { reason: 'convert-unsupported', actions: ['skip'] },
  });
}

/** Shift and width of a colour mask, to scale any channel depth to 8 bits. */
function maskInfo(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

function channel(value: number, info: { shift: number; max: number }): number {
  if (info.max === 0) return 0;
  return Math.round((((value >>> 0) >>> info.shift) & info.max) * (255 / info.max));
}

/** Decodes an uncompressed or bit-field bitmap (1, 4, 8, 16, 24 or 32 bits per pixel). */
export function decodeBmp(bytes: Buffer): Bitmap {
  if (bytes.length < 26 || bytes.toString('ascii', 0, 2) !== 'BM') throw unsupported('not a bitmap');
  const pixelOffset = bytes.readUInt32LE(10);
  const dib = bytes.readUInt32LE(14);
  const core = dib === 12;
  if (!core && bytes.length < 54) throw unsupported('truncated header');
  const width = core ? bytes.readUInt16LE(18) : bytes.readInt32LE(18);
  const rawHeight = core ? bytes.readInt16LE(20) : bytes.readInt32LE(22);
  const bpp = bytes.readUInt16LE(core ? 24 : 28);
  const compression = core ? BI_RGB : bytes.readUInt32LE(30);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height <= 0 || width * height > MAX_PIXELS) throw unsupported('implausible size');
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    throw unsupported(`compression ${compression}`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw unsupported(`${bpp} bits per pixel`);

  let masks: [number, number, number, number] | null = null;
  if (bpp === 16 || bpp === 32) {
    if (compression === BI_RGB) {
      masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
    } else {
      // The masks follow a 40-byte header, or are part of a v3+ header.
      const at = 14 + 40;
      const withAlpha = compression === BI_ALPHABITFIELDS || dib >= 56;
      if (bytes.length < at + 12) throw unsupported('truncated colour masks');
      masks = [
        bytes.readUInt32LE(at),
        bytes.readUInt32LE(at + 4),
        bytes.readUInt32LE(at + 8),
        withAlpha && bytes.length >= at + 16 ? bytes.readUInt32LE(at + 12) : 0,
      ];
    }
  }

  let palette: number[][] = [];
  if (bpp <= 8) {
    const entrySize = core ? 3 : 4;
    const used = core ? 0 : bytes.readUInt32LE(46);
    const count = used > 0 ? Math.min(used, 256) : 1 << bpp;
    const start = 14 + dib;
    palette = Array.from({ length: count }, (_, i) => {
      const p = start + i * entrySize;
      return [bytes[p + 2] ?? 0, bytes[p + 1] ?? 0, bytes[p] ?? 0];
    });
  }

  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (pixelOffset + rowBytes * height > bytes.length) throw unsupported('truncated pixel data');
  const info = masks?.map(maskInfo);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const src = pixelOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 4;
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      if (bpp <= 8) {
        const bit = x * bpp;
        const byte = bytes[src + (bit >> 3)] ?? 0;
        const index = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        [r = 0, g = 0, b = 0] = palette[index] ?? [];
      } else if (bpp === 24) {
        const p = src + x * 3;
        b = bytes[p] ?? 0;
        g = bytes[p + 1] ?? 0;
        r = bytes[p + 2] ?? 0;
      } else {
        const value = bpp === 16 ? bytes.readUInt16LE(src + x * 2) : bytes.readUInt32LE(src + x * 4);
        const [ri, gi, bi, ai] = info ?? [];
        r = channel(value, ri ?? { shift: 0, max: 0 });
        g = channel(value, gi ?? { shift: 0, max: 0 });
        b = channel(value, bi ?? { shift: 0, max: 0 });
        if (ai && ai.max > 0) a = channel(value, ai);
      }
      rgba[out] = r;
      rgba[out + 1] = g;
      rgba[out + 2] = b;
      rgba[out + 3] = a;
    }
  }
  // A 32-bit bitmap whose alpha is 0 everywhere means "no alpha" in practice.
  let hasAlpha = false;
  let anyVisible = false;
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 255) hasAlpha = true;
    if (rgba[i] !== 0) anyVisible = true;
  }
  if (hasAlpha && !anyVisible) {
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
    hasAlpha = false;
  }
  return { width, height, rgba, hasAlpha };
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels as an 8-bit PNG (RGB when every pixel is opaque). */
export function encodePng(bitmap: Bitmap): Buffer {
  const channels = bitmap.hasAlpha ? 4 : 3;
  const stride = bitmap.width * channels + 1;
  const raw = Buffer.alloc(stride * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < bitmap.width; x++) {
      const from = (y * bitmap.width + x) * 4;
      const to = y * stride + 1 + x * channels;
      raw[to] = bitmap.rgba[from] ?? 0;
      raw[to + 1] = bitmap.rgba[from + 1] ?? 0;
      raw[to + 2] = bitmap.rgba[from + 2] ?? 0;
      if (channels === 4) raw[to + 3] = bitmap.rgba[from + 3] ?? 0;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(bitmap.width, 0);
  header.writeUInt32BE(bitmap.height, 4);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A lossless PNG of a Windows bitmap. Throws `convert-unsupported` (attention: skip) for RLE and odd forms. */
export function bmpToPng(bytes: Buffer): Buffer {
  return encodePng(decodeBmp(bytes));
}
