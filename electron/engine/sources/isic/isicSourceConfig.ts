import { z } from 'zod';
import { parseSelect } from '../../../../shared/isicSelect';
import { ISIC_API_URL } from '../../clients/isic';

/** An ISIC Archive search (server side) plus a local selection over the listed images' metadata. */
export const isicSourceConfig = z
  .object({
    apiUrl: z
      .string()
      .refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), 'an http(s) URL')
      .default(ISIC_API_URL),
    /** The archive's query language, e.g. `age_approx:[20 TO 40] AND sex:male`. */
    query: z.string().optional(),
    collections: z.array(z.number().int().positive()).optional(),
    /** At most this many images from the search; 0 means all of them. */
    limit: z.number().int().min(0).default(0),
    /** `'path op value'` criteria (shared/isicSelect), all of which an image must meet to be downloaded. */
    select: z
      .array(
        z.string().superRefine((text, ctx) => {
          try {
            parseSelect(text);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        }),
      )
      .optional(),
  })
  .strict();

export type IsicSourceConfig = z.infer<typeof isicSourceConfig>;

/** "ISIC: query "sex:male", collections 61,74, first 100" — what the operator sees for a batch. */
export function describeIsicSearch(config: IsicSourceConfig): string {
  const parts: string[] = [];
  if (config.query?.trim()) parts.push(`query "${config.query.trim()}"`);
  if (config.collections?.length) parts.push(`collections ${config.collections.join(',')}`);
  if (config.limit > 0) parts.push(`first ${config.limit}`);
  if (config.select?.length) parts.push(`${config.select.length} local criteria`);
  const host = new URL(config.apiUrl).host;
  const where = host === new URL(ISIC_API_URL).host ? 'ISIC Archive' : `ISIC Archive at ${host}`;
  return `${where}: ${parts.length ? parts.join(', ') : 'all images'}`;
}
