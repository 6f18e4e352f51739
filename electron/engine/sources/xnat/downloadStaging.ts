import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Where an experiment was found on XNAT, by the IDs its REST paths need. */
export interface ResolvedExperiment {
  project: string;
  subject: string;
  /** The experiment's label, as XNAT names it. */
  label: string;
}

const manifestSchema = z.object({
  version: z.literal(1),
  experiment: z.object({ project: z.string(), subject: z.string(), label: z.string() }),
  /** Paths inside the experiment (the zip's top folder, named after the session, taken off). */
  /** `sha1` is absent in manifests of earlier versions. */
  files: z.array(
    z.object({ key: z.string(), size: z.number(), md5: z.string(), sha1: z.string().optional() }),
  ),
});

/** What one finished download left in the work folder: every extracted file with its size and digests. */
export type StagingManifest = z.infer<typeof manifestSchema>;

/**
 * The batch's own corner of its work folder. The zip is streamed to `experiment.zip`, extracted safely
 * (through `staged/`) into `files/`, and only then is `manifest.json` written (atomically) and the zip
 * deleted: a manifest means every file is staged; without one, whatever is there is left over from an
 * interrupted run and is cleared before starting over.
 */
export class DownloadStaging {
  readonly dir: string;
  readonly zipFile: string;
  /** Where safeExtract puts the zip's tree (its top folder included). */
  readonly extractDir: string;
  /** The experiment's files by key, once extracted. */
  readonly filesDir: string;
  readonly refetchDir: string;
  private readonly manifestFile: string;
  private cached: Promise<StagingManifest | null> | undefined;

  constructor(workDir: string) {
    this.dir = path.join(workDir, 'xnat-download');
    this.zipFile = path.join(this.dir, 'experiment.zip');
    this.extractDir = path.join(this.dir, 'staged');
    this.filesDir = path.join(this.dir, 'files');
    this.refetchDir = path.join(this.dir, 'refetched');
    this.manifestFile = path.join(this.dir, 'manifest.json');
  }

  /** The manifest of a finished download, or null when there is none (or it is unreadable). */
  manifest(): Promise<StagingManifest | null> {
    this.cached ??= readFile(this.manifestFile, 'utf8').then(
      (text) => {
        const parsed = manifestSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : null;
      },
      () => null,
    );
    return this.cached;
  }

  /** Writes the manifest through a temporary file and a rename, so it is either whole or absent. */
  async saveManifest(manifest: StagingManifest): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = `${this.manifestFile}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(manifest));
    await rename(temp, this.manifestFile);
    this.cached = Promise.resolve(manifest);
  }

  /** Removes what an interrupted run left (partial zip, half-extracted folders) before starting over. */
  async clear(): Promise<void> {
    this.cached = undefined;
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
  }

  /** Removes the whole staging corner once every file is settled. */
  async remove(): Promise<void> {
    this.cached = undefined;
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The staged copy of an item, by its key (the path inside the experiment). */
  stagedPath(key: string): string {
    return path.join(this.filesDir, ...key.split('/'));
  }

  /** Where a file fetched again on its own (its staged copy gone) is kept. */
  refetchPath(key: string): string {
    return path.join(this.refetchDir, ...key.split('/'));
  }
}
