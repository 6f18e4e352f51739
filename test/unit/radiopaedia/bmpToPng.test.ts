// BMP → PNG for the operator's "convert": every pixel must survive, whatever the bitmap's layout.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bmpToPng } from '../../../electron/engine/sources/radiopaedia/bmpToPng';

type Rgba = [number, number, number, number];

interface BmpSpec {
  width: number;
  height: number;
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  /** Top row first. */
  pixels: Rgba[][];
  palette?: [number, number, number][];
  topDown?: boolean;
  /** BI_BITFIELDS masks (r, g, b, a) in a v4 header. */
  masks?: [number, number, number, number];
  compression?: number;
}

/** Writes a bitmap the way Windows does: rows padded to 4 bytes, bottom row first unless top-down. */
function makeBmp(spec: BmpSpec): Buffer {
  const dib = spec.masks ? 108 : 40;
  const palette = spec.palette ?? [];
  const rowBytes = Math.ceil((spec.width * spec.bpp) / 32) * 4;
  const offset = 14 + dib + palette.length * 4;
  const out = Buffer.alloc(offset + rowBytes * spec.height);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(dib, 14);
  out.writeInt32LE(spec.width, 18);
  out.writeInt32LE(spec.topDown ? -spec.height : spec.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(spec.bpp, 28);
  out.writeUInt32LE(spec.compression ?? (spec.masks ? 3 : 0), 30);
  out.writeUInt32LE(palette.length, 46);
  if (spec.masks) spec.masks.forEach((m, i) => out.writeUInt32LE(m >>> 0, 54 + i * 4));
  palette.forEach(([r, g, b], i) => {
    out[14 + dib + i * 4] = b;
    out[14 + dib + i * 4 + 1] = g;
    out[14 + dib + i * 4 + 2] = r;
  });
  for (let y = 0; y < spec.height; y++) {
    const row = offset + (spec.topDown ? y : spec.height - 1 - y) * rowBytes;
    for (let x = 0; x < spec.width; x++) {
      const [r, g, b, a] = spec.pixels[y]![x]!;
      if (spec.bpp <= 8) {
        const index = palette.findIndex(([pr, pg, pb]) => pr === r && pg === g && pb === b);
        const bit = x * spec.bpp;
        out[row + (bit >> 3)]! |= index << (8 - spec.bpp - (bit & 7));
      } else if (spec.bpp === 24) {
        out[row + x * 3] = b;
        out[row + x * 3 + 1] = g;
        out[row + x * 3 + 2] = r;
      } else if (spec.bpp === 16) {
        out.writeUInt16LE(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3), row + x * 2);
      } else {
        out.writeUInt32LE(((a << 24) | (r << 16) | (g << 8) | b) >>> 0, row + x * 4);
      }
    }
  }
  return out;
}

/** Reads back an 8-bit RGB or RGBA PNG without filters (what the converter writes). */
function readPng(png: Buffer): { width: number; height: number; pixels: Rgba[][] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(zlib.crc32(png.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels + 1;
  const pixels: Rgba[][] = [];
  for (let y = 0; y < height; y++) {
    const row: Rgba[] = [];
    for (let x = 0; x < width; x++) {
      const p = y * stride + 1 + x * channels;
      row.push([raw[p]!, raw[p + 1]!, raw[p + 2]!, channels === 4 ? raw[p + 3]! : 255]);
    }
    pixels.push(row);
  }
  return { width, height, pixels };
}

const RED: Rgba = [255, 0, 0, 255];
const GREEN: Rgba = [0, 255, 0, 255];
const BLUE: Rgba = [0, 0, 255, 255];
const GREY: Rgba = [128, 128, 128, 255];
const WHITE: Rgba = [255, 255, 255, 255];

describe('bmpToPng', () => {
  it('24-bit, bottom-up, with row padding', () => {
    const pixels = [
      [RED, GREEN, BLUE],
      [GREY, WHITE, RED],
    ];
    const png = readPng(bmpToPng(makeBmp({ width: 3, height: 2, bpp: 24, pixels })));
    expect(png).toEqual({ width: 3, height: 2, pixels });
  });

  it('8-bit and 4-bit palettes, 1-bit black and white', () => {
    const pixels = [
      [RED, GREEN, BLUE, GREY, WHITE],
      [WHITE, GREY, BLUE, GREEN, RED],
      [RED, RED, RED, RED, RED],
    ];
    const palette: [number, number, number][] = [RED, GREEN, BLUE, GREY, WHITE].map(
      ([r, g, b]) => [r, g, b] as [number, number, number],
    );
    for (const bpp of [8, 4] as const) {
      expect(readPng(bmpToPng(makeBmp({ width: 5, height: 3, bpp, pixels, palette }))).pixels).toEqual(
        pixels,
      );
    }
    const mono = [
      [WHITE, [0, 0, 0, 255] as Rgba, WHITE],
      [[0, 0, 0, 255] as Rgba, WHITE, WHITE],
    ];
    const bw = makeBmp({
      width: 3,
      height: 2,
      bpp: 1,
      pixels: mono,
      palette: [
        [0, 0, 0],
        [255, 255, 255],
      ],
    });
    expect(readPng(bmpToPng(bw)).pixels).toEqual(mono);
  });

  it('16-bit 5-5-5 keeps the colours to their precision', () => {
    const pixels = [[RED, GREEN, WHITE]];
    expect(readPng(bmpToPng(makeBmp({ width: 3, height: 1, bpp: 16, pixels }))).pixels).toEqual(pixels);
  });

  it('32-bit with an alpha mask, top-down: transparency survives', () => {
    const pixels: Rgba[][] = [
      [
        [255, 0, 0, 128],
        [0, 255, 0, 255],
      ],
      [
        [0, 0, 255, 0],
        [10, 20, 30, 255],
      ],
    ];
    const bmp = makeBmp({
      width: 2,
      height: 2,
      bpp: 32,
      pixels,
      topDown: true,
      masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
    });
    expect(readPng(bmpToPng(bmp)).pixels).toEqual(pixels);
  });

  it('a 32-bit bitmap whose alpha bytes are all 0 is opaque', () => {
    const pixels = [[RED, BLUE]];
    const bmp = makeBmp({
      width: 2,
      height: 1,
      bpp: 32,
      pixels: pixels.map((r) => r.map(([a, b, c]) => [a, b, c, 0] as Rgba)),
    });
    expect(readPng(bmpToPng(bmp)).pixels).toEqual(pixels);
  });

  it('run-length compression and broken files ask a person to skip them', () => {
    const rle = makeBmp({
      width: 2,
      height: 1,
      bpp: 8,
      pixels: [[RED, RED]],
      palette: [[255, 0, 0]],
      compression: 1,
    });
    expect(() => bmpToPng(rle)).toThrow(
      expect.objectContaining({
        code: 'convert-unsupported',
        attention: { reason: 'convert-unsupported', actions: ['skip'] },
      }),
    );
    const truncated = makeBmp({
      width: 3,
      height: 2,
      bpp: 24,
      pixels: [
        [RED, RED, RED],
        [RED, RED, RED],
      ],
    }).subarray(0, 60);
    expect(() => bmpToPng(truncated)).toThrow(expect.objectContaining({ code: 'convert-unsupported' }));
    expect(() => bmpToPng(Buffer.from('not a bitmap at all, really not'))).toThrow(
      expect.objectContaining({ code: 'convert-unsupported' }),
    );
  });
});
