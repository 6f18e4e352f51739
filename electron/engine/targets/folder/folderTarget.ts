import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import { fileCalls } from '../../fileCalls';
import type { TargetAdapter, WorkItem } from '../../runner/adapters';
import { copyWithDigests, digestFile, moveIntoPlace } from './copyWithDigests';

export const folderTargetConfig = z.object({ dir: z.string().min(1) }).strict();
export type FolderTargetConfig = z.infer<typeof folderTargetConfig>;

/** Where an item goes below the destination folder; a name that would leave the folder needs a person. */
export function destinationOf(item: Pick<WorkItem, 'name'>, config: FolderTargetConfig): string {
  const root = resolve(config.dir);
  const name = item.name.replaceAll('\\', '/');
  const bad =
    name.length === 0 ||
    isAbsolute(name) ||
    /^[a-zA-Z]:/.test(name) ||
    name.split('/').some((p) => p === '..' || p === '');
  const dest = resolve(root, normalize(name));
  if (bad || !(dest + sep).startsWith(root + sep) || dest === root) {
    throw new CourierError({
      code: 'unsafe-name',
      message: `The name '${item.name}' would place the file outside ${root}; rename it.`,
      attention: { reason: 'unsafe-name', actions: ['rename', 'skip'] },
    });
  }
  return join(root, ...name.split('/'));
}

/** A local folder as a target: files copied through a temporary name, with SHA-1 and MD5 recorded. */
export const folderTarget: TargetAdapter<FolderTargetConfig> = {
  kind: 'folder',
  title: 'Local folder',
  configSchema: folderTargetConfig,
  label: (config) => config.dir,
  host: () => null,
  async probe(item, file, config, ctx) {
    const dest = destinationOf(item, config);
    const existing = await fileCalls.lstatIfAny(dest);
    if (!existing) return null;
    if (existing.isFile() && existing.size === file.size) {
      const [there, here] = await Promise.all([
        digestFile(dest, ctx.signal),
        digestFile(file.path, ctx.signal),
      ]);
      if (there.sha1 === here.sha1) {
        return {
          status: 'done',
          reason: 'already-there',
          message: 'Already at the destination with the same content; not copied again.',
          target: dest,
          ...there,
        };
      }
    }
    if (item.meta.approved) return null;
    throw new CourierError({
      code: 'name-conflict',
      message: `${dest} already exists with other content. Rename this file, skip it, or approve to overwrite.`,
      attention: { reason: 'name-conflict', actions: ['rename', 'skip', 'approve'] },
    });
  },
  async deliver(item, file, config, ctx) {
    const dest = destinationOf(item, config);
    if (file.temporary) {
      // A temporary file was written by the engine itself: digests it already computed are trusted.
      const known = file.sha1 && file.md5 ? { size: file.size, sha1: file.sha1, md5: file.md5 } : undefined;
      const moved = await moveIntoPlace(file.path, dest, ctx.signal, known);
      if (moved) return { status: 'done', target: dest, ...moved, tookFile: true };
    }
    const digests = await copyWithDigests(file.path, dest, {
      signal: ctx.signal,
      onProgress: (done) => ctx.progress(done, file.size),
    });
    return { status: 'done', target: dest, ...digests };
  },
};
