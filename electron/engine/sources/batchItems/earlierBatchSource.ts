import { stat } from 'node:fs/promises';
import { isAbsolute, posix } from 'node:path';
import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import type { ItemDraft } from '../../ledger/ledger';
import type { SettledItem, SourceAdapter } from '../../runner/adapters';
import { casePlaces } from './casePlaces';

export const earlierBatchConfig = z.object({ batch: z.string().trim().min(1) }).strict();
export type EarlierBatchConfig = z.infer<typeof earlierBatchConfig>;

const CHUNK = 500;

// Decisions and results of the earlier batch that must not carry over into the new one.
const NOT_CARRIED = ['approved', 'convert', 'dryRun', 'wiki', 'wikiDuplicates'];

/** A local file of a settled item: where its target put it, else where its source read it. */
function localFileOf(item: SettledItem): string | null {
  const isLocal = (p: string | null) => p !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) && isAbsolute(p);
  if (isLocal(item.target)) return item.target;
  if (isLocal(item.path)) return item.path;
  return null;
}

/** The name on the wiki: the one the earlier source chose for it, else the item's own file name. */
function wikiName(item: SettledItem): string {
  const chosen = item.meta.wikiTitle;
  if (typeof chosen === 'string' && chosen.trim() !== '') return chosen.trim();
  return posix.basename(item.name.replaceAll('\\', '/'));
}

function carriedMeta(item: SettledItem, batch: string): Record<string, unknown> {
  const meta = { ...item.meta };
  for (const key of NOT_CARRIED) delete meta[key];
  return { ...meta, from: { batch, itemId: item.id, key: item.key, sha1: item.sha1 } };
}

/**
 * The files an earlier batch of this ledger delivered (`done` items), for a second leg, e.g. Radiopaedia
 * or ISIC downloads sent on to a wiki. Each keeps its meta; Radiopaedia images also learn where they stand
 * in their case (`wikiCase`), which the wiki's categories and upload comment need.
 */
export const earlierBatchSource: SourceAdapter<EarlierBatchConfig> = {
  kind: 'earlier-batch',
  title: 'Files of an earlier batch',
  configSchema: earlierBatchConfig,
  label: (config) => `batch '${config.batch}'`,
  host: () => null,
  async *collect(config, ctx) {
    const places = casePlaces(ctx.batchItems(config.batch));
    let chunk: ItemDraft[] = [];
    for (const item of ctx.batchItems(config.batch)) {
      if (item.status !== 'done') continue;
      const file = localFileOf(item);
      const place = places.get(item.id);
      const draft: ItemDraft = {
        key: item.key,
        path: file ?? item.target ?? item.path,
        name: wikiName(item),
        group: item.group,
        size: item.size,
        meta: { ...carriedMeta(item, config.batch), ...(place ? { wikiCase: place } : {}) },
      };
      if (item.meta.kind === 'radiopaedia-case') {
        draft.status = 'skipped';
        draft.reason = 'not-an-image';
        draft.message = `${item.name} is the record of a Radiopaedia case, not one of its images; not sent.`;
      } else if (!file) {
        draft.status = 'skipped';
        draft.reason = 'not-local';
        draft.message = `${item.name} went to ${item.target ?? 'an archive'}, not to a local file; nothing to send.`;
      }
      chunk.push(draft);
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  },
  async fetch(item, config) {
    try {
      const info = await stat(item.path);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      return { path: item.path, size: info.size };
    } catch (err) {
      throw new CourierError({
        code: 'missing-file',
        message: `${item.name} of batch '${config.batch}' is no longer at ${item.path}; put it back or skip it.`,
        cause: err,
      });
    }
  },
};
