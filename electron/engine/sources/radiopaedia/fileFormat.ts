/** A file's real type, from its first bytes (never from its name or the server's Content-Type). */
export interface FileFormat {
  ext: string;
  mime: string;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let out = '';
  for (let i = start; i < start + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((b, i) => bytes[offset + i] === b);
}

/** Detects jpg, png, gif, webp, bmp, tif, mp4, mov, webm, avi, pdf, svg and html; null when unknown. */
export function detectFormat(bytes: Uint8Array): FileFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { ext: 'jpg', mime: 'image/jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { ext: 'png', mime: 'image/png' };
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { ext: 'gif', mime: 'image/gif' };
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const kind = ascii(bytes, 8, 4);
    if (kind === 'WEBP') return { ext: 'webp', mime: 'image/webp' };
    if (kind === 'AVI ') return { ext: 'avi', mime: 'video/x-msvideo' };
  }
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) {
    // The DIB header size is 12, 40, 52, 56, 64, 108 or 124 bytes.
    const dib = (bytes[14] ?? 0) | ((bytes[15] ?? 0) << 8);
    if ([12, 40, 52, 56, 64, 108, 124].includes(dib)) return { ext: 'bmp', mime: 'image/bmp' };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { ext: 'tif', mime: 'image/tiff' };
  }
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (brand === 'qt  ') return { ext: 'mov', mime: 'video/quicktime' };
    if (brand === 'avif' || brand === 'avis') return { ext: 'avif', mime: 'image/avif' };
    if (brand.startsWith('hei') || brand === 'mif1') return { ext: 'heic', mime: 'image/heic' };
    return { ext: 'mp4', mime: 'video/mp4' }; // isom, mp41, mp42, avc1, M4V …
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return { ext: 'webm', mime: 'video/webm' };
  if (ascii(bytes, 0, 5) === '%PDF-') return { ext: 'pdf', mime: 'application/pdf' };
  const text = ascii(bytes, 0, 512)
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return { ext: 'svg', mime: 'image/svg+xml' };
  }
  if (
    text.startsWith('<!doctype html') ||
    text.startsWith('<html') ||
    text.startsWith('<head') ||
    text.startsWith('<body')
  ) {
    return { ext: 'html', mime: 'text/html' };
  }
  return null;
}

/** The formats NC Commons takes from Radiopaedia by default (issue 5: jpg, png, gif, webp, mp4). */
export const DEFAULT_ALLOWED_FORMATS: readonly string[] = ['jpg', 'png', 'gif', 'webp', 'mp4'];
