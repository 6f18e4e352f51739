import { CourierError } from '../../../../shared/errors';
import { httpFailure, USER_AGENT } from '../httpFailure';
import { downloadFile, imageFileName, type DownloadResult } from './isicDownload';
import {
  badResponse,
  checkCollection,
  checkImage,
  checkPage,
  type IsicCollection,
  type IsicImage,
  type IsicSearch,
} from './isicTypes';
import { readText, timedFetch, type Deadlines } from './timedFetch';

/**
 * Client of the ISIC Archive API v2 (reference/sources.md §1.1–1.2). It never retries: 429 and 5xx
 * come back as retryable CourierErrors (with `retryAfterMs` from Retry-After) for the runner's backoff.
 */

export const ISIC_API_URL = 'https://api.isic-archive.com/api/v2/';
/** The API's largest page. */
export const ISIC_PAGE_SIZE = 100;

export interface IsicClientOptions {
  /** API base, default the production archive; a trailing slash is added when missing. */
  apiUrl?: string;
  /** Until an answer's headers arrive (connect plus server time). Default 15 s. */
  connectTimeoutMs?: number;
  /** Longest silence while a body streams. Default 30 s. */
  readTimeoutMs?: number;
  userAgent?: string;
  fetch?: typeof fetch;
}

export interface IsicImagePage {
  images: IsicImage[];
  /** Total matches: only on the first page (the API counts only there). */
  count: number | null;
  /** 1-based page number (counted from where this search started or resumed). */
  page: number;
  url: string;
  /** Where the following page is; save it to resume the listing later with `resumeFrom`. */
  next: string | null;
}

export interface Signal {
  signal?: AbortSignal;
}

export interface IsicClient {
  readonly apiUrl: string;
  /**
   * Pages of a search, following the server's `next` cursors, stopping at `limit` images (0 = all).
   * `resumeFrom` (a page's `next`) continues an interrupted listing; `limit` then counts what is left.
   */
  search(search?: IsicSearch & Signal & { resumeFrom?: string }): AsyncGenerator<IsicImagePage>;
  /** Number of matches (also validates the query: a bad one throws `isic-bad-query`). */
  count(search?: IsicSearch & Signal): Promise<number>;
  /** Sum of the full images' sizes in bytes (`images/search/size/`). */
  totalSize(search?: IsicSearch & Signal): Promise<number>;
  /** Count and total size together, before a download starts. */
  preflight(search?: IsicSearch & Signal): Promise<{ count: number; totalBytes: number }>;
  collections(options?: Signal & { pinned?: boolean }): Promise<IsicCollection[]>;
  /** One collection; `isic-collection-not-found` when it does not exist or is not visible. */
  collection(id: number, options?: Signal): Promise<IsicCollection>;
  image(isicId: string, options?: Signal): Promise<IsicImage>;
  /** Text of a licence (`CC-0`, `CC-BY`, `CC-BY-NC`) for licenses/*.txt. */
  licenseText(license: string, options?: Signal): Promise<string>;
  /** Downloads the full image (or its thumbnail) to `destPath` atomically, size-checked. */
  downloadImage(
    image: IsicImage,
    destPath: string,
    options?: Signal & { file?: 'full' | 'thumbnail_256'; digests?: boolean; inPlace?: boolean },
  ): Promise<DownloadResult>;
}

function checkCollectionIds(ids: readonly number[] | undefined): string {
  const list = ids ?? [];
  const bad = list.filter((id) => !Number.isSafeInteger(id) || id <= 0);
  if (bad.length) {
    throw new CourierError({
      code: 'isic-bad-collections',
      message: `Collection ids are positive whole numbers (see the collection list); not: ${bad.join(', ')}`,
    });
  }
  return list.join(',');
}

function describe(search: IsicSearch): string {
  const parts = [];
  if (search.query) parts.push(`query "${search.query}"`);
  if (search.collections?.length) parts.push(`collections ${search.collections.join(',')}`);
  return parts.length ? parts.join(', ') : 'all images';
}

export function createIsicClient(options: IsicClientOptions = {}): IsicClient {
  const apiUrl = (options.apiUrl ?? ISIC_API_URL).replace(/\/?$/, '/');
  const fetchImpl = options.fetch ?? fetch;
  const userAgent = options.userAgent ?? USER_AGENT;
  const deadlines: Deadlines = {
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    readTimeoutMs: options.readTimeoutMs ?? 30_000,
  };

  const endpoint = (route: string, params?: Record<string, string>) => {
    const url = new URL(route, apiUrl);
    if (params) url.search = new URLSearchParams(params).toString();
    return url.toString();
  };

  /** GET a JSON document; `onClientError` may turn a 4xx into a better error. */
  const getJson = async (
    url: string,
    what: string,
    signal: AbortSignal | undefined,
    onClientError?: (status: number, body: string) => CourierError | undefined,
  ): Promise<unknown> => {
    const timed = await timedFetch(
      url,
      what,
      { headers: { Accept: 'application/json', 'User-Agent': userAgent }, signal },
      deadlines,
      fetchImpl,
    );
    const { response } = timed;
    const text = await readText(timed, response.ok ? undefined : 64 * 1024);
    if (!response.ok) {
      throw (
        (response.status >= 400 && response.status < 500
          ? onClientError?.(response.status, text)
          : undefined) ??
        httpFailure(response.status, what, { retryAfter: response.headers.get('retry-after'), body: text })
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A proxy's HTML page or a cut body: usually passing, so worth another try.
      throw new CourierError({
        code: 'isic-bad-response',
        message: `${what}: the answer is not JSON (${text.slice(0, 80).replace(/\s+/g, ' ')}…)`,
        retryable: true,
      });
    }
  };

  const searchErrors =
    (search: IsicSearch) =>
    (status: number, body: string): CourierError | undefined => {
      let message = body.trim();
      try {
        const parsed = JSON.parse(body) as { message?: unknown; detail?: unknown };
        if (typeof parsed.message === 'string') message = parsed.message;
        else if (parsed.detail !== undefined) message = JSON.stringify(parsed.detail);
      } catch {
        // Keep the raw text.
      }
      if (status === 400) {
        return new CourierError({
          code: 'isic-bad-query',
          message: `The ISIC Archive could not use the search query "${search.query ?? ''}": ${message} Check the field names and the syntax, e.g. age_approx:[20 TO 40] AND sex:male or diagnosis_3:"Melanoma Invasive".`,
          detail: { status, query: search.query ?? '', serverMessage: message },
        });
      }
      if (status === 422 && message.includes('collections')) {
        return new CourierError({
          code: 'isic-bad-collections',
          message: `The ISIC Archive refused the collections ${search.collections?.join(',') ?? ''}: ${message}`,
          detail: { status, serverMessage: message },
        });
      }
      return undefined;
    };

  const searchParams = (search: IsicSearch, limit?: number): Record<string, string> => {
    const params: Record<string, string> = {
      query: search.query?.trim() ?? '',
      collections: checkCollectionIds(search.collections),
    };
    if (limit !== undefined) params.limit = String(limit);
    return params;
  };

  const count = async (search: IsicSearch & Signal = {}) => {
    const what = `ISIC count of ${describe(search)}`;
    const body = checkPage(
      await getJson(
        endpoint('images/search/', searchParams(search, 1)),
        what,
        search.signal,
        searchErrors(search),
      ),
      what,
    );
    if (body.count === null) throw badResponse(what, 'the first page has no count');
    return body.count;
  };

  const totalSize = async (search: IsicSearch & Signal = {}) => {
    const what = `ISIC total size of ${describe(search)}`;
    const body = await getJson(
      endpoint('images/search/size/', searchParams(search)),
      what,
      search.signal,
      searchErrors(search),
    );
    const size = (body as { size?: unknown } | null)?.size;
    if (typeof size !== 'number') throw badResponse(what, 'no size');
    return size;
  };

  async function* search(
    search: IsicSearch & Signal & { resumeFrom?: string } = {},
  ): AsyncGenerator<IsicImagePage> {
    const limit = search.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new CourierError({
        code: 'isic-bad-limit',
        message: `The limit is a whole number ≥ 0 (0 = all); not ${limit}`,
      });
    }
    let remaining = limit === 0 ? Infinity : limit;
    let url: string | null =
      search.resumeFrom !== undefined
        ? nextUrl(search.resumeFrom, apiUrl, remaining, `ISIC search of ${describe(search)}`)
        : endpoint('images/search/', searchParams(search, Math.min(ISIC_PAGE_SIZE, remaining)));
    const seen = new Set<string>();
    for (let page = 1; url !== null && remaining > 0; page++) {
      const what = `ISIC search page ${page} of ${describe(search)}`;
      const body = checkPage(await getJson(url, what, search.signal, searchErrors(search)), what);
      let images = body.results.map((image) => checkImage(image, what));
      if (images.length > remaining) images = images.slice(0, remaining);
      remaining -= images.length;
      seen.add(url);
      const following: string | null =
        body.next === null || images.length === 0 || remaining === 0
          ? null
          : nextUrl(body.next, url, remaining, what);
      if (following !== null && seen.has(following))
        throw badResponse(what, 'the next page is a page already read');
      yield { images, count: body.count, page, url, next: following };
      url = following;
    }
  }

  const collections = async (opts: Signal & { pinned?: boolean } = {}) => {
    const out: IsicCollection[] = [];
    const params: Record<string, string> = { limit: String(ISIC_PAGE_SIZE) };
    if (opts.pinned !== undefined) params.pinned = String(opts.pinned);
    let url: string | null = endpoint('collections/', params);
    for (let page = 1; url !== null; page++) {
      const what = `ISIC collection list, page ${page}`;
      const body = checkPage(await getJson(url, what, opts.signal), what);
      out.push(...body.results.map((c) => checkCollection(c, what)));
      url = body.next === null || body.results.length === 0 ? null : nextUrl(body.next, url, Infinity, what);
    }
    return out;
  };

  const collection = async (id: number, opts: Signal = {}) => {
    checkCollectionIds([id]);
    const what = `ISIC collection ${id}`;
    const body = await getJson(endpoint(`collections/${id}/`), what, opts.signal, (status) =>
      status === 404
        ? new CourierError({
            code: 'isic-collection-not-found',
            message: `The ISIC Archive has no collection ${id} visible to this session; check the id in the collection list (private collections need a login).`,
            detail: { id },
          })
        : undefined,
    );
    return checkCollection(body, what);
  };

  const image = async (isicId: string, opts: Signal = {}) => {
    if (!/^ISIC_\d{7}$/.test(isicId)) {
      throw new CourierError({
        code: 'isic-bad-id',
        message: `Not an ISIC id (ISIC_ and 7 digits): ${isicId}`,
      });
    }
    const what = `ISIC image ${isicId}`;
    return checkImage(await getJson(endpoint(`images/${isicId}/`), what, opts.signal), what);
  };

  const licenseText = async (license: string, opts: Signal = {}) => {
    const what = `ISIC licence text ${license}`;
    const timed = await timedFetch(
      endpoint(`zip-download/license-file/${encodeURIComponent(license)}/`),
      what,
      { headers: { Accept: 'text/plain', 'User-Agent': userAgent }, signal: opts.signal },
      deadlines,
      fetchImpl,
    );
    const text = await readText(timed);
    if (!timed.response.ok) {
      throw httpFailure(timed.response.status, what, {
        retryAfter: timed.response.headers.get('retry-after'),
        body: text,
      });
    }
    return text;
  };

  const downloadImage: IsicClient['downloadImage'] = (img, destPath, opts = {}) => {
    const file = opts.file ?? 'full';
    const entry = img.files[file];
    if (!entry) {
      return Promise.reject(
        new CourierError({
          code: 'isic-no-file',
          message: `ISIC image ${img.isic_id} lists no ${file} file`,
        }),
      );
    }
    return downloadFile(
      entry.url,
      destPath,
      {
        expectedSize: entry.size,
        what: `download of ${imageFileName(img, file)}`,
        signal: opts.signal,
        digests: opts.digests,
        inPlace: opts.inPlace,
      },
      { fetch: fetchImpl, deadlines, userAgent },
    );
  };

  return {
    apiUrl,
    search,
    count,
    totalSize,
    preflight: async (s = {}) => {
      const [n, bytes] = await Promise.all([count(s), totalSize(s)]);
      return { count: n, totalBytes: bytes };
    },
    collections,
    collection,
    image,
    licenseText,
    downloadImage,
  };
}

/** Resolves the server's `next` (absolute in v2) and asks for no more than is still wanted. */
function nextUrl(next: string, current: string, remaining: number, what: string): string {
  let url: URL;
  try {
    url = new URL(next, current);
  } catch {
    throw badResponse(what, `next is not a URL: ${next}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw badResponse(what, `next is not http(s): ${next}`);
  if (remaining < ISIC_PAGE_SIZE && url.searchParams.has('limit')) {
    url.searchParams.set('limit', String(remaining));
  }
  return url.toString();
}
