import { close, createReadStream, open, read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import type { Entry } from 'yauzl';

const openFile = promisify(open);
const closeFile = promisify(close);

/** Bytes of the zip read at a time for yauzl: the central directory of thousands of entries in one read. */
const WINDOW = 1024 * 1024;

/**
 * The zip file as yauzl reads it: its reads (the end record, then the central directory, entry after
 * entry) are served from a window of the file read a megabyte at a time. yauzl's own reader asks the
 * file system twice per entry, which on a zip of thousands of small files costs more than their bytes.
 */
class WindowedReader extends yauzl.RandomAccessReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    super();
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    const from = position - this.windowStart;
    if (from >= 0 && from + length <= this.window.length) {
      this.window.copy(buffer, offset, from, from + length);
      setImmediate(callback, null, length);
      return;
    }
    const fresh = Buffer.allocUnsafe(Math.max(0, Math.min(Math.max(length, WINDOW), this.size - position)));
    read(this.fd, fresh, 0, fresh.length, position, (err, bytesRead) => {
      if (err) return callback(err);
      this.window = fresh.subarray(0, bytesRead);
      this.windowStart = position;
      const served = Math.min(length, bytesRead);
      this.window.copy(buffer, offset, 0, served);
      callback(null, served);
    });
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false });
  }

  override close(callback: (err: Error | null) => void): void {
    close(this.fd, (err) => callback(err));
  }
}

/** Opens a zip for yauzl (entries one at a time, names as raw bytes); the file closes with the zip. */
export async function openZipFile(zipPath: string, size: number): Promise<yauzl.ZipFile> {
  const fd = await openFile(zipPath, 'r');
  try {
    return await yauzl.fromRandomAccessReaderPromise(new WindowedReader(fd, size), size, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: false,
      autoClose: true,
    });
  } catch (err) {
    await closeFile(fd).catch(() => undefined);
    throw err;
  }
}

/** Room read past the central directory's idea of a local header, for extra fields that differ there. */
const HEAD_SLACK = 1024;

/**
 * Reads an entry's local header and, in the same read, as much of its data as fits in `buffer` (or
 * `upTo` bytes of it): where the data starts, and the part of it already read. The header is checked as
 * yauzl checks it: its signature, and that the data lies inside the file.
 */
export async function readEntryHead(
  zip: FileHandle,
  entry: Entry,
  buffer: Buffer,
  zipSize: number,
  upTo = entry.compressedSize,
): Promise<{ fileDataStart: number; head: Buffer }> {
  const offset = entry.relativeOffsetOfLocalHeader;
  if (offset + 30 > zipSize) throw new Error('its local header lies past the end of the zip');
  const guess = 30 + entry.fileNameLength + entry.extraFieldLength + HEAD_SLACK + upTo;
  const { bytesRead } = await zip.read(buffer, 0, Math.min(buffer.length, guess, zipSize - offset), offset);
  if (bytesRead < 30) throw new Error('the zip ends inside its local header');
  const signature = buffer.readUInt32LE(0);
  if (signature !== 0x04034b50) {
    throw new Error(`invalid local file header signature: 0x${signature.toString(16)}`);
  }
  const dataOffset = 30 + buffer.readUInt16LE(26) + buffer.readUInt16LE(28);
  const fileDataStart = offset + dataOffset;
  if (fileDataStart + entry.compressedSize > zipSize) {
    throw new Error(`its data overflows the zip: ${fileDataStart} + ${entry.compressedSize} > ${zipSize}`);
  }
  const start = Math.min(dataOffset, bytesRead);
  return {
    fileDataStart,
    head: buffer.subarray(start, Math.min(bytesRead, dataOffset + entry.compressedSize)),
  };
}
