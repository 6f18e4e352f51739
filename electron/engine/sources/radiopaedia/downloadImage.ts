import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { CourierError } from '../../../../shared/errors';
import { httpFailure, networkFailure } from '../../clients/httpFailure';
import { contextUserAgent, cookieHeaderFor, forgetCookieSnapshot, keepSetCookies } from './contextHttp';
import { isSignInUrl, signInRequired } from './extractCase';
import { DEFAULT_ALLOWED_FORMATS, detectFormat } from './fileFormat';

export interface DownloadImageOptions {
  /** Formats kept without asking; anything else is saved, then reported as `attention`. */
  allowedFormats?: readonly string[];
  timeoutMs?: number;
  /** The case page, sent as Referer like the page's own download button would. */
  referer?: string;
  /** The User-Agent the browser sends; read from the context when not given. */
  userAgent?: string;
  /** How long one read of the context's cookies may serve later downloads (default 0: read each time). */
  reuseCookiesMs?: number;
  /**
   * Write straight to the destination, without a temporary name and a rename: only for a private work
   * folder, where nobody reads a half-written file (a failed write still removes its file).
   */
  inPlace?: boolean;
}

export interface DownloadedImage {
  /** Where the file was written: `destPath` with the extension of the real format. */
  path: string;
  ext: string;
  mime: string;
  size: number;
  sha1: string;
  md5: string;
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

/** Writes `file`, creating its folder only when it is missing (the usual case needs no extra call). */
async function writeCreatingFolder(file: string, body: Buffer): Promise<void> {
  try {
    await fs.writeFile(file, body);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
  }
}

/** Redirects followed before a download is given up as a loop. */
const MAX_REDIRECTS = 10;

async function drop(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/**
 * GETs `url` with the context's cookies and User-Agent, following redirects by hand so that each hop
 * carries the cookies of its own URL and a hop to a sign-in page is seen.
 */
async function getWithContextCookies(
  context: BrowserContext,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  reuseCookiesMs: number,
): Promise<{ response: Response; finalUrl: string }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const cookie = await cookieHeaderFor(context, current, reuseCookiesMs);
    const response = await fetch(current, {
      headers: cookie ? { ...headers, cookie } : headers,
      redirect: 'manual',
      signal,
    });
    await keepSetCookies(context, response, current);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { response, finalUrl: current };
    await drop(response);
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current).href;
    if (isSignInUrl(current)) return { response, finalUrl: current };
  }
}

/**
 * Downloads one full-size file with the browser context's cookies and User-Agent (a plain GET, as the
 * page's download button would send it); no save dialog is involved and the server's suggested file name
 * is ignored. The real format comes from the bytes. Written atomically (temp file, then rename) unless
 * `inPlace`. Throws CourierError: retryable for 429/5xx/network (with `retryAfterMs`), `sign-in-required`
 * (attention) when sent to a sign-in page, `not-a-file` when an HTML page comes back,
 * `format-not-allowed` (attention: convert or skip; the file is kept, its path in `detail.path`).
 */
export async function downloadImage(
  context: BrowserContext,
  url: string,
  destPath: string,
  options: DownloadImageOptions = {},
): Promise<DownloadedImage> {
  const what = `Download of ${url}`;
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? (await contextUserAgent(context)),
    accept: '*/*',
  };
  if (options.referer) headers['referer'] = options.referer;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  let got;
  try {
    got = await getWithContextCookies(context, url, headers, signal, options.reuseCookiesMs ?? 0);
  } catch (err) {
    throw networkFailure(err, what);
  }
  const { response, finalUrl } = got;
  if (isSignInUrl(finalUrl)) {
    await drop(response);
    // The caller loads the case page again for a new session: the next try must read the cookies afresh.
    forgetCookieSnapshot(context);
    throw signInRequired(`The full-size file ${url}`, url, finalUrl);
  }
  if (!response.ok) {
    await drop(response);
    throw httpFailure(response.status, what, { retryAfter: response.headers.get('retry-after') });
  }
  let body: Buffer;
  try {
    body = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    throw networkFailure(err, what);
  }
  const contentType = response.headers.get('content-type');
  const format = detectFormat(body);
  if (!format || format.ext === 'html') {
    throw new CourierError({
      code: 'not-a-file',
      message: `${what} returned ${format ? 'a web page' : 'data of an unknown type'} instead of an image or video; open the case in the browser to see why.`,
      attention: { reason: 'not-a-file', actions: ['open-in-browser', 'retry', 'skip'] },
      detail: { url, finalUrl, contentType, size: body.length },
    });
  }
  const target = withExtension(destPath, format.ext);
  if (options.inPlace) {
    await writeCreatingFolder(target, body).catch(async (err: unknown) => {
      await fs.rm(target, { force: true }).catch(() => undefined);
      throw err;
    });
  } else {
    const temp = `${target}.${crypto.randomUUID().slice(0, 8)}.part`;
    await writeCreatingFolder(temp, body);
    await fs.rename(temp, target);
  }
  const result: DownloadedImage = {
    path: target,
    ext: format.ext,
    mime: format.mime,
    size: body.length,
    sha1: crypto.createHash('sha1').update(body).digest('hex'),
    md5: crypto.createHash('md5').update(body).digest('hex'),
    contentType,
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
}
