import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CourierError } from '../../../../shared/errors';
import { networkFailure } from '../httpFailure';
import { cancelled, xnatNotFound } from './xnatErrors';
import { experimentPath } from './xnatPaths';
import type { XnatSession } from './xnatSession';

export interface DownloadProgress {
  bytes: number;
  /** From Content-Length; XNAT streams zips chunked, so usually null. */
  totalBytes: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  done: boolean;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Minimum time between progress calls (default 200 ms); the last call (`done`) always comes. */
  progressIntervalMs?: number;
}

export interface ExperimentZipRequest {
  project: string;
  /** Subject label or accession ID. */
  subject: string;
  /** Experiment label or accession ID. */
  experiment: string;
  kind: 'scan' | 'assessor';
  /** `DICOM`, `NIFTI`, `ALL` or a custom resource label. */
  resource: string;
}

/**
 * Downloads every scan's (or assessor's) files of one resource type as XNAT's zip
 * (`…/scans/ALL/resources/{R}/files?format=zip`). A 404 becomes `xnat-resource-not-found`.
 */
export function downloadExperimentZip(
  session: XnatSession,
  request: ExperimentZipRequest,
  destFile: string,
  options: DownloadOptions = {},
): Promise<{ bytes: number }> {
  const folder = request.kind === 'scan' ? 'scans' : 'assessors';
  const path =
    `${experimentPath(request.project, request.subject, request.experiment)}/${folder}/ALL` +
    `/resources/${encodeURIComponent(request.resource)}/files`;
  const which = request.resource === 'ALL' ? 'any resource' : `a '${request.resource}' resource`;
  return downloadZip(session, path, destFile, options, () =>
    xnatNotFound(
      'resource',
      `no ${request.kind} of experiment '${request.experiment}' in project '${request.project}' has files in ${which}`,
      { ...request },
    ),
  );
}

/**
 * Streams `path?format=zip` into `destFile` through `destFile.part` (bounded memory, progress with rate and
 * ETA), renaming it into place only when complete. A cut connection leaves no file and is retryable; a new
 * call starts over cleanly.
 */
export async function downloadZip(
  session: XnatSession,
  path: string,
  destFile: string,
  options: DownloadOptions = {},
  notFound?: () => CourierError,
): Promise<{ bytes: number }> {
  const what = `download of ${path}`;
  const partFile = `${destFile}.part`;
  const response = await session.send({
    method: 'GET',
    path,
    query: { format: 'zip' },
    what,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status !== 200) throw await session.failure(response, what, notFound);
  const lengthHeader = response.headers['content-length'];
  const total = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const meter = new ProgressMeter(total, options.progressIntervalMs ?? 200, options.onProgress);
  try {
    await pipeline(
      response.body,
      meter,
      // A larger buffer lets the stream gather network chunks into fewer, larger writes.
      createWriteStream(partFile, { highWaterMark: 1 << 20 }),
      options.signal ? { signal: options.signal } : {},
    );
    if (response.body.readableAborted || !response.body.complete) throw interrupted(what, meter.bytes);
    if (total !== null && meter.bytes !== total) throw interrupted(what, meter.bytes);
    await rename(partFile, destFile);
  } catch (err) {
    response.body.destroy();
    await rm(partFile, { force: true });
    if (options.signal?.aborted) throw cancelled(what);
    if (err instanceof CourierError) throw err;
    const code = (err as { code?: string } | null)?.code;
    if (
      code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      code === 'ECONNRESET' ||
      (err as Error).message === 'aborted'
    ) {
      throw interrupted(what, meter.bytes);
    }
    throw networkFailure(err, what);
  }
  meter.finish();
  return { bytes: meter.bytes };
}

function interrupted(what: string, bytes: number): CourierError {
  return new CourierError({
    code: 'download-interrupted',
    message: `${what}: the connection ended after ${bytes} bytes, before the end of the zip`,
    retryable: true,
    detail: { bytes },
  });
}

class ProgressMeter extends Transform {
  bytes = 0;
  private readonly started = Date.now();
  private lastReport = 0;

  constructor(
    private readonly total: number | null,
    private readonly intervalMs: number,
    private readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const now = Date.now();
    if (this.onProgress && now - this.lastReport >= this.intervalMs) {
      this.lastReport = now;
      this.report(false);
    }
    callback(null, chunk);
  }

  finish(): void {
    this.report(true);
  }

  private report(done: boolean): void {
    if (!this.onProgress) return;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = this.bytes / seconds;
    const eta = this.total !== null && rate > 0 ? Math.max(0, (this.total - this.bytes) / rate) : null;
    this.onProgress({
      bytes: this.bytes,
      totalBytes: this.total,
      bytesPerSecond: rate,
      etaSeconds: done ? 0 : eta,
      done,
    });
  }
}
