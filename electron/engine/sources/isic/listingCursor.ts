import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../clients/isic';
import type { IsicSourceConfig } from './isicSourceConfig';

/**
 * Where an interrupted listing stopped: the `next` URL of the last page the ledger stored, kept in the
 * batch's work folder, so the next run continues there instead of paging through everything again.
 */
export interface ListingCursor {
  /** The search it belongs to; a cursor of another search is ignored. */
  search: string;
  next: string;
  /** Images listed so far (counts against the limit). */
  listed: number;
}

const FILE = 'isic-listing.json';

export function searchFingerprint(config: IsicSourceConfig): string {
  return JSON.stringify([config.apiUrl, config.query?.trim() ?? '', config.collections ?? [], config.limit]);
}

/** The saved cursor for this search, or null when there is none (or it is unreadable or for another search). */
export async function loadCursor(workDir: string, config: IsicSourceConfig): Promise<ListingCursor | null> {
  let text: string;
  try {
    text = await readFile(join(workDir, FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const saved = JSON.parse(text) as Partial<ListingCursor>;
    if (
      saved.search === searchFingerprint(config) &&
      typeof saved.next === 'string' &&
      typeof saved.listed === 'number'
    ) {
      return { search: saved.search, next: saved.next, listed: saved.listed };
    }
  } catch {
    // A damaged cursor only costs a fresh listing: the ledger ignores images it already has.
  }
  return null;
}

export async function saveCursor(workDir: string, cursor: ListingCursor): Promise<void> {
  await writeFileAtomic(join(workDir, FILE), JSON.stringify(cursor));
}

export async function clearCursor(workDir: string): Promise<void> {
  await rm(join(workDir, FILE), { force: true });
}
