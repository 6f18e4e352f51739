import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CourierError } from '../../shared/errors';
import type { Engine } from '../engine/engine';
import { xnatDownloadConfig } from '../engine/sources/xnat/xnatDownloadSource';
import type { XnatDownloadConfig } from '../engine/sources/xnat/xnatDownloadSource';
import { batchNamed, openEngine } from './openEngine';
import { runBatchWithProgress } from './runBatch';

interface XnatDownloadOptions {
  server: string;
  project: string;
  accession: string;
  resource: string;
  type: 'scan' | 'assessor';
  out: string;
  batch?: string;
}

function parseConfig(opts: XnatDownloadOptions): XnatDownloadConfig {
  const parsed = xnatDownloadConfig.safeParse({
    server: opts.server,
    project: opts.project,
    accession: opts.accession,
    type: opts.type,
    resource: opts.resource,
  });
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => `--${i.path.map(String).join('.')}: ${i.message}`);
  throw new CourierError({ code: 'bad-config', message: details.join('; ') });
}

/** An existing batch of that name must be this same download, or re-running it would mix two jobs. */
function checkSameDownload(engine: Engine, batchId: number, config: XnatDownloadConfig, dir: string): void {
  const batch = engine.ledger.batches.require(batchId);
  const stored = batch.sourceConfig;
  const same =
    batch.sourceKind === 'xnat-download' &&
    batch.targetKind === 'folder' &&
    batch.targetConfig.dir === dir &&
    (['server', 'project', 'accession', 'type', 'resource'] as const).every((k) => stored[k] === config[k]);
  if (!same) {
    throw new CourierError({
      code: 'batch-exists',
      message: `A batch named '${batch.name}' already exists for another job; choose another --batch name.`,
    });
  }
}

/** `courier xnat-download`: one XNAT experiment's files, downloaded, extracted safely and checked into a folder. */
export function addXnatDownloadCommand(program: Command): void {
  program
    .command('xnat-download')
    .description(
      "download an XNAT experiment's scans (or assessors) as a zip, extract it safely, one ledger row per file",
    )
    .requiredOption('--server <url>', 'XNAT address, e.g. https://xnat.example.org')
    .requiredOption('--project <project>', 'project ID, alias or secondary ID')
    .requiredOption('--accession <label>', 'accession number (the experiment label); names the output folder')
    .option('--resource <type>', 'resource type: DICOM, NIFTI, ALL or a custom label', 'DICOM')
    .addOption(
      new Option('--type <type>', 'download the scans or the assessors')
        .choices(['scan', 'assessor'])
        .default('scan'),
    )
    .requiredOption('--out <dir>', 'folder that receives <accession>/scans/…')
    .option(
      '--batch <name>',
      'batch name (default: xnat-<accession>-<date>); the same name continues a batch',
    )
    .action(async (opts: XnatDownloadOptions) => {
      const config = parseConfig(opts);
      const dir = resolve(opts.out);
      const engine = openEngine(program);
      try {
        const name =
          opts.batch ?? `xnat-${config.accession}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        const batchId = batchNamed(engine, name, () => ({
          name,
          sourceKind: 'xnat-download',
          sourceConfig: config,
          targetKind: 'folder',
          targetConfig: { dir },
          settings: {},
        }));
        checkSameDownload(engine, batchId, config, dir);
        process.exitCode = await runBatchWithProgress(engine, batchId);
      } finally {
        await engine.close();
      }
    });
}
