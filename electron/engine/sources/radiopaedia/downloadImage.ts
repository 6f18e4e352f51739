import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { CourierError } from '../../../../shared/errors';
import { httpFailure, networkFailure } from '../../clients/httpFailure';
import { isSignInUrl, signInRequired } from './extractCase';
import { DEFAULT_ALLOWED_FORMATS, detectFormat } from './fileFormat';

export interface DownloadImageOptions {
  /** Formats kept without asking; anything else is saved, then reported as `attention`. */
  allowedFormats?: readonly string[];
  timeoutMs?: number;
  /** The case page, sent as Referer like the page's own download button would. */
  referer?: string;
}

export interface DownloadedImage {
  /** Where the file was written: `destPath` with the extension of the real format. */
  path: string;
  ext: string;
  mime: string;
  size: number;
  sha1: string;
  /** What the server claimed; kept for the record, never trusted. */
  contentType: string | null;
  /** The URL after redirects. */
  finalUrl: string;
}

/** `destPath` with its extension replaced by (or, without one, given) `ext`. */
export function withExtension(destPath: string, ext: string): string {
  const parsed = path.parse(destPath);
  const known = /^\.(jpe?g|png|gif|webp|bmp|tiff?|mp4|mov|webm|avi|svg|pdf|html?|bin|part|tmp)$/i.test(
    parsed.ext,
  );
  const stem = known ? path.join(parsed.dir, parsed.name) : destPath;
  return `${stem}.${ext}`;
}

/**
 * Downloads one full-size file through the browser context's request API, so the page's cookies go with
 * it; no save dialog is involved and the server's suggested file name is ignored. The real format comes
 * from the bytes. Written atomically (temp file, then rename). Throws CourierError: retryable for
 * 429/5xx/network (with `retryAfterMs`), `sign-in-required` (attention) when sent to a sign-in page,
 * `not-a-file` when an HTML page comes back, `format-not-allowed` (attention: convert or skip; the file is
 * kept, its path in `detail.path`).
 */
export async function downloadImage(
  context: BrowserContext,
  url: string,
  destPath: string,
  options: DownloadImageOptions = {},
): Promise<DownloadedImage> {
  const what = `Download of ${url}`;
  let response;
  try {
    response = await context.request.get(url, {
      timeout: options.timeoutMs ?? 120_000,
      failOnStatusCode: false,
      maxRedirects: 10,
      headers: options.referer ? { referer: options.referer } : undefined,
    });
  } catch (err) {
    throw networkFailure(err, what);
  }
  try {
    const finalUrl = response.url();
    if (isSignInUrl(finalUrl)) throw signInRequired(`The full-size file ${url}`, url, finalUrl);
    if (!response.ok()) {
      throw httpFailure(response.status(), what, { retryAfter: response.headers()['retry-after'] });
    }
    const body = await response.body();
    const format = detectFormat(body);
    if (!format || format.ext === 'html') {
      throw new CourierError({
        code: 'not-a-file',
        message: `${what} returned ${format ? 'a web page' : 'data of an unknown type'} instead of an image or video; open the case in the browser to see why.`,
        attention: { reason: 'not-a-file', actions: ['open-in-browser', 'retry', 'skip'] },
        detail: { url, finalUrl, contentType: response.headers()['content-type'] ?? null, size: body.length },
      });
    }
    const target = withExtension(destPath, format.ext);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${crypto.randomUUID().slice(0, 8)}.part`;
    await fs.writeFile(temp, body);
    await fs.rename(temp, target);
    const result: DownloadedImage = {
      path: target,
      ext: format.ext,
      mime: format.mime,
      size: body.length,
      sha1: crypto.createHash('sha1').update(body).digest('hex'),
      contentType: response.headers()['content-type'] ?? null,
      finalUrl,
    };
    const allowed = options.allowedFormats ?? DEFAULT_ALLOWED_FORMATS;
    if (!allowed.includes(format.ext)) {
      throw new CourierError({
        code: 'format-not-allowed',
        message: `${url} is a ${format.ext.toUpperCase()} file, which is not among the allowed formats (${allowed.join(', ')}); convert it to PNG or skip it.`,
        attention: { reason: 'format-not-allowed', actions: ['convert', 'skip'] },
        detail: { ...result },
      });
    }
    return result;
  } finally {
    await response.dispose().catch(() => undefined);
  }
}
