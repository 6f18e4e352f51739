/**
 * Reads the header of a DICOM file — only the bytes before the pixel data. Built for scans of hundreds
 * of thousands of files: in the common case one open, one read of a pooled 8 KiB chunk and one close per
 * file, no whole-file reads, and a per-file byte cap so that a hostile length cannot make it read a huge
 * file. Well-formed Part 10 headers are walked by `dicomFastWalk` without per-element objects; everything
 * else (no preamble, deflate, damage) goes through dicom-parser, which also explains what is wrong.
 * xnatuploader's guards are in `dicomGuards`.
 */
import { close, closeSync, open, openSync, read, readSync } from 'node:fs';
import { CourierError } from '../../../../shared/errors';
import type { WalkPlan, WalkScratch } from './dicomFastWalk';
import { makeScratch, makeWalkPlan, walkHeader } from './dicomFastWalk';
import type { FullParseLimits, Outcome } from './dicomFullParse';
import { describe, parseFull } from './dicomFullParse';
import type { DicomFields, DicomKeyword } from './dicomKeywords';
import { charsetEncoding, decodeValue, DEFAULT_KEYWORDS, DICOM_KEYWORDS } from './dicomKeywords';

export type { DicomFields, DicomKeyword } from './dicomKeywords';
export { DEFAULT_KEYWORDS, DICOM_KEYWORDS, isDicomKeyword } from './dicomKeywords';
export type { UploadGuard } from './dicomGuards';
export { classifyForUpload } from './dicomGuards';

export interface DicomHeader {
  /** From the file meta information, or the syntax a file without one was recognised as. */
  transferSyntaxUid: string;
  /** Whether the file had the 128-byte preamble, `DICM` and a file meta group. */
  part10: boolean;
  /** Values by keyword; absent elements are absent, empty ones ''; binary ones `binary (N bytes)`. */
  fields: DicomFields;
  /** Bytes read from the file. */
  bytesRead: number;
}

/** The three calls the reader makes; tests inject counting or failing versions. */
export interface HeaderFileIo {
  openSync(path: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

export interface DicomHeaderReaderOptions {
  /** Keywords to extract (default DEFAULT_KEYWORDS). */
  keywords?: readonly DicomKeyword[];
  /** Size of the first read (default 8 KiB); most headers fit in it, longer ones take a second read. */
  chunkBytes?: number;
  /** Most bytes read from one file (default 8 MiB); a header not finished by then is reported corrupt. */
  maxHeaderBytes?: number;
  /** Most bytes a deflated data set may inflate to while looking for its header (default 64 MiB). */
  maxInflatedBytes?: number;
  io?: HeaderFileIo;
  /** Walk well-formed headers without dicom-parser's per-element objects (default true; tests turn it off to compare). */
  fastPath?: boolean;
}

const nodeIo: HeaderFileIo = {
  openSync: (path) => openSync(path, 'r'),
  readSync: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  closeSync: (fd) => closeSync(fd),
};

/** Reads DICOM headers with a pool of reusable chunks; one reader serves a whole scan. */
export class DicomHeaderReader {
  private readonly keywords: readonly DicomKeyword[];
  private readonly limits: FullParseLimits;
  private readonly chunkBytes: number;
  private readonly io: HeaderFileIo;
  private readonly pool: Buffer[] = [];
  private readonly fastPath: boolean;
  /** The wanted keywords plus SpecificCharacterSet (needed to decode text) as the fast walk's slots. */
  private readonly plan: WalkPlan;
  private readonly scratch: WalkScratch;
  private readonly charsetSlot: number;
  /** How many headers each path read: the fast walk, or dicom-parser (unusual or damaged files). */
  readonly stats = { fast: 0, full: 0 };

  constructor(options: DicomHeaderReaderOptions = {}) {
    this.keywords = options.keywords ?? DEFAULT_KEYWORDS;
    const tags = this.keywords.map((k) => DICOM_KEYWORDS[k][0] as string).sort();
    const lastWantedTag = tags[tags.length - 1] ?? 'x00000000';
    this.chunkBytes = options.chunkBytes ?? 8 * 1024;
    this.limits = {
      keywords: this.keywords,
      lastWantedTag,
      lastWantedIsBinary: this.keywords.some(
        (k) => DICOM_KEYWORDS[k][0] === lastWantedTag && DICOM_KEYWORDS[k][1] === 'OB',
      ),
      chunkBytes: this.chunkBytes,
      maxHeaderBytes: Math.max(options.maxHeaderBytes ?? 8 * 1024 * 1024, this.chunkBytes),
      maxInflatedBytes: options.maxInflatedBytes ?? 64 * 1024 * 1024,
    };
    this.io = options.io ?? nodeIo;
    this.fastPath = options.fastPath ?? true;
    const slots = this.keywords.includes('SpecificCharacterSet')
      ? [...this.keywords]
      : [...this.keywords, 'SpecificCharacterSet' as const];
    this.charsetSlot = slots.indexOf('SpecificCharacterSet');
    this.plan = makeWalkPlan(
      slots.map((k) => DICOM_KEYWORDS[k][0]),
      slots.map((k) => DICOM_KEYWORDS[k][1]),
    );
    this.scratch = makeScratch(this.plan);
  }

  /** Reads one file's header synchronously (for a worker thread or a CLI loop). */
  readSync(path: string): DicomHeader {
    const io = this.io;
    let fd: number;
    try {
      fd = io.openSync(path);
    } catch (error) {
      throw unreadable(path, error);
    }
    let buffer = this.pool.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
    const pooled = buffer;
    try {
      let filled = 0;
      for (;;) {
        let n: number;
        try {
          n = io.readSync(fd, buffer, filled, buffer.length - filled, filled);
        } catch (error) {
          throw unreadable(path, error);
        }
        filled += n;
        const outcome = this.attempt(path, buffer, filled, filled < buffer.length);
        if ('header' in outcome) return outcome.header;
        buffer = grow(buffer, filled, outcome.needBytes);
      }
    } finally {
      this.pool.push(pooled);
      try {
        io.closeSync(fd);
      } catch {
        // Nothing was written; a failed close cannot lose data.
      }
    }
  }

  /** Reads one file's header on libuv's thread pool; run several at once to keep a disk busy. */
  read(path: string): Promise<DicomHeader> {
    if (this.io !== nodeIo) return new Promise((resolve) => resolve(this.readSync(path)));
    return new Promise((resolve, reject) => {
      open(path, 'r', (openError, fd) => {
        if (openError) return reject(unreadable(path, openError));
        const pooled = this.pool.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
        let buffer = pooled;
        let filled = 0;
        const finish = (error: unknown, header?: DicomHeader): void => {
          this.pool.push(pooled);
          close(fd, () => (header ? resolve(header) : reject(error)));
        };
        const step = (): void => {
          read(fd, buffer, filled, buffer.length - filled, filled, (readError, n) => {
            if (readError) return finish(unreadable(path, readError));
            filled += n;
            try {
              const outcome = this.attempt(path, buffer, filled, filled < buffer.length);
              if ('header' in outcome) return finish(undefined, outcome.header);
              buffer = grow(buffer, filled, outcome.needBytes);
              step();
            } catch (error) {
              finish(error);
            }
          });
        };
        step();
      });
    });
  }

  /** Parses what has been read so far: a header, or how many bytes to read before trying again. */
  private attempt(path: string, buffer: Buffer, filled: number, eof: boolean): Outcome {
    if (this.fastPath) {
      const walked = walkHeader(buffer, filled, this.plan, this.scratch);
      // Past the limit or the end of the file, dicom-parser's path below names the element at fault.
      if (walked && 'needBytes' in walked) {
        if (!eof && walked.needBytes <= this.limits.maxHeaderBytes) return { needBytes: walked.needBytes };
      } else if (walked) {
        this.stats.fast++;
        const fields = this.fieldsFromWalk(buffer, walked.bigEndian);
        return {
          header: { transferSyntaxUid: walked.transferSyntaxUid, part10: true, fields, bytesRead: filled },
        };
      }
    }
    return parseFull(path, buffer, filled, eof, this.limits, this.stats);
  }

  private fieldsFromWalk(bytes: Buffer, bigEndian: boolean): DicomFields {
    const { offsets, lengths } = this.scratch;
    const { vrs } = this.plan;
    const at = this.charsetSlot;
    const charset =
      offsets[at]! >= 0 ? decodeValue(bytes, offsets[at]!, lengths[at]!, 'CS', undefined, false) : undefined;
    const encoding = charsetEncoding(charset);
    const fields: DicomFields = {};
    const keywords = this.keywords;
    // Slots follow `keywords`; the charset may sit in one extra slot after them, never reported.
    for (let slot = 0; slot < keywords.length; slot++) {
      const offset = offsets[slot]!;
      if (offset < 0) continue;
      const value = decodeValue(bytes, offset, lengths[slot]!, vrs[slot]!, encoding, bigEndian);
      if (value !== undefined) fields[keywords[slot]!] = value;
    }
    return fields;
  }
}

function grow(buffer: Buffer, filled: number, size: number): Buffer {
  const bigger = Buffer.allocUnsafe(size);
  buffer.copy(bigger, 0, 0, filled);
  return bigger;
}

function unreadable(path: string, error: unknown): CourierError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const why: Record<string, string> = {
    ENOENT: 'it no longer exists',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a folder',
    EMFILE: 'too many files are open',
    ENFILE: 'too many files are open',
  };
  return new CourierError({
    code: 'file-unreadable',
    message: `Cannot read ${path}: ${why[code] ?? describe(error)}.`,
    retryable: code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN' || code === 'EBUSY',
    detail: { path, errno: code },
    cause: error,
  });
}

let shared: DicomHeaderReader | undefined;

/** Reads a file's header with a shared default reader. */
export function readDicomHeader(path: string): Promise<DicomHeader> {
  shared ??= new DicomHeaderReader();
  return shared.read(path);
}

/** Synchronous twin of `readDicomHeader`. */
export function readDicomHeaderSync(path: string): DicomHeader {
  shared ??= new DicomHeaderReader();
  return shared.readSync(path);
}
