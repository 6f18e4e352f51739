/**
 * The description page and upload comment of a file sent to a wiki, from the facts its item carries
 * (a Radiopaedia image, an ISIC image, a spreadsheet row or just a file), through a template the user can
 * edit. Placeholders are written `${name}` (as in Pattypan's templates) so they never clash with wikitext's
 * `{{…}}`. Pure: no Node, no DOM; the Settings preview uses the same functions as the uploader.
 */
import { stackLetter } from './radiopaediaNames';

export const PLACEHOLDERS = [
  'title',
  'description',
  'date',
  'source',
  'author',
  'permission',
  'licence',
  'license',
  'categories',
  'attribution',
  'caseTitle',
  'rid',
  'study',
  'modality',
  'plane',
  'aux',
  'position',
  'systems',
  'isicId',
  'batch',
  'imageNo',
  'stackRef',
  'comment',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

/** The page every file gets unless the user writes another: Commons' {{Information}}, licence, categories. */
export const DEFAULT_PAGE_TEMPLATE = `=={{int:filedesc}}==
{{Information
|description=\${description}
|date=\${date}
|source=\${source}
|author=\${author}
|permission=\${permission}
}}

=={{int:license-header}}==
\${licence}

\${categories}
`;

/** NC Commons' upload comment for Radiopaedia files (nccommons.org/wiki/User:Fæ/Radiopaedia). */
export const RADIOPAEDIA_COMMENT_TEMPLATE = 'rID:${rid} (batch #${batch}-${imageNo} ${stackRef}${position})';
export const PLAIN_COMMENT_TEMPLATE = 'Imaging Courier batch #${batch}: ${title}';

/** MediaWiki cuts upload comments at 500 characters (CommentStore::COMMENT_CHARACTER_LIMIT). */
export const MAX_COMMENT_CHARACTERS = 500;

/**
 * Per-file categories of Radiopaedia images, below NC Commons' `Radiopaedia images by system`, `… by type`
 * and `… by case`. The system form follows the existing `Radiopaedia images for Not Applicable`; the case
 * form follows `Radiopaedia case <rID> <title>` as the NC Commons bot names case categories.
 */
export const RADIOPAEDIA_CATEGORIES = {
  system: (system: string) => `Radiopaedia images for ${system}`,
  modality: (modality: string) => `Radiopaedia ${modality} images`,
  case: (rid: string, title: string) => `Radiopaedia case ${rid} ${title}`,
};
export const ISIC_CATEGORY = 'ISIC Archive images';

/** Licence template for Radiopaedia when the page's licence link says nothing more precise. */
export const RADIOPAEDIA_LICENCE = 'CC-BY-NC-SA-3.0';

/** ISIC's `copyright_license` values (reference/sources.md §1.1) as wiki templates and deeds. */
export const ISIC_LICENCES: Record<string, { template: string; url: string; label: string }> = {
  'CC-0': {
    template: 'CC-zero',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    label: 'CC0 1.0',
  },
  'CC-BY': { template: 'CC-BY-4.0', url: 'https://creativecommons.org/licenses/by/4.0/', label: 'CC BY 4.0' },
  'CC-BY-NC': {
    template: 'CC-BY-NC-4.0',
    url: 'https://creativecommons.org/licenses/by-nc/4.0/',
    label: 'CC BY-NC 4.0',
  },
};

/** Where a case stands among the files of its batch (counted by the source that lists the batch). */
export interface CasePlace {
  /** Distinct studies and stacks of the case. */
  studies: number;
  stacks: number;
  /** 1-based number of this image in the case, and of its stack in the case (A = 1). */
  imageNo: number;
  stackNo: number;
}

/** Everything a page and a comment are made of, ready for a template. */
export interface WikiFacts {
  kind: 'radiopaedia' | 'isic' | 'sheet' | 'file';
  values: PlaceholderValues;
  categories: string[];
  /** A comment the file came with (spreadsheet column), used instead of the default one. */
  comment: string | null;
  /** Things a person should know before this goes up (no licence, say). */
  notes: string[];
}

export interface FactsContext {
  /** The file name on the wiki, without `File:`. */
  title: string;
  /** The batch's number, for the upload comment. */
  batch: number;
}

type Meta = Record<string, unknown>;

function record(value: unknown): Meta {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Meta) : {};
}

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text).filter(Boolean);
  const one = text(value);
  return one ? [one] : [];
}

/** Archive text made inert inside a template parameter: no links, templates, pipes, tags or signatures. */
export function escapeWikiText(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[[\]{}|<>~]/g, (ch) => `&#${ch.charCodeAt(0)};`)
    .replace(/'{2,}/g, (run) => '&#39;'.repeat(run.length));
}

/** `[url label]`, or just the label when the URL is not a plain http(s) URL. */
export function externalLink(url: string, label: string): string {
  const clean = url.trim();
  if (!/^https?:\/\/[^\s[\]<>"]+$/.test(clean)) return escapeWikiText(label);
  return `[${clean} ${escapeWikiText(label)}]`;
}

/** A category name made safe for `[[Category:…]]`. */
export function categoryName(name: string): string {
  return name
    .replace(/[[\]{}|#<>]/g, '-')
    .replace(/[\s_]+/g, ' ')
    .trim();
}

/** The template and label of a Creative Commons deed URL (`…/licenses/by-nc-sa/3.0/` → CC-BY-NC-SA-3.0). */
export function creativeCommonsLicence(
  url: string | null | undefined,
): { template: string; label: string } | null {
  if (!url) return null;
  const licence = /creativecommons\.org\/licenses\/([a-z-]+)\/(\d+(?:\.\d+)?)/i.exec(url);
  if (licence) {
    const code = licence[1]!.toUpperCase();
    const version = licence[2]!;
    return { template: `CC-${code}-${version}`, label: `CC ${code} ${version}` };
  }
  if (/creativecommons\.org\/publicdomain\/zero\//i.test(url))
    return { template: 'CC-zero', label: 'CC0 1.0' };
  return null;
}

/** `{{Name}}` for a licence cell that holds `Name`, `{{Name}}` or nothing. */
export function licenceTemplate(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return '';
  return /^\{\{.*\}\}$/s.test(trimmed) ? trimmed : `{{${trimmed}}}`;
}

function emptyValues(context: FactsContext): PlaceholderValues {
  const values = Object.fromEntries(PLACEHOLDERS.map((p) => [p, ''])) as PlaceholderValues;
  values.title = context.title;
  values.batch = String(context.batch);
  return values;
}

function titleBase(title: string): string {
  const dot = title.lastIndexOf('.');
  return dot > 0 ? title.slice(0, dot) : title;
}

function casePlace(meta: Meta): CasePlace | null {
  const place = record(meta.wikiCase);
  const n = (key: string) => (typeof place[key] === 'number' ? (place[key] as number) : NaN);
  const result = {
    studies: n('studies'),
    stacks: n('stacks'),
    imageNo: n('imageNo'),
    stackNo: n('stackNo'),
  };
  return Object.values(result).every(Number.isFinite) ? result : null;
}

function radiopaediaFacts(meta: Meta, context: FactsContext): WikiFacts {
  const values = emptyValues(context);
  const kase = record(meta.case);
  const study = record(meta.study);
  const stack = record(meta.stack);
  const image = record(meta.image);
  const licence = record(meta.licence);
  const rid = text(kase.rid);
  const caseTitle = text(kase.title);
  const modality = text(stack.modality) || text(study.modality);
  const plane = text(stack.plane_projection);
  const aux = text(stack.aux_modality);
  const position = text(image.position);
  const systems = strings(kase.systems);
  const place = casePlace(meta);
  const stackIndex = typeof stack.index === 'number' ? stack.index : 0;
  const inStack = typeof stack.images === 'number' ? ` of ${stack.images}` : '';
  const view = [plane, aux].filter(Boolean).join(' ');
  const permalink = text(kase.permalink) || text(kase.url);
  const studyUrl = text(study.url) || text(meta.sourceUrl);
  const author = text(kase.author);
  const licenceUrl = text(licence.url);
  const cc = creativeCommonsLicence(licenceUrl);

  values.caseTitle = escapeWikiText(caseTitle);
  values.rid = rid;
  values.study = text(study.id);
  values.modality = escapeWikiText(modality);
  values.plane = escapeWikiText(plane);
  values.aux = escapeWikiText(aux);
  values.position = position;
  values.systems = escapeWikiText(systems.join(', '));
  values.imageNo = place ? String(place.imageNo) : position;
  values.stackRef = stackLetter(place ? place.stackNo - 1 : stackIndex);
  values.description = escapeWikiText(
    `${caseTitle.replace(/[.\s]+$/, '')}. Radiopaedia case ${rid}, study ${values.study}${modality ? ` (${modality})` : ''}` +
      `${view || position ? ': ' : ''}${view}${position ? `${view ? ', ' : ''}image ${position}${inStack}` : ''}.`,
  );
  const studyLink = studyUrl ? ` (${externalLink(studyUrl, `study ${values.study}`)})` : '';
  values.source = `${externalLink(permalink, `Radiopaedia case ${rid}`)}${studyLink}`;
  values.author = escapeWikiText(author || 'a Radiopaedia.org contributor');
  values.date = escapeWikiText(text(kase.published));
  values.attribution = escapeWikiText(text(meta.attribution));
  const deed = cc
    ? externalLink(licenceUrl, cc.label)
    : externalLink(licenceUrl, 'the licence on the case page');
  values.permission = licenceUrl
    ? `Licensed under ${deed}, as the case page states (its licence link). ${values.attribution}`.trim()
    : values.attribution;
  values.licence = licenceTemplate(cc?.template ?? RADIOPAEDIA_LICENCE);

  const categories = systems.map(RADIOPAEDIA_CATEGORIES.system);
  if (modality) categories.push(RADIOPAEDIA_CATEGORIES.modality(modality));
  if (place && (place.stacks > 1 || place.studies > 1)) {
    categories.push(RADIOPAEDIA_CATEGORIES.case(rid, caseTitle));
  }
  const notes = licenceUrl ? [] : ['The case page had no licence link; the licence is assumed.'];
  return { kind: 'radiopaedia', values, categories, comment: null, notes };
}

const DIAGNOSIS_KEYS = ['diagnosis_5', 'diagnosis_4', 'diagnosis_3', 'diagnosis_2', 'diagnosis_1'];
const SITE_KEYS = ['anatom_site_5', 'anatom_site_4', 'anatom_site_3', 'anatom_site_2', 'anatom_site_1'];

function isicFacts(meta: Meta, context: FactsContext): WikiFacts {
  const values = emptyValues(context);
  const id = text(meta.isic_id);
  const metadata = record(meta.metadata);
  const clinical = record(metadata.clinical);
  const acquisition = record(metadata.acquisition);
  const first = (keys: string[]) => keys.map((k) => text(clinical[k])).find(Boolean) ?? '';
  const details = [text(acquisition.image_type), first(SITE_KEYS)].filter(Boolean).join('; ');
  const diagnosis = first(DIAGNOSIS_KEYS);
  const code = text(meta.copyright_license);
  const licence = ISIC_LICENCES[code];
  values.isicId = id;
  values.description = escapeWikiText(
    `${id} from the ISIC Archive${diagnosis ? `: ${diagnosis}` : ''}${details ? ` (${details})` : ''}.`,
  );
  values.source = externalLink(`https://api.isic-archive.com/api/v2/images/${id}/`, `ISIC Archive: ${id}`);
  values.author = escapeWikiText(text(meta.attribution) || 'Anonymous');
  values.attribution = values.author;
  values.permission = licence
    ? `Licensed under ${externalLink(licence.url, licence.label)} by the ISIC Archive (copyright_license ${escapeWikiText(code)}).`
    : '';
  values.licence = licence ? licenceTemplate(licence.template) : '';
  const notes = licence ? [] : [`Unknown ISIC licence '${code}': no licence template.`];
  return { kind: 'isic', values, categories: [ISIC_CATEGORY], comment: null, notes };
}

function sheetFacts(meta: Meta, context: FactsContext): WikiFacts {
  const values = emptyValues(context);
  const row = record(meta.sheet);
  // A spreadsheet is written by the person uploading: its cells are wikitext, used as they are.
  values.description = text(row.description) || escapeWikiText(titleBase(context.title));
  values.date = text(row.date);
  values.source = text(row.source);
  values.author = text(row.author);
  values.permission = text(row.permission);
  values.licence = licenceTemplate(text(row.license));
  const comment = text(row.comment);
  values.comment = comment;
  const notes = values.licence ? [] : ['No licence in the spreadsheet row.'];
  return { kind: 'sheet', values, categories: strings(row.categories), comment: comment || null, notes };
}

function fileFacts(context: FactsContext): WikiFacts {
  const values = emptyValues(context);
  values.description = escapeWikiText(titleBase(context.title));
  return {
    kind: 'file',
    values,
    categories: [],
    comment: null,
    notes: ['No licence is known for this file.'],
  };
}

/** The facts of an item's meta: a Radiopaedia image, an ISIC image, a spreadsheet row, or a bare file. */
export function wikiFacts(meta: Meta, context: FactsContext): WikiFacts {
  let facts: WikiFacts;
  if (meta.kind === 'radiopaedia-image' && typeof record(meta.case).rid !== 'undefined') {
    facts = radiopaediaFacts(meta, context);
  } else if (typeof meta.isic_id === 'string' && typeof meta.copyright_license === 'string') {
    facts = isicFacts(meta, context);
  } else if (typeof meta.sheet === 'object' && meta.sheet !== null) {
    facts = sheetFacts(meta, context);
  } else facts = fileFacts(context);
  const unique = [...new Set(facts.categories.map(categoryName).filter(Boolean))];
  facts.values.categories = unique.map((c) => `[[Category:${c}]]`).join('\n');
  facts.values.license = facts.values.licence;
  return { ...facts, categories: unique };
}

const PLACEHOLDER = /\$\{([A-Za-z]+)\}/g;

/** Placeholders a template uses that are not known (typos the Settings screen should point at). */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))].filter((n) => !known.has(n));
}

/** Fills `${name}` placeholders; unknown ones stay as written. */
export function renderTemplate(template: string, values: PlaceholderValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole,
  );
}

/** The description page of a file: the template filled, blank runs collapsed, one final newline. */
export function wikiPageText(facts: WikiFacts, template: string = DEFAULT_PAGE_TEMPLATE): string {
  return `${renderTemplate(template, facts.values)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** The upload comment: the user's template, else the file's own comment, else the default for its kind. */
export function uploadComment(facts: WikiFacts, template?: string | null): string {
  const chosen =
    template ??
    (facts.comment !== null
      ? null
      : facts.kind === 'radiopaedia'
        ? RADIOPAEDIA_COMMENT_TEMPLATE
        : PLAIN_COMMENT_TEMPLATE);
  const comment = chosen === null ? (facts.comment ?? '') : renderTemplate(chosen, facts.values);
  const flat = comment.replace(/\s+/g, ' ').trim();
  return [...flat].length > MAX_COMMENT_CHARACTERS
    ? [...flat].slice(0, MAX_COMMENT_CHARACTERS - 1).join('') + '…'
    : flat;
}
