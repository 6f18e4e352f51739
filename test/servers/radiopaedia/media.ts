// Deterministic file bytes for the Radiopaedia fixture: real file signatures (so format detection is
// tested against the same magic numbers a browser sees), sizes on demand, and different bytes for a
// thumbnail than for the original of the same image.

export type FixtureFormat = 'jpg' | 'png' | 'gif' | 'webp' | 'bmp' | 'mp4';

/** An 8×8 grey gradient, JPEG as Chromium's canvas encodes it. */
const BASE_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAH/xAAYEAEBAAMAAAAAAAAAAAAAAAAABiMzof/EABQBAQAAAAAAAAAAAAAAAAAAAAD/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCRUprx8AB//9k=',
  'base64',
);
/** The same gradient as PNG. */
const BASE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAYAAADED76LAAAAaElEQVR4AWyMsQ3AIBADo2+BUViAngHoGYABGIDNHR0S0SdKYRm/D1vOWaUU1VrVWlPvXWMMzTm11pLFGK8QwuWdN+K+gRP+fAOQlCil9Fo0XwKcjAPvBQrE8evPgi/5CYiM4EuOPt8AAAD//9Zr6roAAAAGSURBVAMA82kX0gjpFeYAAAAASUVORK5CYII=',
  'base64',
);
/** The same gradient as WebP (RIFF container), as Chromium's canvas encodes it. */
const BASE_WEBP = Buffer.from(
  'UklGRhICAABXRUJQVlA4WAoAAAAgAAAABwAABwAASUNDUMgBAAAAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADZWUDggJAAAALABAJ0BKggACAABQCYlpAACnbEGQQAA/vX8p6SCEj1hsAAAAA==',
  'base64',
);
/** A 1×1 GIF89a. */
const BASE_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** xorshift32 bytes seeded by a string: the same seed always gives the same bytes. */
function noise(seed: string, length: number): Buffer {
  let x = 2166136261;
  for (let i = 0; i < seed.length; i++) x = Math.imul(x ^ seed.charCodeAt(i), 16777619) >>> 0;
  if (x === 0) x = 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** JPEG with comment segments (FF FE) carrying the label and filler, inserted after SOI. */
function jpeg(label: string, size: number): Buffer {
  const segments: Buffer[] = [BASE_JPEG.subarray(0, 2)];
  let remaining = Math.max(0, size - BASE_JPEG.length);
  let payload = Buffer.concat([Buffer.from(label), noise(label, Math.max(0, remaining - label.length))]);
  if (payload.length === 0) payload = Buffer.from(label);
  while (payload.length > 0) {
    const chunk = payload.subarray(0, 65533);
    payload = payload.subarray(chunk.length);
    const head = Buffer.from([0xff, 0xfe, 0, 0]);
    head.writeUInt16BE(chunk.length + 2, 2);
    segments.push(head, chunk);
    remaining -= chunk.length + 4;
  }
  segments.push(BASE_JPEG.subarray(2));
  return Buffer.concat(segments);
}

/** PNG with a tEXt chunk (label + filler) before IEND. */
function png(label: string, size: number): Buffer {
  const iendAt = BASE_PNG.length - 12;
  const text = Buffer.concat([
    Buffer.from('Comment\0'),
    Buffer.from(label),
    Buffer.from(
      noise(label, Math.max(0, size - BASE_PNG.length - label.length - 20)).map((b) => 0x20 + (b % 90)),
    ),
  ]);
  const typeAndData = Buffer.concat([Buffer.from('tEXt'), text]);
  const chunk = Buffer.alloc(12 + text.length);
  chunk.writeUInt32BE(text.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + text.length);
  return Buffer.concat([BASE_PNG.subarray(0, iendAt), chunk, BASE_PNG.subarray(iendAt)]);
}

/** A real 24-bit Windows bitmap whose pixels are the label's noise. */
function bmp(label: string, size: number): Buffer {
  const side = Math.max(2, Math.floor(Math.sqrt(Math.max(0, size - 54) / 3)));
  const rowBytes = Math.ceil((side * 3) / 4) * 4;
  const pixels = noise(label, rowBytes * side);
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'ascii');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(side, 18);
  header.writeInt32LE(side, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

/** An MP4 container: `ftyp` (isom) then an `mdat` box of noise. Not playable; the signature is real. */
function mp4(label: string, size: number): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'ascii');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isommp41', 16, 'ascii');
  const body = Buffer.concat([Buffer.from(label), noise(label, Math.max(0, size - 32 - label.length))]);
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(8 + body.length, 0);
  mdat.write('mdat', 4, 'ascii');
  return Buffer.concat([ftyp, mdat, body]);
}

/** Appends data after the image's trailer; decoders ignore it. */
function padded(base: Buffer, label: string, size: number): Buffer {
  return Buffer.concat([
    base,
    Buffer.from(label),
    noise(label, Math.max(0, size - base.length - label.length)),
  ]);
}

/** The bytes of a file of `format`, about `size` bytes long, unique to `label`. */
export function fixtureBytes(format: FixtureFormat, label: string, size: number): Buffer {
  switch (format) {
    case 'jpg':
      return jpeg(label, size);
    case 'png':
      return png(label, size);
    case 'bmp':
      return bmp(label, size);
    case 'mp4':
      return mp4(label, size);
    case 'gif':
      return padded(BASE_GIF, label, size);
    case 'webp':
      return padded(BASE_WEBP, label, size);
  }
}

export const CONTENT_TYPES: Record<FixtureFormat, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
};
