import { opendir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import type { ItemDraft } from '../../ledger/ledger';
import type { SourceAdapter } from '../../runner/adapters';

export const folderSourceConfig = z
  .object({
    dir: z.string().min(1),
    includeHidden: z.boolean().default(false),
  })
  .strict();
export type FolderSourceConfig = z.infer<typeof folderSourceConfig>;

const CHUNK = 1_000;

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Walks a folder depth-first in name order, yielding files in chunks; links and special files are listed as skipped. */
async function* walk(root: string, includeHidden: boolean): AsyncGenerator<ItemDraft[]> {
  const stack = [root];
  let chunk: ItemDraft[] = [];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const entries = [];
    for await (const entry of await opendir(dir)) {
      if (!includeHidden && entry.name.startsWith('.')) continue;
      entries.push(entry);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = toPosix(relative(root, full));
      if (entry.isDirectory()) {
        subdirs.push(full);
        continue;
      }
      const group = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
      if (entry.isFile()) {
        chunk.push({ key: rel, path: full, name: rel, group });
      } else {
        const kind = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
        chunk.push({
          key: rel,
          path: full,
          name: rel,
          group,
          status: 'skipped',
          reason: 'not-a-file',
          message: `${rel} is ${kind}; only regular files are copied.`,
        });
      }
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
    // Reverse so the stack pops sub-folders in name order.
    stack.push(...subdirs.reverse());
  }
  if (chunk.length > 0) yield chunk;
}

/** A local folder as a source: every regular file below it, with its relative path as its name. */
export const folderSource: SourceAdapter<FolderSourceConfig> = {
  kind: 'folder',
  title: 'Local folder',
  configSchema: folderSourceConfig,
  label: (config) => config.dir,
  host: () => null,
  async *collect(config) {
    const root = resolve(config.dir);
    const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
      throw new CourierError({
        code: err.code === 'ENOENT' ? 'missing-folder' : 'unreadable-folder',
        message:
          err.code === 'ENOENT'
            ? `The folder ${root} does not exist.`
            : `Cannot read the folder ${root}: ${err.message}`,
      });
    });
    if (!info.isDirectory()) {
      throw new CourierError({ code: 'not-a-folder', message: `${root} is a file, not a folder.` });
    }
    yield* walk(root, config.includeHidden);
  },
  async fetch(item) {
    const info = await stat(item.path);
    if (!info.isFile()) {
      throw new CourierError({ code: 'not-a-file', message: `${item.path} is no longer a regular file.` });
    }
    return { path: item.path, size: info.size };
  },
};
