import { crc32 } from 'node:zlib';
import yazl from 'yazl';

/** One entry of a hand-made zip. Names are written verbatim, even ones yazl itself refuses. */
export interface FixtureEntry {
  name: string;
  data?: Buffer | string;
  /** Unix mode including the file type bits (0o120777 for a symlink). */
  mode?: number;
  compress?: boolean;
  /** Overrides the external attributes written in the central directory. */
  externalAttributes?: number;
  /** Overrides the uncompressed size written in the central directory (a lying header). */
  declaredSize?: number;
}

/**
 * Builds a zip in memory with yazl, then writes the real entry names over same-length placeholders (and
 * applies the header overrides), so hostile names reach the reader exactly as an attacker would write them.
 */
export async function buildZip(entries: FixtureEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const placeholders = entries.map((entry, index) =>
    yazlRefuses(entry.name) ? placeholderFor(entry.name, index) : entry.name,
  );
  entries.forEach((entry, index) => {
    const placeholder = placeholders[index] ?? '';
    if (entry.name.endsWith('/')) {
      zip.addEmptyDirectory(placeholder, entry.mode !== undefined ? { mode: entry.mode } : {});
      return;
    }
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? '');
    zip.addBuffer(data, placeholder, {
      compress: entry.compress ?? true,
      ...(entry.mode !== undefined ? { mode: entry.mode } : {}),
    });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const buffer = Buffer.concat(chunks);
  entries.forEach((entry, index) => {
    if (placeholders[index] === entry.name) return;
    const from = Buffer.from(placeholders[index] ?? '');
    const to = Buffer.from(entry.name);
    let at = buffer.indexOf(from);
    while (at >= 0) {
      to.copy(buffer, at);
      at = buffer.indexOf(from, at + to.length);
    }
  });
  patchCentralDirectory(buffer, entries);
  return buffer;
}

/** Names yazl would normalise or reject (it guards against the very paths these fixtures need). */
function yazlRefuses(name: string): boolean {
  return name.includes('\\') || /^([a-zA-Z]:|\/)/.test(name) || name.split('/').includes('..');
}

function placeholderFor(name: string, index: number): string {
  const length = Buffer.byteLength(name);
  const isDirectory = name.endsWith('/');
  const id = `#${String.fromCharCode(97 + Math.floor(index / 26))}${String.fromCharCode(97 + (index % 26))}`;
  const body = id.padEnd(length - (isDirectory ? 1 : 0), '#');
  if (Buffer.byteLength(body) + (isDirectory ? 1 : 0) !== length)
    throw new Error(`name too short for a fixture: ${name}`);
  return isDirectory ? `${body}/` : body;
}

function patchCentralDirectory(buffer: Buffer, entries: FixtureEntry[]): void {
  let at = buffer.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  let index = 0;
  while (at >= 0 && index < entries.length) {
    const entry = entries[index];
    if (entry?.externalAttributes !== undefined)
      buffer.writeUInt32LE(entry.externalAttributes >>> 0, at + 38);
    if (entry?.declaredSize !== undefined) buffer.writeUInt32LE(entry.declaredSize, at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    at = buffer.indexOf(
      Buffer.from([0x50, 0x4b, 0x01, 0x02]),
      at + 46 + nameLength + extraLength + commentLength,
    );
    index += 1;
  }
}

/** A stored entry of a zip written byte by byte, for headers no zip library would write. */
export interface HandMadeEntry {
  name: string;
  data: Buffer;
  /** An extra field in the local header only (the central directory's has none). */
  localExtra?: Buffer;
  /** Overrides the local header's signature. */
  localSignature?: number;
}

/** A zip of stored entries whose local headers may differ from the central directory. */
export function handMadeZip(entries: HandMadeEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const extra = entry.localExtra ?? Buffer.alloc(0);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(entry.localSignature ?? 0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + extra.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
