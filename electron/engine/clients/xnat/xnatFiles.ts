import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { CourierError } from '../../../../shared/errors';
import { fileCalls } from '../../fileCalls';
import { xnatNotFound } from './xnatErrors';
import { getRows } from './xnatJson';
import { ReadBuffers } from './readBuffers';
import { describeOwner, filePath, resourcePath } from './xnatPaths';
import type { XnatFileTarget, XnatOwner } from './xnatPaths';
import type { XnatBody, XnatSession } from './xnatSession';

export interface XnatFile {
  /** `Name` as listed (the last path component). */
  name: string;
  /** Path inside the resource, decoded from the listed `URI`. */
  path: string;
  size: number;
  uri: string;
  /** MD5 hex, or null when the site does not keep checksums. */
  digest: string | null;
}

export interface PutFileResult {
  md5: string;
  size: number;
  /** The digest XNAT lists for the file; null when not verified or when the site keeps none. */
  serverDigest: string | null;
  /** XNAT already had a file of that name and kept it (200 + `duplicates`). */
  duplicate: boolean;
  verified: boolean;
}

function resourceMissing(owner: XnatOwner, resource: string) {
  return () =>
    xnatNotFound(
      'resource',
      `${describeOwner(owner)} has no resource '${resource}' (or the ${owner.scan ? 'scan' : 'experiment'} is missing)`,
      { ...owner, resource },
    );
}

/** The files of a resource with their MD5 `digest`. */
export async function listFiles(
  session: XnatSession,
  owner: XnatOwner,
  resource: string,
): Promise<XnatFile[]> {
  const rows = await getRows(
    session,
    {
      path: `${resourcePath(owner, resource)}/files`,
      what: `listing resource '${resource}' of ${describeOwner(owner)}`,
    },
    resourceMissing(owner, resource),
  );
  return rows.map((row) => {
    const uri = row.URI ?? '';
    const marker = uri.indexOf('/files/');
    return {
      name: row.Name ?? '',
      path: marker >= 0 ? safeDecode(uri.slice(marker + '/files/'.length)) : (row.Name ?? ''),
      size: Number(row.Size ?? 0),
      uri,
      digest: row.digest ? row.digest.toLowerCase() : null,
    };
  });
}

export interface PutFileOptions {
  overwrite?: boolean;
  verify?: boolean;
  signal?: AbortSignal;
  /** The file's size as the caller has just read it (saves a look at the disk); a file of another size is refused as changed. */
  size?: number;
}

/**
 * Uploads one file with a single PUT (streamed from disk above 4 MiB; the MD5 is computed from exactly the
 * bytes sent), then, unless
 * `verify` is false, compares it with the digest XNAT lists: a mismatch throws `digest-mismatch` naming both
 * (see `digestMismatch`).
 */
export async function putFile(
  session: XnatSession,
  localPath: string,
  target: XnatFileTarget,
  options: PutFileOptions = {},
): Promise<PutFileResult> {
  const what = `upload of ${target.name} to resource '${target.resource}' of ${describeOwner(target.owner)}`;
  const size =
    options.size ??
    (await stat(localPath).then(
      (s) => s.size,
      (err: unknown) => {
        throw unreadable(what, localPath, err);
      },
    ));
  const sent = await sendFile(session, localPath, size, target, what, options);
  const md5 = sent.md5;
  const text = sent.answer;
  const duplicate = /"duplicates"\s*:/.test(text);
  if (options.verify === false) return { md5, size, serverDigest: null, duplicate, verified: false };

  const listed = findListed(await listFiles(session, target.owner, target.resource), target.name);
  if (!listed) {
    throw new CourierError({
      code: 'xnat-file-missing',
      message: `${what}: XNAT accepted the file but does not list it in resource '${target.resource}'`,
      retryable: true,
    });
  }
  if (listed.digest === null) return { md5, size, serverDigest: null, duplicate, verified: false };
  if (listed.digest !== md5) throw digestMismatch(what, listed.digest, md5, duplicate);
  return { md5, size, serverDigest: listed.digest, duplicate, verified: true };
}

/**
 * XNAT lists another MD5 than the bytes sent. When the copy is the one just sent (damaged on the way, or
 * misreported), sending it again with overwrite replaces it: retryable, and a person decides (retry or
 * skip) if it is still wrong after the last attempt. When XNAT kept a different file that was already
 * there (`duplicate`), sending again changes nothing: a person approves replacing it, or skips the file.
 */
export function digestMismatch(
  what: string,
  serverDigest: string,
  localMd5: string,
  duplicate: boolean,
): CourierError {
  const detail = { localMd5, serverDigest, duplicate };
  const mismatch = `${what}: XNAT holds MD5 ${serverDigest} but the local file's MD5 is ${localMd5}`;
  if (duplicate) {
    return new CourierError({
      code: 'digest-mismatch',
      message: `${mismatch} (a different file of that name was already there and was kept; approve to replace it, or skip this file)`,
      attention: { reason: 'name-conflict', actions: ['approve', 'skip'] },
      detail,
    });
  }
  return new CourierError({
    code: 'digest-mismatch',
    message: mismatch,
    retryable: true,
    attention: { reason: 'digest-mismatch', actions: ['retry', 'skip'] },
    detail,
  });
}

/** Files up to this size are read in one go (one disk read, no stream set-up); larger ones are streamed. */
const WHOLE_READ_LIMIT = 4 * 1024 * 1024;

/** The buffers those reads go into, kept from one file to the next (at most 32 MiB of them). */
const readBuffers = new ReadBuffers(32 * 1024 * 1024);

/** Sends the bytes with one PUT and returns the MD5 of exactly what went out, with the server's answer. */
async function sendFile(
  session: XnatSession,
  localPath: string,
  size: number,
  target: XnatFileTarget,
  what: string,
  options: PutFileOptions,
): Promise<{ md5: string; answer: string }> {
  let tap: HashingCounter | null = null;
  let body: XnatBody;
  let wholeMd5: string | null = null;
  let pooled: Buffer | null = null;
  if (size <= WHOLE_READ_LIMIT) {
    const buffer = readBuffers.take(size + 1);
    const filled = await fileCalls.readWhole(localPath, buffer, size).catch((err: unknown) => {
      throw unreadable(what, localPath, err);
    });
    if (filled !== size) {
      readBuffers.give(buffer);
      throw changed(what, localPath);
    }
    body = buffer.subarray(0, size);
    wholeMd5 = createHash('md5').update(body).digest('hex');
    pooled = buffer;
  } else {
    body = {
      size,
      open: () => {
        const counter = new HashingCounter(size, localPath);
        const source = createReadStream(localPath, { highWaterMark: 256 * 1024 });
        source.on('error', (err) => counter.destroy(err));
        tap = counter;
        return source.pipe(counter);
      },
    };
  }
  const response = await session.send({
    method: 'PUT',
    path: filePath(target),
    query: { overwrite: options.overwrite ? 'true' : undefined },
    contentType: 'application/octet-stream',
    body,
    what,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status !== 200 && response.status !== 201) {
    throw await session.failure(response, what, resourceMissing(target.owner, target.resource));
  }
  const answer = await session.readText(response, what, 1024 * 1024);
  // The server answered the whole PUT: nothing holds the bytes any more. (After a failure they may still
  // be on their way out, so that buffer is left to the garbage collector.)
  if (pooled) readBuffers.give(pooled);
  if (wholeMd5 !== null) return { md5: wholeMd5, answer };
  const streamed = tap as HashingCounter | null;
  if (!streamed || streamed.count !== size) throw changed(what, localPath);
  return { md5: streamed.digest(), answer };
}

/**
 * Reads the file into `buffer` (at least `size + 1` bytes) with one open, one read and one close, and
 * returns how many bytes it holds, up to `size + 1`: `size` exactly when it has not changed since it was
 * measured. A regular file's read returns less than asked at its end, or, on some network shares, part
 * way: reading goes on until the end, or past `size`.
 */
function unreadable(what: string, localPath: string, err: unknown): CourierError {
  return new CourierError({
    code: 'file-unreadable',
    message: `${what}: cannot read ${localPath} (${String(err)})`,
    cause: err,
  });
}

function changed(what: string, localPath: string): CourierError {
  return new CourierError({
    code: 'file-changed',
    message: `${what}: ${localPath} changed while it was sent`,
    retryable: true,
  });
}

/** The listed file for a name: by the path in its URI, else by `Name` (XNAT may list spaces as `%20`). */
function findListed(files: XnatFile[], name: string): XnatFile | undefined {
  const encodedSpaces = name.replace(/ /g, '%20');
  const base = name.split('/').pop() ?? name;
  return (
    files.find((f) => f.path === name) ??
    files.find((f) => f.name === base || f.name === encodedSpaces || safeDecode(f.name) === base)
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Counts and hashes the bytes that go out; fails if the file grows or shrinks while being sent. */
class HashingCounter extends Transform {
  count = 0;
  private readonly hash: Hash = createHash('md5');

  constructor(
    private readonly expected: number,
    private readonly file: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.expected) {
      callback(new Error(`${this.file} grew while it was sent`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.count === this.expected ? null : new Error(`${this.file} shrank while it was sent`));
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
