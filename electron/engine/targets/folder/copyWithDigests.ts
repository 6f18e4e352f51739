import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileCalls } from '../../fileCalls';

export interface Digests {
  size: number;
  sha1: string;
  md5: string;
}

/** Streams a file through SHA-1 and MD5 without keeping it in memory. */
export async function digestFile(path: string, signal?: AbortSignal): Promise<Digests> {
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    sha1.update(buf);
    md5.update(buf);
    size += buf.length;
  }
  return { size, sha1: sha1.digest('hex'), md5: md5.digest('hex') };
}

/**
 * Copies `from` to `to` through a temporary file beside it, hashing on the way, syncing to disk and
 * renaming into place: a crash leaves either the old state or the whole new file, never half a file.
 */
export async function copyWithDigests(
  from: string,
  to: string,
  opts: { signal?: AbortSignal; onProgress?: (done: number) => void } = {},
): Promise<Digests> {
  await mkdir(dirname(to), { recursive: true });
  const part = `${to}.courier-part`;
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sha1.update(chunk);
      md5.update(chunk);
      size += chunk.length;
      opts.onProgress?.(size);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(from, { highWaterMark: 1 << 20 }), hasher, createWriteStream(part), {
      signal: opts.signal,
    });
    const handle = await open(part, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(part, to);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  return { size, sha1: sha1.digest('hex'), md5: md5.digest('hex') };
}

/**
 * Moves a temporary file of the engine's into place after hashing it (one read, no copy). Returns null
 * when the destination is on another file system, so the caller copies instead.
 */
export async function moveIntoPlace(
  from: string,
  to: string,
  signal?: AbortSignal,
  known?: Digests,
): Promise<Digests | null> {
  const digests = known ?? (await digestFile(from, signal));
  try {
    // Most files go to a folder an earlier one made: the folder is made only when the rename needs it.
    await fileCalls.rename(from, to).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(dirname(to), { recursive: true });
      await fileCalls.rename(from, to);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EXDEV') return null;
    throw err;
  }
  return digests;
}
