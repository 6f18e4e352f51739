import { sameFileName } from '../../../../shared/wikiTitle';
import type { MediawikiClient } from '../../clients/mediawiki';
import { foundFile } from './filePages';
import type { FoundFile } from './filePages';

/** What the wikis know about a file's bytes and name before anything is sent. */
export interface Lookups {
  /** The target already holds these very bytes under this very name. */
  sameOnTarget: FoundFile | null;
  /** The same bytes under other names on the target, or anywhere on a reference wiki. */
  duplicates: FoundFile[];
  /** The name is taken on the target by other bytes. */
  titleTakenBy: FoundFile | null;
  /** Each check in words, for a dry run. */
  checks: string[];
}

export interface LookupRequest {
  sha1: string;
  title: string;
  /** The target, when it is to be asked (by SHA-1 and by name). */
  target: { api: string; client: MediawikiClient } | null;
  /** Reference wikis, asked by SHA-1 only. */
  references: { api: string; client: MediawikiClient }[];
}

function host(api: string): string {
  return new URL(api).host;
}

/** Asks the target and every reference wiki at once (SHA-1 of the exact bytes, and the name on the target). */
export async function lookUp(request: LookupRequest): Promise<Lookups> {
  const { sha1, title, target } = request;
  const [onTarget, state, ...onReferences] = await Promise.all([
    target ? target.client.findBySha1(sha1) : Promise.resolve(null),
    target
      ? target.client.fileStates([title]).then((states) => states.get(title) ?? null)
      : Promise.resolve(null),
    ...request.references.map((ref) => ref.client.findBySha1(sha1)),
  ]);
  const result: Lookups = { sameOnTarget: null, duplicates: [], titleTakenBy: null, checks: [] };
  if (target && onTarget) {
    for (const file of onTarget) {
      const found = foundFile(target.api, file);
      if (sameFileName(file.title, title)) result.sameOnTarget = found;
      else result.duplicates.push(found);
    }
    result.checks.push(
      onTarget.length === 0
        ? `${host(target.api)}: no file has these bytes`
        : `${host(target.api)}: these bytes are ${onTarget.map((f) => f.title).join(', ')}`,
    );
    const existing = state?.file;
    if (existing && existing.sha1.toLowerCase() !== sha1)
      result.titleTakenBy = foundFile(target.api, existing);
    result.checks.push(
      state?.invalid
        ? `${host(target.api)}: 'File:${title}' is not a valid title there`
        : !existing
          ? `${host(target.api)}: the name 'File:${title}' is free`
          : existing.sha1.toLowerCase() === sha1
            ? `${host(target.api)}: 'File:${title}' already holds these bytes`
            : `${host(target.api)}: 'File:${title}' is taken by other bytes`,
    );
  }
  request.references.forEach((ref, i) => {
    const files = onReferences[i] ?? [];
    for (const file of files) result.duplicates.push(foundFile(ref.api, file));
    result.checks.push(
      files.length === 0
        ? `${host(ref.api)}: no file has these bytes`
        : `${host(ref.api)}: these bytes are ${files.map((f) => f.title).join(', ')}`,
    );
  });
  return result;
}
