import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CourierError, isCourierError } from '../../../../shared/errors';
import { describeUpload, fileBlob, partName, publishFromStash, rawUpload } from './upload';
import type { ChunkProgress, UploadRequest, UploadResult } from './types';
import type { WikiSession } from './wikiSession';

/** What `checkstatus` says about a stashed chunked upload. */
export interface ChunkStatus {
  /** `Continue` (more chunks expected), `Success` (assembled), `Poll` (assembling in the background). */
  result: string;
  /** Bytes the wiki holds, when it says. */
  offset: number | null;
  /** The key to go on with (a new one once the chunks are assembled). */
  filekey: string;
  stage?: string;
}

const STASH_LOST = new Set([
  'stashedfilenotfound',
  'stashnosuchfilekey',
  'invalid-file-key',
  'missingresult',
  'stashfailed',
  'uploadstash-file-not-found',
  'uploadstash-no-such-key',
]);

/** Asks the wiki how far a chunked upload got (`checkstatus=1&filekey=…`). */
export async function checkChunkedUpload(
  session: WikiSession,
  filename: string,
  filekey: string,
): Promise<ChunkStatus> {
  const { body } = await session.write(
    { action: 'upload', checkstatus: true, filekey },
    { what: `status check of the upload of '${filename}' on ${session.api.apiUrl}` },
  );
  const upload = rawUpload(body) as ReturnType<typeof rawUpload> & { stage?: string };
  return {
    result: upload.result ?? '',
    offset: typeof upload.offset === 'number' ? upload.offset : null,
    filekey: upload.filekey ?? filekey,
    stage: upload.stage,
  };
}

/** Size and SHA-1 of a stashed file (`prop=stashimageinfo`), or null when the stash does not know the key. */
async function stashedFile(
  session: WikiSession,
  filekey: string,
): Promise<{ size: number; sha1: string } | null> {
  try {
    await session.ensureLoggedIn();
    const { body } = await session.read(
      { action: 'query', prop: 'stashimageinfo', siifilekey: filekey, siiprop: ['size', 'sha1'] },
      { what: `stash lookup on ${session.api.apiUrl}` },
    );
    const info = (body.query as { stashimageinfo?: { size?: number; sha1?: string }[] } | undefined)
      ?.stashimageinfo?.[0];
    return info && typeof info.size === 'number' && typeof info.sha1 === 'string'
      ? { size: info.size, sha1: info.sha1 }
      : null;
  } catch (err) {
    const code = isCourierError(err) ? err.detail?.apiCode : undefined;
    if (typeof code === 'string' && STASH_LOST.has(code)) return null;
    throw err;
  }
}

function sha1OfFile(filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha1');
    createReadStream(filePath)
      .on('data', (data) => hash.update(data))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

interface Position {
  offset: number;
  filekey: string | undefined;
}

/**
 * Where to start: where the wiki says a resumed upload stands (`checkstatus`); past the end when the
 * stash already holds the assembled file with our size and SHA-1 (the chunks arrived, the publish did
 * not); at 0 when the stash is gone.
 */
async function startingPosition(
  session: WikiSession,
  request: UploadRequest,
  size: number,
): Promise<Position> {
  if (!request.resumeFilekey) return { offset: 0, filekey: undefined };
  try {
    const status = await checkChunkedUpload(session, request.filename, request.resumeFilekey);
    if (status.result === 'Success') return { offset: size, filekey: status.filekey };
    if (status.result === 'Continue' && status.offset !== null && status.offset <= size) {
      return { offset: status.offset, filekey: status.filekey };
    }
  } catch (err) {
    const code = isCourierError(err) ? err.detail?.apiCode : undefined;
    if (typeof code !== 'string' || !STASH_LOST.has(code)) throw err;
  }
  // 1.39 answers checkstatus with missingresult once the chunks are assembled, as for an unknown key.
  const stashed = await stashedFile(session, request.resumeFilekey);
  if (stashed && stashed.size === size && stashed.sha1 === (await sha1OfFile(request.filePath))) {
    return { offset: size, filekey: request.resumeFilekey };
  }
  return { offset: 0, filekey: undefined };
}

function pending(what: string, filekey: string, offset: number): CourierError {
  return new CourierError({
    code: 'wiki-upload-pending',
    message: `${what}: the wiki is still assembling the chunks; check again later`,
    retryable: true,
    retryAfterMs: 5_000,
    detail: { filekey, offset },
  });
}

/**
 * Sends the file in chunks to the stash (`stash=1`, `offset`, `filekey` from the second chunk on), then
 * publishes the assembled file without `ignorewarnings`, so duplicates and name clashes come back as
 * warnings exactly as for a one-request upload. With `resumeFilekey` it continues where the wiki stands.
 */
export async function uploadInChunks(
  session: WikiSession,
  request: UploadRequest,
  size: number,
  chunkSize: number,
): Promise<UploadResult> {
  const what = describeUpload(request.filename, session);
  const blob = await fileBlob(request.filePath);
  let { offset, filekey } = await startingPosition(session, request, size);
  const report = async (): Promise<void> => {
    if (filekey && request.onChunk) {
      const progress: ChunkProgress = { filename: request.filename, filekey, offset, size };
      await request.onChunk(progress);
    }
  };
  let offsetCorrections = 0;
  while (offset < size) {
    const end = Math.min(offset + chunkSize, size);
    let body: Record<string, unknown>;
    try {
      ({ body } = await session.write(
        {
          action: 'upload',
          stash: true,
          filename: request.filename,
          filesize: size,
          offset,
          filekey: offset > 0 ? filekey : undefined,
          // Only the stash is written here; the publish step below runs the warning checks.
          ignorewarnings: true,
        },
        {
          what: `${what} (bytes ${offset}–${end - 1} of ${size})`,
          files: { chunk: { blob: blob.slice(offset, end), name: partName(request.filename) } },
          rateLimitAction: 'upload',
          signal: request.signal,
        },
      ));
    } catch (err) {
      // A chunk the wiki already has (answer lost on the way back) gives `stashfailed` with its offset.
      const serverOffset = isCourierError(err) ? err.detail?.offset : undefined;
      if (typeof serverOffset === 'number' && serverOffset !== offset && offsetCorrections < 3) {
        offsetCorrections += 1;
        offset = serverOffset;
        continue;
      }
      throw err;
    }
    const upload = rawUpload(body);
    filekey = upload.filekey ?? filekey;
    if (upload.result === 'Continue' && typeof upload.offset === 'number') {
      offset = upload.offset;
    } else if (upload.result === 'Success') {
      offset = size;
    } else if (upload.result === 'Poll' && filekey) {
      throw pending(what, filekey, offset);
    } else {
      throw new CourierError({
        code: 'wiki-bad-response',
        message: `${what}: unexpected chunk result '${upload.result ?? 'none'}'`,
        detail: { upload },
      });
    }
    await report();
  }
  if (!filekey) {
    throw new CourierError({
      code: 'wiki-bad-response',
      message: `${what}: the wiki gave no filekey for the chunks`,
    });
  }
  return publishFromStash(
    session,
    {
      filename: request.filename,
      filekey,
      text: request.text,
      comment: request.comment,
      tags: request.tags,
      signal: request.signal,
    },
    false,
  );
}
