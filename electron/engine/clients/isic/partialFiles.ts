import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CourierError } from '../../../../shared/errors';

/**
 * Temporary files live beside their destination as `.isic-partial.<pid>.<n>` (isic-cli's naming), so
 * a rename puts them in place atomically and a cleanup after a crash finds them.
 */

export const PARTIAL_PREFIX = '.isic-partial.';
let counter = 0;

export function partialPathFor(destPath: string): string {
  return path.join(path.dirname(destPath), `${PARTIAL_PREFIX}${process.pid}.${++counter}`);
}

/**
 * Removes partial files in `dir` (not recursive): this process's only, unless `anyProcess` (use that
 * at start-up after a crash, when no other download into the folder is running). Returns how many.
 */
export async function cleanupPartialFiles(
  dir: string,
  options: { anyProcess?: boolean } = {},
): Promise<number> {
  const prefix = options.anyProcess ? PARTIAL_PREFIX : `${PARTIAL_PREFIX}${process.pid}.`;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    try {
      await fsp.unlink(path.join(dir, name));
      removed++;
    } catch {
      // Already moved into place by a finishing download, or held by a scanner on Windows: leave it.
    }
  }
  return removed;
}

/** Turns a file-system error into a CourierError a person can act on. */
export function fsFailure(err: unknown, what: string): CourierError {
  if (err instanceof CourierError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code ?? 'EIO';
  const reason = err instanceof Error ? err.message : String(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new CourierError({
      code: 'disk-full',
      message: `${what}: the disk is full; free some space, then retry`,
      attention: { reason: 'disk-full', actions: ['retry', 'skip'] },
      cause: err,
    });
  }
  if (code === 'EACCES' || code === 'EROFS') {
    return new CourierError({
      code: `fs-${code.toLowerCase()}`,
      message: `${what}: not allowed to write there (${reason}); choose another folder or fix its permissions`,
      attention: { reason: 'permission', actions: ['retry', 'skip'] },
      cause: err,
    });
  }
  // EPERM/EBUSY on Windows are usually a virus scanner or indexer holding the new file for a moment.
  return new CourierError({
    code: `fs-${code.toLowerCase()}`,
    message: `${what}: ${reason}`,
    retryable: code === 'EPERM' || code === 'EBUSY' || code === 'EAGAIN' || code === 'EMFILE',
    cause: err,
  });
}

export function isFsError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

export async function removeQuietly(file: string): Promise<void> {
  await fsp.unlink(file).catch(() => undefined);
}

/** Opens a new file for writing, creating its folder when missing. */
export async function openForWrite(file: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(file, 'w');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    return await fsp.open(file, 'w');
  }
}

/**
 * Writes `content` to `destPath` through a temporary file, flushed to disk before the rename, so the
 * destination is either its old self or complete — never empty or half-written after a crash.
 */
export async function writeFileAtomic(
  destPath: string,
  content: string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<number> {
  const what = `writing ${destPath}`;
  const temp = partialPathFor(destPath);
  let handle: fsp.FileHandle | undefined;
  let bytes = 0;
  try {
    handle = await openForWrite(temp);
    const pieces = typeof content === 'string' || content instanceof Uint8Array ? [content] : content;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await handle!.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes));
      bytes += pendingBytes;
      pending = [];
      pendingBytes = 0;
    };
    for await (const piece of pieces) {
      const buffer = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece);
      pending.push(buffer);
      pendingBytes += buffer.length;
      if (pendingBytes >= 256 * 1024) await flush();
    }
    await flush();
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(temp, destPath);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await removeQuietly(temp);
    // Errors of the content's own source pass through unchanged; only the file system's are translated.
    throw isFsError(err) ? fsFailure(err, what) : err;
  }
  await syncDirectory(path.dirname(destPath));
  return bytes;
}

/** Makes the rename itself durable where the platform allows it (not on Windows). */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file itself is already flushed.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
