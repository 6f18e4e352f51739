import { readdirSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { resolve, sep } from 'node:path';
import { CourierError } from '../../../../shared/errors';
import { compilePatterns, matchPath } from '../../../../shared/pathPattern';
import type { ItemDraft } from '../../ledger/ledger';
import { matchedDraft, SizedHeaderReader, unmatchedDraft } from './fileDrafts';
import { ScanCheckpoint } from './scanCheckpoint';
import type { DicomFolderConfig } from './sourceConfig';
import { keywordsFor, skipImageTypes } from './sourceConfig';

/** Files xnatuploader ignores, plus their Windows cousins: never DICOM, never worth a row. */
export const IGNORED_NAMES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** Files between two looks at the event loop: small enough for Ctrl-C and progress, big enough to stay fast. */
const STEP = 500;

export interface ListingProgress {
  signal: AbortSignal;
  /** Files looked at so far. */
  progress(done: number, total: number | null): void;
  /** The batch's work folder: a cancelled scan keeps there what it read, and the next scan continues from it. */
  workDir?: string;
}

interface Folder {
  abs: string;
  /** Path from the scanned folder, `/`-separated; '' for the folder itself. */
  rel: string;
  parts: string[];
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function cancelledScan(kept = 0): CourierError {
  return new CourierError({
    code: 'cancelled',
    message:
      kept > 0
        ? `The scan was cancelled; the headers of the ${kept.toLocaleString('en')} file(s) read so far are kept, and the next scan of this batch continues from them.`
        : 'The scan was cancelled.',
  });
}

/** Lets timers, signals and other work run between steps of a long synchronous walk. */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function checkFolder(root: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CourierError({
      code: code === 'ENOENT' ? 'missing-folder' : 'unreadable-folder',
      message:
        code === 'ENOENT'
          ? `The folder ${root} does not exist.`
          : `Cannot read the folder ${root}: ${(error as Error).message}`,
    });
  }
  if (!isDirectory)
    throw new CourierError({ code: 'not-a-folder', message: `${root} is a file, not a folder.` });
}

/**
 * Walks the folder depth-first in name order and turns every file into a draft: path patterns first
 * (no disk access), then, for matching files only, one read of the header bytes. Synchronous file calls
 * are the fastest way through many small reads; the walk pauses every few hundred files so that the
 * process stays responsive and a cancel is seen. A cancelled walk keeps the drafts it made in the work
 * folder (when given), and the next walk takes them instead of reading those headers again.
 */
export async function listFolder(config: DicomFolderConfig, ctx: ListingProgress): Promise<ItemDraft[]> {
  const root = resolve(config.dir);
  checkFolder(root);
  const patterns = compilePatterns(config.paths);
  const reader = new SizedHeaderReader(keywordsFor(config));
  const options = {
    mappings: config.mappings,
    skipImageTypes: skipImageTypes(config),
    includeUnmatched: config.includeUnmatched,
  };
  const checkpoint = ctx.workDir ? ScanCheckpoint.open(ctx.workDir, config) : null;
  const earlier = checkpoint && checkpoint.size > 0 ? checkpoint : null;
  const drafts: ItemDraft[] = [];
  const stack: Folder[] = [{ abs: root, rel: '', parts: [] }];
  let seen = 0;
  while (stack.length > 0) {
    const folder = stack.pop() as Folder;
    let entries: Dirent[];
    try {
      entries = readdirSync(folder.abs, { withFileTypes: true });
    } catch (error) {
      drafts.push(unreadableFolder(folder, error));
      continue;
    }
    entries.sort(byName);
    const subfolders: Folder[] = [];
    // Plain concatenation: the folder is already absolute and normalised, and path.join costs per file.
    const prefix = folder.abs.endsWith(sep) ? folder.abs : folder.abs + sep;
    for (const entry of entries) {
      const name = entry.name;
      const abs = prefix + name;
      const rel = folder.rel ? `${folder.rel}/${name}` : name;
      if (entry.isDirectory()) {
        subfolders.push({ abs, rel, parts: [...folder.parts, name] });
        continue;
      }
      if (IGNORED_NAMES.has(name) || !isFileEntry(entry, abs)) continue;
      seen++;
      const parts = [...folder.parts, name];
      const match = matchPath(patterns, parts);
      const kept = match.matched ? earlier?.take(rel, abs) : undefined;
      const draft = kept
        ? kept
        : match.matched
          ? matchedDraft(
              { key: rel, path: abs, name: rel, pattern: match.label, captured: match.values, upload: true },
              reader,
              options,
            )
          : config.includeUnmatched
            ? unmatchedDraft(rel, abs, rel, match.failures)
            : null;
      if (draft) drafts.push(draft);
      if (seen % STEP === 0) {
        ctx.progress(seen, null);
        await breathe();
        if (ctx.signal.aborted) throw cancelledScan(checkpoint?.save(drafts));
      }
    }
    stack.push(...subfolders.reverse());
  }
  ctx.progress(seen, seen);
  return drafts;
}

/** Regular files, and links that lead to one; folders behind links are not followed (no loops). */
function isFileEntry(entry: Dirent, abs: string): boolean {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  return statSync(abs, { throwIfNoEntry: false })?.isFile() ?? false;
}

function unreadableFolder(folder: Folder, error: unknown): ItemDraft {
  const name = folder.rel || '.';
  return {
    key: `${folder.rel}/`,
    path: folder.abs,
    name,
    status: 'skipped',
    reason: 'unreadable-folder',
    message: `Cannot read the folder ${folder.abs}: ${(error as Error).message}; its files are not listed.`,
    meta: { upload: false },
  };
}
