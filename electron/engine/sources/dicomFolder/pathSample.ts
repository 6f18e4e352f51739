import { opendir } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { checkFolder, IGNORED_NAMES } from './folderListing';

/** Entries read from one folder at most: a folder of 100,000 images is sampled, not listed. */
const ENTRIES_PER_FOLDER = 2_000;
/** Files taken from one folder: the sample should show many folders, not one folder's many images. */
const FILES_PER_FOLDER = 3;
/** Folders opened at most, whatever the sample's size. */
const FOLDERS_MAX = 5_000;

export interface PathSample {
  /** Relative to the folder, `/`-separated, in walk order. */
  paths: string[];
  /** Files seen while sampling (at least `paths.length`). */
  total: number;
  /** True when the walk stopped before seeing every file. */
  truncated: boolean;
}

/**
 * A sample of the files below `dir` for the pattern preview: a few files from each folder, breadth
 * first so that every subject's folder shows up early, and never more than a bounded number of folders
 * and entries read. Ignores the files a scan ignores.
 */
export async function samplePaths(dir: string, limit: number): Promise<PathSample> {
  const root = resolve(dir);
  checkFolder(root);
  const queue: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  const paths: string[] = [];
  let total = 0;
  let truncated = false;
  let opened = 0;
  while (queue.length > 0) {
    if (paths.length >= limit || opened >= FOLDERS_MAX) {
      truncated = true;
      break;
    }
    const folder = queue.shift() as { abs: string; rel: string };
    opened++;
    const files: string[] = [];
    const folders: string[] = [];
    let read = 0;
    try {
      const handle = await opendir(folder.abs, { bufferSize: 64 });
      for await (const entry of handle) {
        if (++read > ENTRIES_PER_FOLDER) {
          truncated = true;
          break;
        }
        if (entry.isDirectory()) folders.push(entry.name);
        else if ((entry.isFile() || entry.isSymbolicLink()) && !IGNORED_NAMES.has(entry.name))
          files.push(entry.name);
      }
      // Breaking out of the loop closes the handle; a full iteration closes it too.
    } catch {
      continue;
    }
    files.sort();
    folders.sort();
    total += files.length;
    const prefix = folder.rel ? `${folder.rel}/` : '';
    for (const name of files.slice(0, FILES_PER_FOLDER)) {
      if (paths.length >= limit) break;
      paths.push(prefix + name);
    }
    if (files.length > FILES_PER_FOLDER) truncated = true;
    const base = folder.abs.endsWith(sep) ? folder.abs : folder.abs + sep;
    for (const name of folders) queue.push({ abs: base + name, rel: prefix + name });
  }
  return { paths, total, truncated };
}
