/**
 * What the "ISIC Archive" form asks of the archive before it creates a batch: collections, counts and
 * sizes, thumbnails of the first results, and live counts of a local selection over a sample of the
 * results' metadata. The archive is a saved connection of kind 'isic', else the public archive.
 */
import { z } from 'zod';

/** How many of a search's first results the local-selection counts are computed over. */
export const ISIC_SAMPLE_MAX = 1_000;
/** Most thumbnails one preview returns. */
export const ISIC_THUMBNAILS_MAX = 24;

const search = {
  /** A saved connection of kind 'isic'; absent: the first one saved, else the public archive. */
  connectionId: z.string().min(1).max(100).optional(),
  query: z.string().trim().max(2000).optional(),
  collections: z.array(z.number().int().positive()).max(100).optional(),
  /** At most this many images from the search (0 = all), as the batch will list them. */
  limit: z.number().int().min(0).default(0),
};

export const isicCommands = {
  'isic.collections': z.object({ connectionId: search.connectionId }).strict(),
  'isic.preview': z
    .object({ ...search, thumbnails: z.number().int().min(0).max(ISIC_THUMBNAILS_MAX).default(12) })
    .strict(),
  'isic.selectCounts': z
    .object({
      ...search,
      /** `'path op value'` criteria (shared/isicSelect); an invalid one is reported, not thrown. */
      criteria: z.array(z.string().max(2000)).max(50),
    })
    .strict(),
} as const;

export interface IsicCollectionChoice {
  id: number;
  name: string;
  public: boolean;
  pinned: boolean;
}

export interface IsicThumbnail {
  isicId: string;
  /** `data:image/…;base64,…` (the app shows no remote images), or null when it could not be fetched. */
  dataUrl: string | null;
  diagnosis: string;
  license: string;
  attribution: string;
}

export interface IsicPreview {
  /** The API the batch must use (from the connection, or the public archive). */
  apiUrl: string;
  /** Matches of the search in the archive. */
  count: number;
  /** Sum of the full images' sizes of all matches. */
  totalBytes: number;
  /** What the batch would list: `count`, or the limit when smaller. */
  wanted: number;
  /** Bytes of `wanted` (estimated from the average size when a limit cuts the search). */
  wantedBytes: number;
  wantedBytesEstimated: boolean;
  thumbnails: IsicThumbnail[];
}

/** A metadata field seen in the sample, for the filter builder's field list. */
export interface IsicSampleField {
  path: string;
  kind: 'text' | 'number' | 'boolean' | 'mixed';
  /** Records of the sample that have it. */
  present: number;
  /** Its most frequent values (texts and booleans only). */
  values: string[];
}

export interface IsicSelectCounts {
  apiUrl: string;
  /** Records the counts were computed over: the first results of the search, at most ISIC_SAMPLE_MAX. */
  sampled: number;
  /** Whether the sample is every image the batch would list (then the counts are exact). */
  complete: boolean;
  /** For each criterion: how many sampled records meet it alone, or why it cannot be read. */
  criteria: ({ ok: true; text: string; count: number } | { ok: false; error: string })[];
  /** Records that meet every valid criterion. */
  selected: number;
  fields: IsicSampleField[];
}

export interface IsicResults {
  'isic.collections': IsicCollectionChoice[];
  'isic.preview': IsicPreview;
  'isic.selectCounts': IsicSelectCounts;
}
