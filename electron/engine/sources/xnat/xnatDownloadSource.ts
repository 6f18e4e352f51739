import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import type { LocalFile, SourceAdapter, WorkItem } from '../../runner/adapters';
import { DownloadStaging } from './downloadStaging';
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

/** The item's staged copy when it is there and whole; null when it must be fetched again. */
async function stagedCopy(staging: DownloadStaging, item: WorkItem, key: string): Promise<LocalFile | null> {
  for (const candidate of [staging.stagedPath(key), staging.refetchPath(key)]) {
    const info = await stat(candidate).catch(() => null);
    if (info?.isFile() && (item.size === null || info.size === item.size)) {
      return { path: candidate, size: info.size, md5: metaString(item, 'md5') || undefined, temporary: true };
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
    await new DownloadStaging(ctx.workDir).remove();
  },
};
