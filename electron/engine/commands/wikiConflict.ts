// The files an item of a wiki batch conflicts with, for the item drawer and the attention queue: the
// existing wiki file(s) and the new file, each as a data URL (the UI loads no remote images).
import { readFile, stat } from 'node:fs/promises';
import { extname, basename } from 'node:path';
import type { WikiConflict, WikiFilePreview } from '../../../shared/commands/wiki';
import { CourierError } from '../../../shared/errors';
import type { ItemDetail } from '../../../shared/domain';
import { mediawikiClient } from '../clients/mediawiki';
import { USER_AGENT } from '../clients/httpFailure';
import type { CommandContext } from './context';

/** Larger files are not shown (a preview, not a download). */
export const MAX_PREVIEW_BYTES = 8 * 1024 * 1024;

const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

/** A file on a wiki that an item conflicts with. */
export interface WikiFileRef {
  api: string;
  /** `File:Name.png` */
  title: string;
  url: string | null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function asRef(value: unknown, api: string): WikiFileRef | null {
  const r = record(value);
  if (typeof r.title !== 'string') return null;
  return {
    api: typeof r.api === 'string' ? r.api : api,
    title: r.title,
    url: typeof r.url === 'string' ? r.url : null,
  };
}

const WARNINGS_ABOUT_EXISTING = new Set([
  'exists',
  'exists-normalized',
  'was-deleted',
  'duplicate-archive',
  'page-exists',
]);

/**
 * The wiki files an item is in conflict with: the duplicates its delivery recorded, the file that took
 * its name, or the files the wiki's warnings name (latest event first). `api` is the batch's target wiki.
 */
export function conflictingFiles(detail: ItemDetail, api: string): WikiFileRef[] {
  const meta = detail.item.meta;
  if (detail.item.status === 'duplicate' && Array.isArray(meta.wikiDuplicates)) {
    return meta.wikiDuplicates.map((d) => asRef(d, api)).filter((d): d is WikiFileRef => d !== null);
  }
  if (detail.item.status !== 'attention') return [];
  for (const event of [...detail.events].reverse()) {
    const data = record(event.data);
    const existing = asRef(data.existing, api);
    if (existing) return [existing];
    if (Array.isArray(data.warnings)) {
      const refs: WikiFileRef[] = [];
      for (const w of data.warnings.map(record)) {
        if (w.code === 'duplicate' && Array.isArray(w.files)) {
          for (const f of w.files)
            if (typeof f === 'string') refs.push({ api, title: `File:${f.replace(/_/g, ' ')}`, url: null });
        } else if (
          typeof w.code === 'string' &&
          WARNINGS_ABOUT_EXISTING.has(w.code) &&
          typeof w.file === 'string'
        ) {
          refs.push({ api, title: `File:${w.file.replace(/_/g, ' ')}`, url: null });
        }
      }
      if (refs.length > 0) return refs;
    }
  }
  return [];
}

function dataUrl(type: string, bytes: Buffer): string {
  return `data:${type};base64,${bytes.toString('base64')}`;
}

async function wikiPreview(ref: WikiFileRef, signal: AbortSignal): Promise<WikiFilePreview> {
  const wiki = new URL(ref.api).host;
  const base: WikiFilePreview = { title: ref.title, url: ref.url, wiki, image: null, note: null };
  try {
    const client = mediawikiClient({ apiUrl: ref.api, maxlag: null });
    const state = (await client.fileStates([ref.title])).get(ref.title);
    const file = state?.file;
    if (!file) return { ...base, note: `${ref.title} is no longer on ${wiki} (deleted or renamed).` };
    const url = ref.url ?? (file.descriptionUrl || null);
    if (!file.mime?.startsWith('image/'))
      return { ...base, url, note: `Not an image (${file.mime ?? 'unknown type'}).` };
    if (file.size > MAX_PREVIEW_BYTES)
      return { ...base, url, note: 'Too large to preview here; open it on the wiki.' };
    const response = await fetch(file.url, { headers: { 'user-agent': USER_AGENT }, signal });
    if (!response.ok) return { ...base, url, note: `${wiki} answered ${response.status} for the image.` };
    const bytes = Buffer.from(await response.arrayBuffer());
    return { ...base, url, image: dataUrl(file.mime, bytes) };
  } catch (err) {
    return { ...base, note: `${wiki} could not be asked: ${(err as Error).message}` };
  }
}

async function localPreview(path: string, name: string): Promise<WikiFilePreview> {
  const base: WikiFilePreview = { title: name, url: null, wiki: null, image: null, note: null };
  const type = IMAGE_TYPES[extname(path).toLowerCase()];
  try {
    const info = await stat(path);
    if (!type) return { ...base, note: `Not an image this page can show (${basename(path)}).` };
    if (info.size > MAX_PREVIEW_BYTES) return { ...base, note: 'Too large to preview here.' };
    return { ...base, image: dataUrl(type, await readFile(path)) };
  } catch {
    return { ...base, note: `The file ${path} cannot be read.` };
  }
}

/** The item's own file and the wiki files it conflicts with, as images the UI can show. */
export async function wikiConflict(ctx: CommandContext, itemId: number): Promise<WikiConflict> {
  const detail = ctx.ledger.detail(itemId);
  const batch = ctx.ledger.batches.require(detail.item.batchId);
  const api = batch.targetConfig.api;
  if (batch.targetKind !== 'mediawiki' || typeof api !== 'string') {
    throw new CourierError({
      code: 'not-a-wiki-batch',
      message: `Batch '${batch.name}' does not upload to a wiki.`,
    });
  }
  const signal = AbortSignal.timeout(30_000);
  const refs = conflictingFiles(detail, api);
  const [newFile, ...existing] = await Promise.all([
    localPreview(detail.item.path, detail.item.name),
    ...refs.map((ref) => wikiPreview(ref, signal)),
  ]);
  return { newFile: newFile!, existing };
}
