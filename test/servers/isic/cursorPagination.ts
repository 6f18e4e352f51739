/**
 * ISIC's CursorPagination (isic/core/pagination.py; reference/sources.md §1.1) over an ordered array:
 * `limit` clamped to 0..100 (missing or 0 → 100), the cursor is base64 of a query string with `o`
 * (offset, clamped to 100), `r` (reverse) and `p` (position, the ordering key of an item), `count` only
 * when the cursor has no position, and `next` / `previous` as absolute URLs with sorted parameters.
 * Keys are unique here, so cursors always carry a position and offset 0, as the server's do then.
 */

export const MAX_PAGE_SIZE = 100;
const OFFSET_CUTOFF = 100;

export class InvalidCursorError extends Error {}

export interface Cursor {
  offset: number;
  reverse: boolean;
  position: string | null;
}

export function decodeCursor(encoded: string | null): Cursor {
  if (encoded === null) return { offset: 0, reverse: false, position: null };
  let tokens: URLSearchParams;
  try {
    if (!/^[A-Za-z0-9+/=_-]*$/.test(encoded)) throw new Error('not base64');
    tokens = new URLSearchParams(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    throw new InvalidCursorError('Invalid cursor.');
  }
  const o = tokens.get('o') ?? '0';
  const r = tokens.get('r') ?? '0';
  if (!/^-?\d+$/.test(o) || !/^-?\d+$/.test(r)) throw new InvalidCursorError('Invalid cursor.');
  return {
    offset: Math.max(0, Math.min(Number(o), OFFSET_CUTOFF)),
    reverse: Number(r) !== 0,
    position: tokens.get('p'),
  };
}

/** Python's urllib.parse.quote_plus, so the URLs look like the server's. */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function encodeCursor(cursor: Cursor): string {
  const parts: string[] = [];
  if (cursor.offset !== 0) parts.push(`o=${cursor.offset}`);
  if (cursor.reverse) parts.push('r=1');
  if (cursor.position !== null) parts.push(`p=${quotePlus(cursor.position)}`);
  return Buffer.from(parts.join('&')).toString('base64');
}

/** The request's absolute URL with `cursor` replaced and every parameter sorted (`_replace_query_param`). */
function linkWithCursor(baseUrl: string, params: URLSearchParams, cursor: Cursor): string {
  const entries = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === 'cursor') continue;
    entries.set(key, [...(entries.get(key) ?? []), value]);
  }
  entries.set('cursor', [encodeCursor(cursor)]);
  const query = [...entries.keys()]
    .sort()
    .flatMap((key) => entries.get(key)!.map((value) => `${quotePlus(key)}=${quotePlus(value)}`))
    .join('&');
  return `${baseUrl}?${query}`;
}

export interface PageOf<T> {
  results: T[];
  count: number | null;
  next: string | null;
  previous: string | null;
}

/**
 * One page of `items`, which are in the listing's order; `keyOf` gives each item's unique position and
 * `rank` maps a position back to its place in that order (undefined: not a position of this listing).
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  rank: (position: string) => number | undefined,
  request: { baseUrl: string; params: URLSearchParams },
): PageOf<T> {
  const rawLimit = request.params.get('limit');
  let limit = MAX_PAGE_SIZE;
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^-?\d+$/.test(rawLimit)) throw new InvalidCursorError('limit: Input should be a valid integer');
    limit = Math.max(0, Math.min(Number(rawLimit) || MAX_PAGE_SIZE, MAX_PAGE_SIZE));
  }
  const cursor = decodeCursor(request.params.get('cursor'));
  let positionRank: number | undefined;
  if (cursor.position !== null) {
    positionRank = rank(cursor.position);
    if (positionRank === undefined) throw new InvalidCursorError('Invalid cursor.');
  }

  // Items strictly after (forward) or before (reverse) the position, in the direction of travel.
  const firstAfter =
    positionRank === undefined ? 0 : lowerBound(items, (item) => rank(keyOf(item))! > positionRank!);
  const lastBefore =
    positionRank === undefined
      ? items.length
      : lowerBound(items, (item) => rank(keyOf(item))! >= positionRank!);
  let page: T[];
  let hasFollowing: boolean;
  if (!cursor.reverse) {
    const start = firstAfter + cursor.offset;
    page = items.slice(start, start + limit);
    hasFollowing = items.length > start + limit;
  } else {
    const end = lastBefore - cursor.offset;
    page = items.slice(Math.max(0, end - limit), Math.max(0, end));
    hasFollowing = end - limit > 0;
  }
  const hasNext = cursor.reverse ? cursor.position !== null || cursor.offset > 0 : hasFollowing;
  const hasPrevious = cursor.reverse ? hasFollowing : cursor.position !== null || cursor.offset > 0;

  const following = cursor.reverse ? undefined : items[firstAfter + cursor.offset + limit];
  const nextPosition = page.length
    ? keyOf(page[page.length - 1]!)
    : following
      ? keyOf(following)
      : cursor.position;
  const previousPosition = page.length ? keyOf(page[0]!) : cursor.position;
  return {
    results: page,
    count: cursor.position === null ? items.length : null,
    next: hasNext
      ? linkWithCursor(request.baseUrl, request.params, { offset: 0, reverse: false, position: nextPosition })
      : null,
    previous: hasPrevious
      ? linkWithCursor(request.baseUrl, request.params, {
          offset: 0,
          reverse: true,
          position: previousPosition,
        })
      : null,
  };
}

/** The first index whose item satisfies `isAtOrAfter` (items are ordered so it flips once). */
function lowerBound<T>(items: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAtOrAfter(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
