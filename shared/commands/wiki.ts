/**
 * Commands behind the "Upload to a wiki" screens: a dry run that shows what each file would become on
 * the wiki (through the wiki target's own code, nothing uploaded), and the files a conflict is about
 * (the existing wiki file beside the new one, as data URLs, since the UI loads no remote images).
 */
import { z } from 'zod';

export const WIKI_SOURCE_KINDS = ['earlier-batch', 'sheet'] as const;

export const wikiCommands = {
  /**
   * The first `limit` files of a prospective upload: title, page text, comment and the SHA-1 and name
   * checks on the target and the reference wikis (read anonymously). Nothing is uploaded, no batch made.
   */
  'wiki.dryRun': z
    .object({
      source: z
        .object({ kind: z.enum(WIKI_SOURCE_KINDS), config: z.record(z.string(), z.unknown()) })
        .strict(),
      /** The mediawiki target's settings (as `batches.create` takes them); `dryRun` is forced on. */
      target: z.record(z.string(), z.unknown()),
      limit: z.number().int().min(1).max(200).default(20),
    })
    .strict(),
  /** The file an item of a wiki batch conflicts with (duplicate, name taken, warning), beside its own. */
  'wiki.conflict': z.object({ itemId: z.number().int().positive() }).strict(),
} as const;

export interface WikiDryRunRow {
  /** The item's name in the batch (its file name). */
  name: string;
  /** `would-send`: checked and described; `not-sent`: the source leaves it out; `failed`: could not be checked. */
  outcome: 'would-send' | 'not-sent' | 'failed';
  /** The file's title on the wiki, without `File:`. */
  title: string | null;
  pageText: string | null;
  comment: string | null;
  sha1: string | null;
  checks: string[];
  /** What a real run would do, or why the file is left out / could not be checked. */
  verdict: string;
}

export interface WikiDryRun {
  rows: WikiDryRunRow[];
  /** The source has more files than were shown. */
  more: boolean;
}

export interface WikiFilePreview {
  /** `File:Name.png` on a wiki, or the local file's name. */
  title: string;
  /** The description page on the wiki, or null for the local file. */
  url: string | null;
  /** The wiki's host, or null for the local file. */
  wiki: string | null;
  /** A `data:` URL of the image, or null when it cannot be shown. */
  image: string | null;
  /** Why there is no image (too large, not an image, not found). */
  note: string | null;
}

export interface WikiConflict {
  /** The file this item would send. */
  newFile: WikiFilePreview;
  /** The files on the wikis it conflicts with; empty when the item has no conflict. */
  existing: WikiFilePreview[];
}

export interface WikiResults {
  'wiki.dryRun': WikiDryRun;
  'wiki.conflict': WikiConflict;
}
