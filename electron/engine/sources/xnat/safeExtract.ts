import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { crc32, createInflateRaw, inflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry } from 'yauzl';
import { CourierError } from '../../../../shared/errors';
import { openZipFile, readEntryHead } from './zipReader';

export interface ZipLimits {
  maxEntries: number;
  /** Bytes all entries may inflate to, together. */
  maxTotalBytes: number;
  /** Largest inflated/compressed ratio, per entry and for the whole archive. */
  maxRatio: number;
  /** Ratios are judged only past this many inflated bytes (tiny files compress absurdly well). */
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

export interface ExtractedFile {
  /** Relative path inside the output folder, with `/`. */
  path: string;
  size: number;
  md5: string;
  /** Only when asked for (`sha1: true`). */
  sha1?: string;
}

export interface SafeExtractOptions {
  zipPath: string;
  /** The folder that receives the output folder. */
  parentDir: string;
  /** One plain folder name (checked: no separators, `..`, drive letters…). */
  folderName: string;
  limits?: Partial<ZipLimits>;
  /** When the output folder exists: fail (default), replace it, or merge into it (same paths overwritten). */
  existing?: 'fail' | 'replace' | 'merge';
  onProgress?: (progress: { entries: number; totalEntries: number; bytes: number }) => void;
  signal?: AbortSignal;
  /** Also compute each file's SHA-1 while inflating (spares a caller reading every file again). */
  sha1?: boolean;
}

/**
 * Extracts a zip into `parentDir/folderName` safely: every entry's full path and type is checked before
 * anything is written (no `..`, absolute paths, drive letters, backslashes, links or special files, no
 * duplicate or colliding names), sizes and ratios are checked from the headers and again while inflating,
 * the bytes go to a temporary folder beside the destination that is renamed into place, and nothing is
 * left behind on failure. Memory stays bounded whatever the zip's size. Returns the files with size and MD5 (and SHA-1 when asked).
 */
export async function safeExtract(
  options: SafeExtractOptions,
): Promise<{ folder: string; files: ExtractedFile[] }> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits };
  const existing = options.existing ?? 'fail';
  const folder = resolveOutputFolder(options.parentDir, options.folderName);
  const parent = path.dirname(folder);
  if (existing === 'fail' && (await exists(folder))) {
    throw zipError('zip-destination-exists', `The output folder ${folder} already exists`, {});
  }
  const zipSize = (await stat(options.zipPath)).size;
  await validateEntries(options.zipPath, zipSize, limits);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(path.join(parent, `.${options.folderName}.extracting-`));
  try {
    const files = await extractEntries(options, limits, zipSize, temp);
    await moveIntoPlace(temp, folder, existing, files);
    return { folder, files };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The output folder for a user- or server-given name; throws `zip-unsafe-output` for anything but a plain name. */
export function resolveOutputFolder(parentDir: string, folderName: string): string {
  const problem = componentProblem(folderName);
  if (problem || folderName.includes('/') || folderName.includes('\\')) {
    throw zipError(
      'zip-unsafe-output',
      `The output folder name ${JSON.stringify(folderName)} is not a plain folder name${problem ? ` (${problem})` : ' (it contains a path separator)'}`,
      {
        folderName,
      },
    );
  }
  const parent = path.resolve(parentDir);
  const folder = path.join(parent, folderName);
  if (path.relative(parent, folder) !== folderName) {
    throw zipError(
      'zip-unsafe-output',
      `The output folder name ${JSON.stringify(folderName)} leaves ${parent}`,
      { folderName },
    );
  }
  return folder;
}

/** Why an entry name is unsafe, or its normalised path components. Exposed for tests and previews. */
export function checkEntryName(
  name: string,
): { parts: string[]; isDirectory: boolean } | { problem: string } {
  if (name === '') return { problem: 'it has an empty name' };
  if (name.includes('\\')) return { problem: 'it contains a backslash (a Windows path separator)' };
  if (name.startsWith('/')) return { problem: 'it is an absolute path' };
  if (/^[A-Za-z]:/.test(name)) return { problem: 'it starts with a drive letter' };
  if (Buffer.byteLength(name) > 4096) return { problem: 'its path is too long' };
  const isDirectory = name.endsWith('/');
  const raw = (isDirectory ? name.slice(0, -1) : name).split('/');
  const parts: string[] = [];
  for (const part of raw) {
    if (part === '.') continue;
    if (part === '..') return { problem: 'it steps out of its folder with ..' };
    if (part === '') return { problem: 'it has an empty path component (//)' };
    const problem = componentProblem(part);
    if (problem) return { problem };
    parts.push(part);
  }
  if (parts.length === 0) return { problem: 'it names no file' };
  return { parts, isDirectory };
}

/** Why one path component is unsafe on some system (Windows, XNAT's own archives), or null when it is fine. */
export function componentProblem(part: string): string | null {
  if (part === '' || part === '.' || part === '..') return 'it is empty, . or ..';
  if (part.includes('\\')) return 'it contains a backslash (a Windows path separator)';
  if ([...part].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return 'it contains control characters';
  }
  if (part.includes(':')) return 'it contains a colon (a drive letter or an alternate data stream)';
  if (/[<>"|?*]/.test(part)) return 'it contains characters Windows forbids in names (<>"|?*)';
  if (/[. ]$/.test(part)) return 'a name ends with a dot or a space (Windows would change it)';
  if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(part)) return 'it uses a reserved device name';
  if (Buffer.byteLength(part) > 255) return 'a name is longer than 255 bytes';
  return null;
}

function entryName(entry: Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
}

/** Rejects links, devices, FIFOs, sockets and Windows reparse points, from the external attributes. */
function typeProblem(entry: Entry, isDirectory: boolean): string | null {
  const madeBy = entry.versionMadeBy >> 8;
  const dosAttributes = entry.externalFileAttributes & 0xffff;
  if (dosAttributes & 0x400) return 'it is a Windows reparse point (a link)';
  if (madeBy === 3 || madeBy === 19) {
    const type = (entry.externalFileAttributes >>> 16) & 0o170000;
    if (type === 0o120000) return 'it is a symbolic link';
    if (type !== 0 && type !== 0o100000 && type !== 0o040000)
      return 'it is a special file (device, FIFO or socket)';
    if (type === 0o040000 && !isDirectory) return 'it is marked as a folder but named as a file';
  }
  if (dosAttributes & 0x10 && !isDirectory) return 'it is marked as a folder but named as a file';
  return null;
}

/** Pass 1: reads only the central directory and refuses the zip before a byte is written. */
async function validateEntries(zipPath: string, zipSize: number, limits: ZipLimits): Promise<void> {
  const zip = await openZip(zipPath, zipSize);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw zipError(
      'zip-bomb',
      `The zip has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`,
      {},
    );
  }
  const files = new Map<string, string>();
  const folders = new Set<string>();
  let declared = 0;
  for await (const entry of iterate(zip)) {
    const name = entryName(entry);
    const checked = checkEntryName(name);
    if ('problem' in checked) throw entryError('zip-unsafe-path', name, checked.problem);
    const typeIssue = typeProblem(entry, checked.isDirectory);
    if (typeIssue) throw entryError('zip-special-file', name, typeIssue);
    if (entry.generalPurposeBitFlag & 0x1) throw entryError('zip-encrypted', name, 'it is encrypted');
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw entryError('zip-unsupported', name, `it uses compression method ${entry.compressionMethod}`);
    }
    declared += entry.uncompressedSize;
    if (declared > limits.maxTotalBytes) {
      throw entryError(
        'zip-bomb',
        name,
        `the entries declare more than ${limits.maxTotalBytes} bytes in total`,
      );
    }
    if (ratioExceeded(entry.uncompressedSize, entry.compressedSize, limits)) {
      throw entryError('zip-bomb', name, `it declares a compression ratio above ${limits.maxRatio}:1`);
    }
    checkCollisions(name, checked.parts, checked.isDirectory, files, folders);
  }
}

function checkCollisions(
  name: string,
  parts: string[],
  isDirectory: boolean,
  files: Map<string, string>,
  folders: Set<string>,
) {
  const fold = (p: string[]) => p.join('/').normalize('NFC').toLowerCase();
  for (let i = 1; i < parts.length; i++) {
    const ancestor = fold(parts.slice(0, i));
    const clash = files.get(ancestor);
    if (clash !== undefined)
      throw entryError(
        'zip-name-collision',
        name,
        `its folder collides with the file ${JSON.stringify(clash)}`,
      );
    folders.add(ancestor);
  }
  const key = fold(parts);
  const clash = files.get(key);
  if (isDirectory) {
    if (clash !== undefined)
      throw entryError('zip-name-collision', name, `it collides with the file ${JSON.stringify(clash)}`);
    folders.add(key);
    return;
  }
  if (clash !== undefined) {
    if (clash === name) throw entryError('zip-duplicate-entry', name, 'it appears twice');
    throw entryError(
      'zip-name-collision',
      name,
      `it collides with ${JSON.stringify(clash)} once Unicode normalisation and letter case are ignored`,
    );
  }
  if (folders.has(key))
    throw entryError('zip-name-collision', name, 'a folder of the same name exists in the zip');
  files.set(key, name);
}

/** Pass 2: inflates the entries into `temp`, a few at a time, re-checking sizes, ratios and CRCs on the real bytes. */
async function extractEntries(
  options: SafeExtractOptions,
  limits: ZipLimits,
  zipSize: number,
  temp: string,
): Promise<ExtractedFile[]> {
  const zip = await openZip(options.zipPath, zipSize);
  const zipHandle = await open(options.zipPath, 'r');
  try {
    return await extractWith(zip, zipHandle, options, limits, zipSize, temp);
  } finally {
    await zipHandle.close();
  }
}

/** Bytes read from the zip at a time: large reads keep the system calls and buffers few. */
const READ_CHUNK = 512 * 1024;

/**
 * Entries written at the same time. Each small file costs a handful of file-system calls whose waits,
 * one after another, would take longer than its bytes; a few at once overlap them, and overlap one
 * entry's hashing with another's reads and writes.
 */
const PARALLEL_ENTRIES = 4;

/** A deflated entry this small (both ways) is inflated in one call instead of through streams. */
const INFLATE_AT_ONCE = 4 * 1024 * 1024;

const inflateAtOnce = promisify(inflateRaw);

/**
 * Writes an entry to `target` (which must not exist yet) through `check`, reading straight from the
 * zip: its local header and first bytes in one read (see readEntryHead), then the rest through
 * `buffer`. A stored entry is copied read by read; a small deflated one is inflated in one call, a
 * larger one streams through zlib.
 */
async function writeEntry(
  entry: Entry,
  zipHandle: FileHandle,
  zipSize: number,
  target: string,
  check: EntryCheck,
  buffer: Buffer,
  signal: AbortSignal,
): Promise<void> {
  const deflated = entry.compressionMethod === 8;
  if (!deflated && entry.compressionMethod !== 0) {
    throw new Error(`compression method ${entry.compressionMethod} is not supported`);
  }
  const atOnce =
    deflated && entry.compressedSize <= READ_CHUNK / 2 && entry.uncompressedSize <= INFLATE_AT_ONCE;
  const { fileDataStart, head } = await readEntryHead(
    zipHandle,
    entry,
    buffer,
    zipSize,
    deflated && !atOnce ? 0 : entry.compressedSize,
  );
  if (deflated && !(atOnce && head.length === entry.compressedSize)) {
    const raw =
      entry.compressedSize === 0
        ? Readable.from([])
        : createReadStream('', {
            fd: zipHandle.fd,
            start: fileDataStart,
            end: fileDataStart + entry.compressedSize - 1,
            highWaterMark: READ_CHUNK,
            autoClose: false,
          });
    const sink = createWriteStream(target, { flags: 'wx', highWaterMark: READ_CHUNK });
    await pipeline(raw, createInflateRaw({ chunkSize: 256 * 1024 }), new CheckStage(check), sink, {
      signal,
    });
    return;
  }
  const out = await open(target, 'wx');
  try {
    let chunk = deflated ? await inflated(head, check) : head;
    for (let done = head.length; ;) {
      const refused = check.add(chunk);
      if (refused) throw refused;
      for (let written = 0; written < chunk.length;) {
        written += (await out.write(chunk, written, chunk.length - written)).bytesWritten;
      }
      if (done >= entry.compressedSize) break;
      if (signal.aborted) throw extractionCancelled();
      const want = Math.min(buffer.length, entry.compressedSize - done);
      const { bytesRead } = await zipHandle.read(buffer, 0, want, fileDataStart + done);
      if (bytesRead === 0) throw new Error('the zip ends inside it');
      chunk = buffer.subarray(0, bytesRead);
      done += bytesRead;
    }
    const refused = check.finish();
    if (refused) throw refused;
  } finally {
    await out.close();
  }
}

/** A small deflated entry's bytes, inflated in one call that stops past the size its header declares. */
async function inflated(compressed: Buffer, check: EntryCheck): Promise<Buffer> {
  if (compressed.length === 0) return compressed;
  try {
    return await inflateAtOnce(compressed, { maxOutputLength: check.declared + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw check.overflow();
    throw err;
  }
}

async function extractWith(
  zip: yauzl.ZipFile,
  zipHandle: FileHandle,
  options: SafeExtractOptions,
  limits: ZipLimits,
  zipSize: number,
  temp: string,
): Promise<ExtractedFile[]> {
  const files: ExtractedFile[] = [];
  const totals = { bytes: 0, entries: 0 };
  // Each entry in progress has its own buffer, reused from entry to entry, so a gigabyte of entries does
  // not become thousands of short-lived buffers for the garbage collector.
  const buffers = Array.from({ length: PARALLEL_ENTRIES }, () => Buffer.allocUnsafe(READ_CHUNK));
  // The first failure stops the entries still in progress; the caller's cancel does the same.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const running = new Set<Promise<void>>();
  let failure: CourierError | undefined;
  const folders = new Map<string, Promise<unknown>>();
  const folder = (dir: string) => {
    let made = folders.get(dir);
    if (!made) folders.set(dir, (made = mkdir(dir, { recursive: true })));
    return made;
  };
  const settled = () =>
    options.onProgress?.({ entries: ++totals.entries, totalEntries: zip.entryCount, bytes: totals.bytes });
  try {
    for await (const entry of iterate(zip)) {
      if (failure) break;
      if (options.signal?.aborted) throw extractionCancelled();
      const name = entryName(entry);
      const checked = checkEntryName(name);
      if ('problem' in checked) throw entryError('zip-unsafe-path', name, checked.problem);
      const target = path.join(temp, ...checked.parts);
      const relative = path.relative(temp, target);
      if (relative.startsWith('..') || path.isAbsolute(relative))
        throw entryError('zip-unsafe-path', name, 'it leaves the output folder');
      if (checked.isDirectory) {
        await folder(target);
        settled();
        continue;
      }
      while (running.size >= PARALLEL_ENTRIES) await Promise.race(running);
      if (failure) break;
      const buffer = buffers.pop() ?? Buffer.allocUnsafe(READ_CHUNK);
      const index = files.push({ path: '', size: 0, md5: '' }) - 1;
      const check = new EntryCheck(entry, name, limits, zipSize, totals, options.sha1 === true);
      const task = folder(path.dirname(target))
        .then(() => writeEntry(entry, zipHandle, zipSize, target, check, buffer, signal))
        .then(
          () => {
            files[index] = { path: checked.parts.join('/'), size: check.bytes, ...check.digests() };
            settled();
          },
          (err: unknown) => {
            failure ??= entryFailure(err, name, options.signal?.aborted === true);
            stop.abort();
          },
        )
        .finally(() => {
          buffers.push(buffer);
          running.delete(task);
        });
      running.add(task);
    }
  } catch (err) {
    // Nothing is reported, and the temporary folder is not removed, before every write has ended.
    stop.abort();
    await Promise.all(running);
    throw err;
  }
  await Promise.all(running);
  if (failure) throw failure;
  return files;
}

function extractionCancelled(): CourierError {
  return new CourierError({ code: 'cancelled', message: 'Extraction cancelled' });
}

/** Why an entry could not be written, as the error the whole extraction ends with. */
function entryFailure(err: unknown, name: string, cancelledByCaller: boolean): CourierError {
  if (err instanceof CourierError) return err;
  if (cancelledByCaller) return extractionCancelled();
  return entryError(
    'zip-corrupt',
    name,
    `it cannot be read (${err instanceof Error ? err.message : String(err)})`,
  );
}

async function moveIntoPlace(
  temp: string,
  folder: string,
  existing: 'fail' | 'replace' | 'merge',
  files: ExtractedFile[],
) {
  if (existing === 'merge' && (await exists(folder))) {
    for (const file of files) {
      const parts = file.path.split('/');
      await refuseLinkedAncestors(folder, parts);
      const dest = path.join(folder, ...parts);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(path.join(temp, ...parts), dest);
    }
    return;
  }
  if (existing === 'replace' && (await exists(folder))) {
    const old = `${temp}.old`;
    await rename(folder, old);
    await rename(temp, folder);
    await rm(old, { recursive: true, force: true });
    return;
  }
  try {
    await rename(temp, folder);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw zipError('zip-destination-exists', `The output folder ${folder} already exists`, {});
    }
    throw err;
  }
}

/** Merging must not follow a symlink that sits in the existing output folder. */
async function refuseLinkedAncestors(folder: string, parts: string[]): Promise<void> {
  let current = folder;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const info = await lstat(current).catch(() => null);
    if (info?.isSymbolicLink()) {
      throw zipError(
        'zip-unsafe-path',
        `The output folder holds a symbolic link at ${current}; refusing to write through it`,
        {},
      );
    }
  }
  const last = await lstat(path.join(folder, ...parts)).catch(() => null);
  if (last?.isSymbolicLink() || last?.isDirectory()) {
    throw zipError('zip-name-collision', `${path.join(folder, ...parts)} exists and is not a plain file`, {});
  }
}

/** Counts, hashes and CRC-checks an entry's bytes, stopping a bomb as soon as a limit is crossed. */
class EntryCheck {
  bytes = 0;
  private crc = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly sha1: Hash | undefined;

  constructor(
    private readonly entry: Entry,
    private readonly name: string,
    private readonly limits: ZipLimits,
    private readonly zipSize: number,
    private readonly totals: { bytes: number },
    withSha1: boolean,
  ) {
    this.sha1 = withSha1 ? createHash('sha1') : undefined;
  }

  /** The size the entry's header declares. */
  get declared(): number {
    return this.entry.uncompressedSize;
  }

  /** Why an entry that inflates past its declared size is refused. */
  overflow(): CourierError {
    return entryError(
      'zip-bomb',
      this.name,
      `it inflates past the ${this.declared} bytes its header declares`,
    );
  }

  /** Takes the next bytes, or returns why the entry must be refused. */
  add(chunk: Uint8Array): CourierError | undefined {
    this.bytes += chunk.length;
    this.totals.bytes += chunk.length;
    const { limits, entry } = this;
    if (this.bytes > entry.uncompressedSize) return this.overflow();
    if (this.totals.bytes > limits.maxTotalBytes) {
      return entryError(
        'zip-bomb',
        this.name,
        `the zip inflates past ${limits.maxTotalBytes} bytes in total`,
      );
    }
    if (
      ratioExceeded(this.bytes, entry.compressedSize, limits) ||
      ratioExceeded(this.totals.bytes, this.zipSize, limits)
    ) {
      return entryError(
        'zip-bomb',
        this.name,
        `it inflates more than ${limits.maxRatio} times its compressed size`,
      );
    }
    this.md5.update(chunk);
    this.sha1?.update(chunk);
    this.crc = crc32(chunk, this.crc);
    return undefined;
  }

  /** After the last bytes: whether the entry held what its header declares. */
  finish(): CourierError | undefined {
    if (this.bytes !== this.entry.uncompressedSize) {
      return entryError(
        'zip-corrupt',
        this.name,
        `it holds ${this.bytes} bytes, not the ${this.entry.uncompressedSize} declared`,
      );
    }
    if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      return entryError('zip-corrupt', this.name, 'its CRC-32 does not match (damaged data)');
    }
    return undefined;
  }

  /** MD5 (XNAT's digest) and, when asked for, SHA-1 of the bytes written. */
  digests(): { md5: string; sha1?: string } {
    const md5 = this.md5.digest('hex');
    return this.sha1 ? { md5, sha1: this.sha1.digest('hex') } : { md5 };
  }
}

/** An entry's check as a stream stage, for entries that are inflated. */
class CheckStage extends Transform {
  constructor(private readonly check: EntryCheck) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const refused = this.check.add(chunk);
    if (refused) callback(refused);
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.check.finish());
  }
}

function ratioExceeded(inflated: number, compressed: number, limits: ZipLimits): boolean {
  return inflated > limits.ratioFloorBytes && inflated / Math.max(compressed, 1) > limits.maxRatio;
}

async function openZip(zipPath: string, zipSize: number): Promise<yauzl.ZipFile> {
  try {
    return await openZipFile(zipPath, zipSize);
  } catch (err) {
    throw zipError(
      'zip-corrupt',
      `${zipPath} is not a readable zip (${err instanceof Error ? err.message : String(err)})`,
      {},
    );
  }
}

async function* iterate(zip: yauzl.ZipFile): AsyncGenerator<Entry> {
  const entries = zip.eachEntry();
  try {
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw zipError(
          'zip-corrupt',
          `The zip's directory is damaged (${err instanceof Error ? err.message : String(err)})`,
          {},
        );
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    zip.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

function entryError(code: string, name: string, problem: string): CourierError {
  return zipError(code, `Zip entry ${JSON.stringify(name)} was refused: ${problem}`, { entry: name });
}

function zipError(code: string, message: string, detail: Record<string, unknown>): CourierError {
  return new CourierError({ code, message, retryable: false, detail });
}
