import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CourierError, isCourierError } from '../../../../shared/errors';
import type { ApiFilePart } from './actionApi';
import type { AcceptStashedRequest, UploadResult, UploadRequest, WikiFile } from './types';
import { parseUploadWarnings } from './uploadWarnings';
import type { WikiSession } from './wikiSession';
import type { RawImageInfo } from './queries';

export function describeUpload(filename: string, session: WikiSession): string {
  return `upload of '${filename}' to ${session.api.apiUrl}`;
}

/** The multipart part name; MediaWiki names the file from `filename`, so an ASCII stand-in is safest. */
export function partName(filename: string): string {
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(filename)?.[1];
  return ext ? `upload.${ext}` : 'upload.bin';
}

function unreadable(filePath: string, err: unknown): CourierError {
  return new CourierError({
    code: 'file-unreadable',
    message: `Cannot read '${filePath}' for upload: ${err instanceof Error ? err.message : String(err)}`,
    cause: err,
  });
}

/** The file as a Blob read from disk on demand (chunks are slices; nothing is loaded whole). */
export async function fileBlob(filePath: string): Promise<Blob> {
  try {
    return await openAsBlob(filePath);
  } catch (err) {
    throw unreadable(filePath, err);
  }
}

export async function fileSize(filePath: string): Promise<number> {
  try {
    return (await stat(filePath)).size;
  } catch (err) {
    throw unreadable(filePath, err);
  }
}

interface RawUpload {
  result?: string;
  filename?: string;
  filekey?: string;
  sessionkey?: string;
  offset?: number;
  warnings?: unknown;
  imageinfo?: RawImageInfo & { canonicaltitle?: string };
}

export function rawUpload(body: Record<string, unknown>): RawUpload {
  return (body.upload ?? {}) as RawUpload;
}

/** Reads a `Success` or `Warning` answer of `action=upload` into an UploadResult. */
export function toUploadResult(body: Record<string, unknown>, requested: string, what: string): UploadResult {
  const upload = rawUpload(body);
  const warnings = parseUploadWarnings(upload.warnings);
  if (upload.result === 'Success' && upload.filename) {
    const info = upload.imageinfo ?? {};
    const title = info.canonicaltitle ?? `File:${upload.filename.replace(/_/g, ' ')}`;
    const file: WikiFile = {
      title,
      name: upload.filename,
      sha1: info.sha1 ?? '',
      size: info.size ?? 0,
      mime: info.mime,
      timestamp: info.timestamp,
      user: info.user,
      url: info.url ?? '',
      descriptionUrl: info.descriptionurl ?? '',
    };
    return { result: 'success', filename: upload.filename, title, file, warnings };
  }
  const filekey = upload.filekey ?? upload.sessionkey;
  if (upload.result === 'Warning' && filekey) {
    return { result: 'warning', filename: requested, warnings, filekey };
  }
  throw new CourierError({
    code: 'wiki-bad-response',
    message: `${what}: unexpected upload result '${upload.result ?? 'none'}'${upload.result === 'Warning' ? ' without a filekey (the wiki could not stash the file)' : ''}`,
    detail: { upload },
  });
}

/** Sends the whole file in one multipart POST, without `ignorewarnings`. */
export async function uploadInOneRequest(
  session: WikiSession,
  request: UploadRequest,
): Promise<UploadResult> {
  const what = describeUpload(request.filename, session);
  const part: ApiFilePart = { blob: await fileBlob(request.filePath), name: partName(request.filename) };
  const { body } = await session.write(
    {
      action: 'upload',
      filename: request.filename,
      comment: request.comment,
      text: request.text,
      tags: request.tags,
    },
    { what, files: { file: part }, rateLimitAction: 'upload', signal: request.signal },
  );
  return toUploadResult(body, request.filename, what);
}

/**
 * Publishes stashed bytes by their filekey. With `ignoreWarnings` the warnings are accepted, and the very
 * same bytes as the current version come back as `unchanged` (MediaWiki's `fileexists-no-change` error).
 */
export async function publishFromStash(
  session: WikiSession,
  request: AcceptStashedRequest,
  ignoreWarnings: boolean,
): Promise<UploadResult> {
  const what = describeUpload(request.filename, session);
  try {
    const { body } = await session.write(
      {
        action: 'upload',
        filename: request.filename,
        filekey: request.filekey,
        comment: request.comment,
        text: request.text,
        tags: request.tags,
        ignorewarnings: ignoreWarnings,
      },
      { what, rateLimitAction: 'upload', signal: request.signal },
    );
    return toUploadResult(body, request.filename, what);
  } catch (err) {
    if (isCourierError(err) && err.detail?.apiCode === 'fileexists-no-change') {
      return { result: 'unchanged', filename: request.filename };
    }
    throw err;
  }
}
