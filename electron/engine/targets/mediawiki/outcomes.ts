import { CourierError } from '../../../../shared/errors';
import { splitExtension } from '../../../../shared/wikiTitle';
import { findWarning, isAlreadyUploaded } from '../../clients/mediawiki';
import type { UploadWarning } from '../../clients/mediawiki';
import type { Delivery } from '../../runner/adapters';
import { describeFound } from './filePages';
import type { FoundFile } from './filePages';

/** Decisions offered for a file the wiki warned about: publish anyway, another name, or leave it. */
const WARNING_ACTIONS = ['approve', 'rename', 'skip'] as const;

function host(api: string): string {
  return new URL(api).host;
}

/** `Name (2).png`: the rename a person is offered first. */
export function suffixedName(title: string): string {
  const { base, extension } = splitExtension(title);
  return extension ? `${base} (2).${extension}` : `${title} (2)`;
}

/** The file is already there, same name, same bytes: done, nothing sent again (re-runs are safe). */
export function alreadyThere(file: FoundFile): Delivery {
  return {
    status: 'done',
    reason: 'already-there',
    target: file.url,
    message: `${host(file.api)} already holds these very bytes as ${file.title}; nothing was sent again.`,
    meta: { wiki: { api: file.api, title: file.title, url: file.url } },
  };
}

/** The same bytes are already on the target or a reference wiki under another name. */
export function duplicateOf(files: readonly FoundFile[], targetApi: string): Delivery {
  const onTarget = files.some((f) => f.api === targetApi);
  const where = [...new Set(files.map((f) => host(f.api)))].join(' and ');
  return {
    status: 'duplicate',
    reason: onTarget ? 'duplicate-on-target' : 'duplicate-on-reference',
    target: files[0]?.url ?? null,
    message: `The same bytes (SHA-1) are already on ${where}: ${describeFound(files)}; not uploaded. Approve to upload it anyway.`,
    // The operator may override: approving uploads it under its own name (the wiki's warning accepted).
    actions: ['approve'],
    meta: { wikiDuplicates: files.map((f) => ({ api: f.api, title: f.title, url: f.url })) },
  };
}

/** The name is taken on the target by other bytes: a person decides (another name, skip, new version). */
export function titleTaken(title: string, existing: FoundFile, filekey?: string): CourierError {
  return new CourierError({
    code: 'wiki-title-taken',
    message:
      `${existing.title} already exists on ${host(existing.api)} with other content (${existing.url}). ` +
      `Rename this file (e.g. '${suffixedName(title)}'), skip it, or approve to upload it as a new version of that file.`,
    attention: { reason: 'title-taken', actions: [...WARNING_ACTIONS] },
    detail: { existing, suggestion: suffixedName(title), ...(filekey ? { filekey } : {}) },
  });
}

interface WarningContext {
  api: string;
  title: string;
  filekey: string;
  /** The description page of a file name on the target. */
  pageUrl: (name: string) => string;
}

function sentence(warning: UploadWarning, context: WarningContext): string {
  const page = (name: string) => `File:${name.replace(/_/g, ' ')} (${context.pageUrl(name)})`;
  switch (warning.code) {
    case 'exists':
      return `${page(warning.file)} already exists with other content; approve to upload this as a new version, or rename it (e.g. '${suffixedName(context.title)}').`;
    case 'exists-normalized':
      return `${page(warning.file)} exists, a name that differs only in the extension's case; approve to upload anyway, or rename it.`;
    case 'was-deleted':
      return `A file named ${page(warning.file)} was deleted from the wiki; check why before you approve uploading it again.`;
    case 'duplicate-archive':
      return warning.file
        ? `The same bytes were uploaded before as File:${warning.file.replace(/_/g, ' ')} and deleted; check why before you approve.`
        : 'The same bytes were uploaded before and deleted; check why before you approve.';
    case 'badfilename':
      return `The wiki would store it as 'File:${warning.file.replace(/_/g, ' ')}'; approve to use that name, or rename it.`;
    case 'page-exists':
      return `A description page ${page(warning.file)} exists without a file; approve to upload under it, or rename it.`;
    case 'bad-prefix':
    case 'thumb':
    case 'thumb-name':
      return `The wiki dislikes the name (${warning.code}: ${warning.file}); rename it, or approve to keep it.`;
    case 'duplicateversions':
      return 'An older version of this file has the same bytes; approve to upload anyway.';
    case 'nochange':
      return 'The current version has the same bytes.';
    case 'duplicate':
      return `The same bytes are on the wiki as ${warning.files.map(page).join(', ')}.`;
    case 'other':
      return `The wiki warned '${warning.apiCode}'; approve to upload anyway.`;
  }
}

const REASON_ORDER = [
  'badfilename',
  'exists',
  'exists-normalized',
  'was-deleted',
  'duplicate-archive',
  'page-exists',
  'bad-prefix',
  'thumb-name',
  'thumb',
  'duplicateversions',
] as const;

/** The attention reason of a set of warnings: the one a person should look at first. */
function reasonOf(warnings: readonly UploadWarning[]): string {
  const code = REASON_ORDER.find((c) => findWarning(warnings, c) !== undefined);
  if (code === 'exists') return 'title-taken';
  return code ?? 'wiki-warning';
}

/**
 * What an upload's warnings mean for the item (reference/mediawiki.md §0, §3.6): the same bytes under
 * the same name → done; the same bytes elsewhere → duplicate; anything else needs a person, who may
 * approve (the stashed bytes are then published without being sent again), rename or skip.
 */
export function warningsOutcome(warnings: readonly UploadWarning[], context: WarningContext): Delivery {
  if (isAlreadyUploaded(warnings)) {
    const url = context.pageUrl(context.title);
    return alreadyThere({ api: context.api, title: `File:${context.title}`, url });
  }
  const duplicate = findWarning(warnings, 'duplicate');
  if (duplicate && duplicate.files.length > 0) {
    const files = duplicate.files.map((name) => ({
      api: context.api,
      title: `File:${name.replace(/_/g, ' ')}`,
      url: context.pageUrl(name),
    }));
    return duplicateOf(files, context.api);
  }
  const badName = findWarning(warnings, 'badfilename');
  throw new CourierError({
    code: 'wiki-warning',
    message: warnings.map((w) => sentence(w, context)).join(' '),
    attention: { reason: reasonOf(warnings), actions: [...WARNING_ACTIONS] },
    detail: {
      warnings,
      filekey: context.filekey,
      ...(badName ? { suggestion: badName.file.replace(/_/g, ' ') } : {}),
    },
  });
}
