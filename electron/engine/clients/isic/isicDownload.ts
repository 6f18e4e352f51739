import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { CourierError } from '../../../../shared/errors';
import { httpFailure } from '../httpFailure';
import type { IsicImage } from './isicTypes';
import { fsFailure, isFsError, openForWrite, partialPathFor, removeQuietly } from './partialFiles';
import { readText, timedFetch, type Deadlines } from './timedFetch';

/**
 * Downloads one file to a temporary name beside its destination and renames it into place only when
 * the byte count agrees with both the Content-Length and the size the API listed. A short body is
 * `isic-truncated` (retryable), never a silently smaller file.
 */

export interface DownloadContext {
  fetch: typeof fetch;
  deadlines: Deadlines;
  userAgent: string;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Digests of the bytes written, computed on the way when asked for (the file need not be read again). */
  sha1?: string;
  md5?: string;
}

const FLUSH_BYTES = 1024 * 1024;

/** isic-cli's name: `{isic_id}.{extension of the URL's path, default jpg}`. */
export function imageFileName(
  image: Pick<IsicImage, 'isic_id' | 'files'>,
  file: 'full' | 'thumbnail_256' = 'full',
): string {
  const url = image.files[file]?.url ?? image.files.full.url;
  let ext = 'jpg';
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    const dot = last.lastIndexOf('.');
    if (dot > 0 && /^[A-Za-z0-9]{1,5}$/.test(last.slice(dot + 1))) ext = last.slice(dot + 1);
  } catch {
    // Not a URL we can read: keep the default.
  }
  return file === 'full' ? `${image.isic_id}.${ext}` : `${image.isic_id}_thumbnail_256.${ext}`;
}

/** True when `destPath` is a file of exactly `size` bytes (isic-cli's skip rule, no hashing). */
export async function alreadyDownloaded(destPath: string, size: number): Promise<boolean> {
  try {
    const stat = await fsp.stat(destPath);
    return stat.isFile() && stat.size === size;
  } catch {
    return false;
  }
}

function truncated(what: string, received: number, expected: number, cause?: unknown): CourierError {
  return new CourierError({
    code: 'isic-truncated',
    message: `${what}: the file ended after ${received} of ${expected} bytes`,
    retryable: true,
    detail: { received, expected },
    cause,
  });
}

export async function downloadFile(
  url: string,
  destPath: string,
  opts: {
    expectedSize?: number | undefined;
    what: string;
    signal?: AbortSignal | undefined;
    digests?: boolean | undefined;
    /**
     * Write straight to `destPath`, without a temporary name and a rename: only for a private work
     * folder whose leftovers are cleared before reuse (a failed download still removes its file).
     */
    inPlace?: boolean | undefined;
  },
  ctx: DownloadContext,
): Promise<DownloadResult> {
  const { what } = opts;
  // Files come from the archive's bucket/CDN: no credentials go with them (signed URLs carry their own).
  const timed = await timedFetch(
    url,
    what,
    { headers: { 'User-Agent': ctx.userAgent }, signal: opts.signal },
    ctx.deadlines,
    ctx.fetch,
  );
  const response = timed.response;
  if (!response.ok) {
    const body = await readText(timed, 4096).catch(() => '');
    throw httpFailure(response.status, what, { retryAfter: response.headers.get('retry-after'), body });
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const expected = opts.expectedSize !== undefined && opts.expectedSize > 0 ? opts.expectedSize : undefined;
  if (expected !== undefined && Number.isFinite(declared) && declared > expected) {
    await timed.discard();
    throw sizeMismatch(what, declared, expected);
  }

  const temp = opts.inPlace ? destPath : partialPathFor(destPath);
  const sha1 = opts.digests ? createHash('sha1') : undefined;
  const md5 = opts.digests ? createHash('md5') : undefined;
  let handle: Awaited<ReturnType<typeof openForWrite>> | undefined;
  let received = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    handle ??= await openForWrite(temp);
    if (pendingBytes === 0) return;
    await handle.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  // A file that fits in one flush is written with one call: no handle kept open across awaits.
  const writeSmall = async () => {
    const body = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    try {
      await fsp.writeFile(temp, body, { flag: 'w' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fsp.mkdir(dirname(temp), { recursive: true });
      await fsp.writeFile(temp, body, { flag: 'w' });
    }
  };
  try {
    try {
      for await (const chunk of timed.chunks()) {
        received += chunk.length;
        if (expected !== undefined && received > expected) throw sizeMismatch(what, received, expected);
        sha1?.update(chunk);
        md5?.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= FLUSH_BYTES) await flush();
      }
    } catch (err) {
      // A connection cut mid-body is a truncation; timeouts and cancels keep their own codes.
      const code = err instanceof CourierError ? err.code : '';
      const full = Number.isFinite(declared) ? declared : expected;
      if (
        code !== 'timeout' &&
        code !== 'cancelled' &&
        full !== undefined &&
        received < full &&
        !isFsError(err)
      ) {
        throw truncated(what, received, full, err);
      }
      throw err;
    }
    if (Number.isFinite(declared) && received < declared) throw truncated(what, received, declared);
    if (expected !== undefined && received < expected) throw truncated(what, received, expected);
    if (expected !== undefined && received !== expected) throw sizeMismatch(what, received, expected);
    if (handle) {
      await flush();
      await handle.close();
      handle = undefined;
    } else {
      await writeSmall();
    }
    if (temp !== destPath) await fsp.rename(temp, destPath);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await removeQuietly(temp);
    throw isFsError(err) ? fsFailure(err, `${what} → ${destPath}`) : err;
  }
  if (!sha1 || !md5) return { path: destPath, bytes: received };
  return { path: destPath, bytes: received, sha1: sha1.digest('hex'), md5: md5.digest('hex') };
}

function sizeMismatch(what: string, actual: number, expected: number): CourierError {
  return new CourierError({
    code: 'isic-size-mismatch',
    message: `${what}: the file has ${actual} bytes but the archive listed ${expected}; search again to refresh its metadata`,
    attention: { reason: 'size-mismatch', actions: ['retry', 'skip'] },
    detail: { actual, expected },
  });
}
