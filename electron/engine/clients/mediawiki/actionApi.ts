import { CourierError } from '../../../../shared/errors';
import { httpFailure, networkFailure, USER_AGENT } from '../httpFailure';
import { apiErrorToCourier } from './apiErrors';
import type { ApiErrorBody } from './apiErrors';
import { CookieJar } from './cookieJar';

/**
 * Parameter values as callers write them. Booleans follow MediaWiki's rule that a present key is true
 * whatever its value (`ignorewarnings=0` ignores warnings), so `false` and `undefined` leave the key out.
 * Arrays become `a|b|c`.
 */
export type ApiParamValue = string | number | boolean | readonly string[] | undefined;
export type ApiParams = Record<string, ApiParamValue>;

/** A file part of a multipart POST. */
export interface ApiFilePart {
  blob: Blob;
  /** The part's file name; MediaWiki takes the title from `filename`, not from here. */
  name: string;
}

/** A successful answer: the JSON body (`formatversion=2`) and the response headers. */
export interface ApiResponse {
  body: Record<string, unknown>;
  headers: Headers;
}

export interface ActionApiOptions {
  apiUrl: string;
  userAgent?: string;
  /** Sent as `maxlag` on every request (Wikimedia etiquette: 5); null leaves it out. */
  maxlag?: number | null;
  timeoutMs?: number;
  /** Time allowed for a POST carrying a file or chunk. */
  uploadTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface RequestOptions {
  /** The request in words, for error messages. */
  what: string;
  /** Login name in use, for error messages. */
  user?: string;
  files?: Record<string, ApiFilePart>;
  /** Force multipart/form-data even without files. */
  multipart?: boolean;
  signal?: AbortSignal;
}

function encodeValue(value: Exclude<ApiParamValue, undefined | false>): string {
  if (value === true) return '1';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  // A value containing '|' must use the \x1f separator, announced by a leading \x1f.
  return value.some((v) => v.includes('|')) ? `\x1f${value.join('\x1f')}` : value.join('|');
}

/** The parameters as [key, value] pairs, booleans and arrays encoded, false/undefined left out. */
export function encodeParams(params: ApiParams): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === false) continue;
    pairs.push([key, encodeValue(value)]);
  }
  return pairs;
}

/**
 * One wiki's api.php with its own cookie jar. Sends `format=json&formatversion=2` and `maxlag`, turns
 * transport failures and API errors (HTTP 200 + `error`) into CourierError. Never retries.
 */
export class ActionApi {
  readonly apiUrl: string;
  readonly jar = new CookieJar();
  private readonly userAgent: string;
  private readonly maxlag: number | null;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(options: ActionApiOptions) {
    this.apiUrl = options.apiUrl;
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.maxlag = options.maxlag === undefined ? 5 : options.maxlag;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 600_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  private withDefaults(params: ApiParams): ApiParams {
    return { ...params, format: 'json', formatversion: '2', maxlag: this.maxlag ?? undefined };
  }

  /** GET with the parameters in the query string (percent-encoded: `C+` arrives as `C+`). */
  get(params: ApiParams, options: RequestOptions): Promise<ApiResponse> {
    const url = new URL(this.apiUrl);
    for (const [key, value] of encodeParams(this.withDefaults(params))) url.searchParams.append(key, value);
    return this.send(url.toString(), { method: 'GET' }, options, this.timeoutMs);
  }

  /** POST, url-encoded, or multipart when files are attached (writes must POST; tokens in the body). */
  post(params: ApiParams, options: RequestOptions): Promise<ApiResponse> {
    const pairs = encodeParams(this.withDefaults(params));
    const files = Object.entries(options.files ?? {});
    if (files.length === 0 && !options.multipart) {
      return this.send(
        this.apiUrl,
        { method: 'POST', body: new URLSearchParams(pairs) },
        options,
        this.timeoutMs,
      );
    }
    const form = new FormData();
    for (const [key, value] of pairs) form.append(key, value);
    for (const [key, part] of files) form.append(key, part.blob, part.name);
    return this.send(this.apiUrl, { method: 'POST', body: form }, options, this.uploadTimeoutMs);
  }

  private async send(
    url: string,
    init: RequestInit,
    options: RequestOptions,
    timeoutMs: number,
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, Accept: 'application/json' };
    const cookie = this.jar.header(this.now());
    if (cookie) headers.Cookie = cookie;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, { ...init, headers, signal });
      this.jar.store(response.headers.getSetCookie(), this.now());
      text = await response.text();
    } catch (err) {
      throw networkFailure(err, options.what);
    }
    if (response.status < 200 || response.status >= 300) {
      throw httpFailure(response.status, options.what, {
        retryAfter: response.headers.get('retry-after'),
        body: text,
        nowMs: this.now(),
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new CourierError({
        code: 'wiki-bad-response',
        message: `${options.what}: ${this.apiUrl} did not answer with JSON; is it the wiki's api.php address? (${text.replace(/\s+/g, ' ').trim().slice(0, 200)})`,
        cause: err,
      });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new CourierError({
        code: 'wiki-bad-response',
        message: `${options.what}: ${this.apiUrl} answered with JSON that is not an API result`,
      });
    }
    const record = body as Record<string, unknown>;
    const error = record.error as ApiErrorBody | undefined;
    if (error && typeof error.code === 'string') {
      throw apiErrorToCourier(error, {
        what: options.what,
        user: options.user,
        retryAfter: response.headers.get('retry-after'),
        nowMs: this.now(),
      });
    }
    return { body: record, headers: response.headers };
  }
}
