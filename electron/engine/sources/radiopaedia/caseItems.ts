// How an extracted case becomes ledger items: one per image or video, named by the NC Commons scheme, with
// everything a later wiki batch needs in `meta`; and one `<id>/case` item for a case that could not be read.
import type { CourierError } from '../../../../shared/errors';
import { radiopaediaFileNames, sanitizeFileName } from '../../../../shared/radiopaediaNames';
import type { ItemDraft } from '../../ledger/ledger';
import type { CaseInput } from './caseInputs';
import type { RadiopaediaCase, RadiopaediaImage } from './types';

export const IMAGE_ITEM = 'radiopaedia-image';
export const CASE_ITEM = 'radiopaedia-case';

/** The case as a file page on a wiki describes it (reference/sources.md §2.1, NC Commons file pages). */
export interface CaseSummary {
  rid: number;
  title: string;
  /** The page that was read (after redirects). */
  url: string;
  permalink: string;
  doi: string;
  author: string | null;
  published: string | null;
  systems: string[];
  description: string | null;
}

/** The case's licence as found on its page, and whether a person must confirm it first. */
export interface LicenceCheck {
  url: string | null;
  /** A licence problem found while listing (missing link, other licence); null when the licence is as expected. */
  problem: { code: string; reason: string; message: string } | null;
  /** The problem was approved by an operator on the case item before the images were listed. */
  approved: boolean;
}

export interface ImageItemMeta {
  kind: typeof IMAGE_ITEM;
  case: CaseSummary;
  study: { id: number; modality: string | null; findings: string | null; url: string };
  stack: {
    /** 0-based order in the study, as in the names. */
    index: number;
    /** The label the name uses: plane/aux, or a letter where those are missing or not unique. */
    label: string;
    plane_projection: string | null;
    aux_modality: string | null;
    modality: string | null;
    images: number;
  };
  image: {
    id: number;
    position: number;
    fullUrl: string;
    thumbnailUrl: string | null;
    contentType: string | null;
  };
  /** Where the file comes from for a reader: the study page. */
  sourceUrl: string;
  licence: LicenceCheck;
  /** Radiopaedia's required credit: contributor, Radiopaedia.org and the rID (§2.1). */
  attribution: string;
  attributionHtml: string;
}

export interface CaseItemMeta {
  kind: typeof CASE_ITEM;
  /** What the person typed. */
  input: string;
  url: string;
  rid: number | null;
  /** Why listing failed the first time. */
  listingError: { code: string; message: string };
}

const EXT_BY_TYPE: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/x-bmp': 'bmp',
  'image/x-ms-bmp': 'bmp',
  'image/tiff': 'tif',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
};

/** The extension the data promises; the downloaded bytes have the last word (see `withRealExtension`). */
export function expectedExtension(image: Pick<RadiopaediaImage, 'contentType'>): string {
  const type = image.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return EXT_BY_TYPE[type] ?? 'jpg';
}

/** `name` with its extension replaced by `ext`. */
export function withRealExtension(name: string, ext: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return `${stem}.${ext}`;
}

/** The JSON file written for each case: stable before the case is read, so a retried case keeps it. */
export function caseRecordName(caseId: number | string): string {
  return sanitizeFileName(`Radiopaedia case ${caseId}.json`);
}

/** What identifies a case before it is read: its rID, else the slug of its URL. */
export function caseIdOf(input: Pick<CaseInput, 'rid' | 'url'>): string {
  if (input.rid !== null) return String(input.rid);
  const path = new URL(input.url).pathname.replace(/\/+$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || input.url;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function caseSummary(c: RadiopaediaCase): CaseSummary {
  const origin = new URL(c.url).origin;
  return {
    rid: c.rid,
    title: c.title,
    url: c.url,
    permalink: `${origin}/cases/${c.rid}`,
    doi: `https://doi.org/10.53347/rID-${c.rid}`,
    author: c.author,
    published: c.published,
    systems: c.systems,
    description: c.description,
  };
}

/** The credit Radiopaedia's licence asks for, as text and as HTML with the links online use needs. */
export function attributionOf(summary: CaseSummary): { text: string; html: string } {
  const origin = new URL(summary.url).origin;
  const who = summary.author ?? 'a Radiopaedia.org contributor';
  return {
    text: `Case courtesy of ${who}, Radiopaedia.org. From the case rID: ${summary.rid} (${summary.permalink})`,
    html:
      `Case courtesy of ${escapeHtml(who)}, <a href="${escapeHtml(origin)}/">Radiopaedia.org</a>. ` +
      `From the case <a href="${escapeHtml(summary.permalink)}">rID: ${summary.rid}</a>`,
  };
}

/** One pending item per image or video of the case, in case order, named by the NC Commons scheme. */
export function imageDrafts(c: RadiopaediaCase, licence: LicenceCheck): ItemDraft[] {
  const names = radiopaediaFileNames({
    rid: c.rid,
    title: c.title,
    studies: c.studies.map((study) => ({
      id: study.id,
      stacks: study.stacks.map((stack) => ({
        plane_projection: stack.plane_projection,
        aux_modality: stack.aux_modality,
        images: stack.images.map((img) => ({
          id: img.id,
          position: img.position,
          ext: expectedExtension(img),
        })),
      })),
    })),
  });
  const summary = caseSummary(c);
  const credit = attributionOf(summary);
  const drafts: ItemDraft[] = [];
  let n = 0;
  for (const study of c.studies) {
    study.stacks.forEach((stack, index) => {
      for (const img of stack.images) {
        const named = names[n++];
        if (!named) continue;
        const meta: ImageItemMeta = {
          kind: IMAGE_ITEM,
          case: summary,
          study: { id: study.id, modality: study.modality, findings: study.findings, url: study.url },
          stack: {
            index,
            label: named.label,
            plane_projection: stack.plane_projection,
            aux_modality: stack.aux_modality,
            modality: stack.modality,
            images: stack.images.length,
          },
          image: {
            id: img.id,
            position: named.position,
            fullUrl: img.fullUrl,
            thumbnailUrl: img.thumbnailUrl,
            contentType: img.contentType,
          },
          sourceUrl: study.url,
          licence,
          attribution: credit.text,
          attributionHtml: credit.html,
        };
        drafts.push({
          key: `${c.rid}/${study.id}/${img.id}`,
          path: c.url,
          name: named.name,
          group: `rID ${c.rid}`,
          meta: meta as unknown as Record<string, unknown>,
        });
      }
    });
  }
  return drafts;
}

/** The item that stands for a case that could not be listed; fetching it reads the case again. */
export function caseItemDraft(input: CaseInput, error: CourierError): ItemDraft {
  const id = caseIdOf(input);
  const meta: CaseItemMeta = {
    kind: CASE_ITEM,
    input: input.input,
    url: input.url,
    rid: input.rid,
    listingError: { code: error.code, message: error.message },
  };
  return {
    key: `${id}/case`,
    path: input.url,
    name: caseRecordName(id),
    group: input.rid !== null ? `rID ${input.rid}` : `Case ${id}`,
    message: error.message,
    meta: meta as unknown as Record<string, unknown>,
  };
}

export function isImageMeta(meta: Record<string, unknown>): meta is Record<string, unknown> & ImageItemMeta {
  const image = meta['image'] as { fullUrl?: unknown } | undefined;
  return meta['kind'] === IMAGE_ITEM && typeof image?.fullUrl === 'string';
}

export function isCaseMeta(meta: Record<string, unknown>): meta is Record<string, unknown> & CaseItemMeta {
  return meta['kind'] === CASE_ITEM && typeof meta['url'] === 'string';
}
