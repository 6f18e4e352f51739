import { z } from 'zod';
import { unknownPlaceholders } from '../../../../shared/wikiPage';

/** Wikimedia Commons' Action API: the reference wiki every upload is checked against unless told otherwise. */
export const COMMONS_API = 'https://commons.wikimedia.org/w/api.php';

/** Files at least this large are looked up on the target before their bytes are sent. */
export const DEFAULT_TARGET_LOOKUP_BYTES = 1024 * 1024;

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL of api.php');

const template = z.string().refine((value) => unknownPlaceholders(value).length === 0, {
  error: (issue) =>
    `unknown placeholder(s): ${unknownPlaceholders(String(issue.input))
      .map((n) => `\${${n}}`)
      .join(', ')}`,
});

export const mediawikiTargetConfig = z
  .object({
    /** The target wiki's api.php. */
    api: httpUrl,
    /** Reference wikis whose files count as duplicates (SHA-1), searched anonymously. */
    checkApis: z.array(httpUrl).default([COMMONS_API]),
    /** Page text with `${…}` placeholders (shared/wikiPage.ts); default: {{Information}}, licence, categories. */
    pageTemplate: template.optional(),
    /** Upload comment with placeholders; default: NC Commons' `rID:…` form for Radiopaedia files. */
    commentTemplate: template.optional(),
    /** Check and describe every file without uploading anything. */
    dryRun: z.boolean().default(false),
    /** Bytes per chunk; larger files go in chunks (default 5 MiB). */
    chunkSize: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .optional(),
    /** Files at least this large are looked up on the target (SHA-1, title) before their bytes are sent. */
    targetLookupBytes: z.number().int().min(0).default(DEFAULT_TARGET_LOOKUP_BYTES),
    /** `maxlag` sent with every request (Wikimedia etiquette: 5); null leaves it out. */
    maxlag: z.number().int().nullable().default(5),
  })
  .strict();

export type MediawikiTargetConfig = z.infer<typeof mediawikiTargetConfig>;
