import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import type { LocalFile, SourceAdapter, WorkItem } from '../../runner/adapters';
import { DownloadStaging } from './downloadStaging';
import type { StagingManifest } from './downloadStaging';
import { fileRestPath, itemDrafts, placeOf } from './experimentEntries';
import { refetchFile } from './refetchFile';
import { checkEntryName, resolveOutputFolder } from './safeExtract';
import { connect, stageExperiment } from './stageExperiment';

function isPlainFolderName(name: string): boolean {
  try {
    resolveOutputFolder('/', name);
    return true;
  } catch {
    return false;
  }
}

/** What to download: one experiment's scans or assessors, one resource type (or ALL), from one XNAT. */
export const xnatDownloadConfig = z
  .object({
    server: z
      .string()
      .regex(/^https?:\/\/[^/\s]+/i, 'the XNAT address must start with http:// or https://')
      .transform((s) => s.replace(/\/+$/, '')),
    /** Project ID, alias or secondary ID. */
    project: z.string().trim().min(1),
    /** The accession number: the experiment's label. It also names the output folder. */
    accession: z.string().min(1).refine(isPlainFolderName, {
      message:
        'the accession number names the output folder, so it must be a plain folder name (no /, \\, .., : or control characters)',
    }),
    type: z.enum(['scan', 'assessor']).default('scan'),
    /** `DICOM`, `NIFTI`, `ALL` or a custom resource label. */
    resource: z
      .string()
      .trim()
      .min(1)
      .regex(/^[^/\\]+$/, 'a resource type is a label, not a path')
      .default('DICOM'),
  })
  .strict();
export type XnatDownloadConfig = z.infer<typeof xnatDownloadConfig>;

const CHUNK = 1_000;

function metaString(item: WorkItem, name: string): string {
  const value = item.meta[name];
  return typeof value === 'string' ? value : '';
}

function checkedKey(key: string): string {
  const checked = checkEntryName(key);
  if ('problem' in checked || checked.isDirectory) {
    throw new CourierError({ code: 'unsafe-name', message: `The ledger holds an unsafe file key '${key}'.` });
  }
  return checked.parts.join('/');
}

/**
 * SHA-1 of each staged file by key, taken while extracting, read once per batch work folder. Kept with
 * the MD5 it belongs to: a digest is used only for the content the item was listed with.
 */
const stagedDigests = new Map<string, Promise<Map<string, { md5: string; sha1: string }>>>();

function digestsFrom(manifest: StagingManifest | null): Map<string, { md5: string; sha1: string }> {
  const byKey = new Map<string, { md5: string; sha1: string }>();
  for (const f of manifest?.files ?? []) if (f.sha1) byKey.set(f.key, { md5: f.md5, sha1: f.sha1 });
  return byKey;
}

async function stagedSha1(staging: DownloadStaging, key: string, md5: string): Promise<string | null> {
  let digests = stagedDigests.get(staging.dir);
  if (!digests) {
    digests = staging.manifest().then(digestsFrom);
    stagedDigests.set(staging.dir, digests);
  }
  const known = (await digests).get(key);
  return known && md5 && known.md5 === md5 ? known.sha1 : null;
}

/** The item's staged copy when it is there and whole; null when it must be fetched again. */
async function stagedCopy(staging: DownloadStaging, item: WorkItem, key: string): Promise<LocalFile | null> {
  for (const candidate of [staging.stagedPath(key), staging.refetchPath(key)]) {
    const info = await stat(candidate).catch(() => null);
    if (info?.isFile() && (item.size === null || info.size === item.size)) {
      // Digests taken while extracting (or checked when fetched again): the target need not read it again.
      const md5 = metaString(item, 'md5');
      const sha1 = await stagedSha1(staging, key, md5);
      return {
        path: candidate,
        size: info.size,
        ...(md5 ? { md5 } : {}),
        ...(md5 && sha1 ? { sha1 } : {}),
        temporary: true,
      };
    }
  }
  return null;
}

/**
 * An XNAT experiment as a source: the scans' (or assessors') files of one resource type, downloaded as
 * XNAT's zip into the batch's work folder and extracted safely; every extracted file is an item, which a
 * target then takes from the work folder. A re-run after an interruption lists the files already
 * extracted without downloading them again; an interruption before the extraction finished starts the
 * download over from the first byte (XNAT's zips cannot be resumed).
 */
export const xnatDownloadSource: SourceAdapter<XnatDownloadConfig> = {
  kind: 'xnat-download',
  title: 'XNAT experiment download',
  configSchema: xnatDownloadConfig,
  label: (c) => `${c.server} ${c.project}/${c.accession} (${c.type}s, ${c.resource})`,
  host: (c) => new URL(c.server).host,

  async *collect(config, ctx) {
    const staging = new DownloadStaging(ctx.workDir);
    const manifest = (await staging.manifest()) ?? (await stageExperiment(config, staging, ctx));
    stagedDigests.set(staging.dir, Promise.resolve(digestsFrom(manifest)));
    yield* itemDrafts(manifest, {
      server: config.server,
      kind: config.type,
      outputFolder: config.accession,
      chunk: CHUNK,
    });
  },

  async fetch(item, config, ctx) {
    const key = checkedKey(item.key);
    const staging = new DownloadStaging(ctx.workDir);
    const staged = await stagedCopy(staging, item, key);
    if (staged) return staged;
    const place = placeOf(key, config.type);
    const experiment = {
      project: metaString(item, 'project'),
      subject: metaString(item, 'subject'),
      label: metaString(item, 'experiment'),
    };
    if (!place || !experiment.project || !experiment.subject || !experiment.label) {
      throw new CourierError({
        code: 'staged-copy-missing',
        message: `The downloaded copy of ${key} is gone from the work folder; download the experiment again as a new batch.`,
      });
    }
    const dest = staging.refetchPath(key);
    const md5 = metaString(item, 'md5');
    const client = await connect(config.server, ctx);
    try {
      const size = await refetchFile(
        client,
        fileRestPath(experiment, config.type, place),
        dest,
        md5,
        ctx.signal,
      );
      return { path: dest, size, md5: md5 || undefined, temporary: true };
    } finally {
      await client.close();
    }
  },

  async finish(_config, items, ctx) {
    // Staged copies stay while any file still needs a retry or a decision; then the work folder is emptied.
    for (const item of items()) {
      if (item.status !== 'done' && item.status !== 'skipped' && item.status !== 'duplicate') return;
    }
    const staging = new DownloadStaging(ctx.workDir);
    stagedDigests.delete(staging.dir);
    await staging.remove();
  },
};
