import { createHash } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadPlace } from './uploadPlace';

/**
 * Server copies this batch itself wrote whose digest came back wrong (a transfer damaged on the way), or
 * whose check did not end (the listing read after the upload failed). They are the batch's to look at
 * again and replace on the next attempt, even in a later run; a file of that name that was already on
 * XNAT before is not, and needs a person's approval. Kept as small marker files in the batch's work
 * folder, so the knowledge survives a restart.
 */
export class BrokenCopies {
  /** Work folders known to hold no markers: most batches never have one, so most files need no disk look. */
  private static readonly clean = new Set<string>();
  private readonly dir: string;

  constructor(workDir: string) {
    this.dir = join(workDir, 'xnat-broken-copies');
  }

  async has(place: UploadPlace): Promise<boolean> {
    if (BrokenCopies.clean.has(this.dir)) return false;
    if (!(await exists(this.dir))) {
      BrokenCopies.clean.add(this.dir);
      return false;
    }
    return exists(this.marker(place));
  }

  async add(place: UploadPlace, detail: Record<string, unknown>): Promise<void> {
    BrokenCopies.clean.delete(this.dir);
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.marker(place), JSON.stringify({ place, ...detail }));
  }

  remove(place: UploadPlace): Promise<void> {
    return rm(this.marker(place), { force: true });
  }

  private marker(place: UploadPlace): string {
    // One marker per file place, named by a hash (labels may hold characters no file name can).
    const key = [place.project, place.subject, place.experiment, place.scan, place.resource, place.fileName];
    return join(this.dir, `${createHash('sha1').update(key.join('\u0000')).digest('hex')}.json`);
  }
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
