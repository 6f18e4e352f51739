import { CourierError } from '../../../../shared/errors';

/** One image as ISIC API v2 returns it (`ImageOut`, reference/sources.md §1.1). */
export interface IsicImage {
  isic_id: string;
  public?: boolean;
  copyright_license: string;
  attribution: string;
  files: {
    full: IsicFile;
    thumbnail_256?: IsicFile;
  };
  metadata: {
    acquisition: Record<string, unknown>;
    clinical: Record<string, unknown>;
  };
}

export interface IsicFile {
  url: string;
  size: number;
}

/** `CollectionOut`. */
export interface IsicCollection {
  id: number;
  name: string;
  description?: string;
  public: boolean;
  pinned: boolean;
  locked?: boolean;
  doi?: string | null;
  doi_url?: string | null;
}

/** One page of a cursor-paginated listing. `count` is only on the first page. */
export interface IsicPage<T> {
  results: T[];
  count: number | null;
  next: string | null;
  previous: string | null;
}

export interface IsicSearch {
  /** The server's query language, e.g. `age_approx:[20 TO 40] AND sex:male`; '' for everything. */
  query?: string;
  /** Collection ids; an image in any of them matches. */
  collections?: readonly number[];
  /** At most this many images; 0 (the default) means all. */
  limit?: number;
}

function badResponse(what: string, problem: string): CourierError {
  return new CourierError({
    code: 'isic-bad-response',
    message: `${what}: the ISIC API answered something unexpected (${problem})`,
    detail: { problem },
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the fields the courier relies on; the rest of the image travels as it came. */
export function checkImage(value: unknown, what: string): IsicImage {
  if (!isRecord(value)) throw badResponse(what, 'an image is not an object');
  const { isic_id, files, metadata } = value;
  if (typeof isic_id !== 'string' || !/^ISIC_\d{7}$/.test(isic_id)) {
    throw badResponse(what, `an image has no valid isic_id (${JSON.stringify(isic_id)})`);
  }
  const full = isRecord(files) ? files.full : undefined;
  if (!isRecord(full) || typeof full.url !== 'string' || typeof full.size !== 'number') {
    throw badResponse(what, `${isic_id} has no files.full {url, size}`);
  }
  if (!isRecord(metadata) || !isRecord(metadata.acquisition) || !isRecord(metadata.clinical)) {
    throw badResponse(what, `${isic_id} has no metadata.acquisition / metadata.clinical`);
  }
  if (typeof value.copyright_license !== 'string' || typeof value.attribution !== 'string') {
    throw badResponse(what, `${isic_id} has no copyright_license / attribution`);
  }
  return value as unknown as IsicImage;
}

export function checkPage(value: unknown, what: string): IsicPage<unknown> {
  if (!isRecord(value) || !Array.isArray(value.results)) throw badResponse(what, 'no results list');
  const { count, next, previous } = value;
  if (count !== undefined && count !== null && typeof count !== 'number')
    throw badResponse(what, 'count is not a number');
  if (next !== undefined && next !== null && typeof next !== 'string')
    throw badResponse(what, 'next is not a URL');
  return {
    results: value.results,
    count: typeof count === 'number' ? count : null,
    next: typeof next === 'string' && next !== '' ? next : null,
    previous: typeof previous === 'string' && previous !== '' ? previous : null,
  };
}

export function checkCollection(value: unknown, what: string): IsicCollection {
  if (!isRecord(value) || typeof value.id !== 'number' || typeof value.name !== 'string') {
    throw badResponse(what, 'a collection has no id / name');
  }
  return value as unknown as IsicCollection;
}

export { badResponse };
