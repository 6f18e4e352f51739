import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanStatus, UploaderConfig, xnatUploadCommands } from '../../../shared/commands/xnatUpload';
import { CourierError } from '../../../shared/errors';
import { XnatClient } from '../clients/xnat/xnatClient';
import { DEFAULT_CONFIG, readWorkbook, writeConfigurationWorkbook } from '../reports/xnatWorkbook';
import type { XnatUploaderConfig } from '../reports/xnatWorkbook';
import type { DicomItemMeta } from '../sources/dicomFolder/itemMeta';
import { runListingPass } from '../sources/dicomFolder/listingPass';
import { samplePaths } from '../sources/dicomFolder/pathSample';
import { reviewFiles, reviewTree, selectableIds, uploadProgress } from '../sources/dicomFolder/scanReview';
import { xnatTargetConfig } from '../targets/xnat/targetConfig';
import { experimentLabelOf } from '../targets/xnat/uploadPlace';
import { requireUploadBatch } from '../targets/xnat/uploadSetup';
import type { CommandContext, HandlersFor } from './context';

/** The experiment label a file's session goes to, or '' when the label needs a value the file lacks. */
function experimentNamer(ctx: CommandContext, batchId: number): (meta: Record<string, unknown>) => string {
  const target = xnatTargetConfig.safeParse(ctx.ledger.batches.require(batchId).targetConfig);
  const template = target.success ? target.data.experimentLabel : '{Subject}_{Modality}{visit}';
  return (meta) => {
    try {
      return experimentLabelOf(meta as unknown as DicomItemMeta, template);
    } catch {
      return '';
    }
  };
}

function plainConfig(config: XnatUploaderConfig): UploaderConfig {
  return {
    paths: config.paths.map((p) => ({ label: p.label, cells: [...p.cells] })),
    mappings: Object.fromEntries(Object.entries(config.mappings).map(([k, v]) => [k, [...v]])),
    xnat: { ...config.xnat },
  };
}

function uploadBatch(ctx: CommandContext, batchId: number) {
  const batch = ctx.ledger.batches.require(batchId);
  requireUploadBatch(batch);
  return batch;
}

export function xnatUploadHandlers(ctx: CommandContext): HandlersFor<typeof xnatUploadCommands> {
  /** Scans started from this engine, by batch: their progress, while the engine lives. */
  const scans = new Map<number, ScanStatus>();
  /** Callers of scanStatus waiting for the next change of a scan. */
  const waiting = new Map<number, Set<() => void>>();
  const moved = (batchId: number) => {
    const wake = waiting.get(batchId);
    waiting.delete(batchId);
    for (const w of wake ?? []) w();
  };
  const nextChange = (batchId: number, waitMs: number) =>
    new Promise<void>((resolve) => {
      const set = waiting.get(batchId) ?? new Set<() => void>();
      waiting.set(batchId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      set.add(done);
    });

  const statusOf = (batchId: number): ScanStatus => {
    const known = scans.get(batchId);
    if (known) return { ...known };
    const batch = uploadBatch(ctx, batchId);
    if (!batch.collected) return { state: 'not-started', seen: 0, total: null, error: null };
    const total = ctx.summary(batch).total;
    return { state: 'scanned', seen: total, total, error: null };
  };

  return {
    'xnatUpload.samplePaths': ({ dir, limit }) => samplePaths(dir, limit),

    'xnatUpload.projects': async ({ connectionId }) => {
      const connection = ctx.connections.get(connectionId);
      if (connection.kind !== 'xnat') {
        throw new CourierError({
          code: 'bad-connection',
          message: `The connection '${connection.label}' is not an XNAT server.`,
        });
      }
      const login = await ctx.connections.login(connectionId);
      const client = await XnatClient.connect({
        server: connection.url,
        username: login.user,
        password: login.password,
        timeoutMs: 20_000,
      });
      const projects = await client.listProjects('edit');
      return projects.map((p) => ({ id: p.id, name: p.name, secondaryId: p.secondaryId }));
    },

    'xnatUpload.defaultConfig': () => plainConfig(DEFAULT_CONFIG),

    'xnatUpload.readWorkbook': async ({ path }) => {
      if (!existsSync(path)) {
        throw new CourierError({ code: 'missing-file', message: `There is no workbook at ${path}.` });
      }
      return plainConfig((await readWorkbook(path)).config);
    },

    'xnatUpload.writeWorkbook': async ({ path, config, replace }) => {
      if (!/\.xlsx$/i.test(path)) {
        throw new CourierError({
          code: 'bad-path',
          message: `${path} does not end in .xlsx; xnatuploader workbooks are Excel .xlsx files.`,
        });
      }
      if (existsSync(path) && !replace) {
        throw new CourierError({
          code: 'workbook-exists',
          message: `${path} already exists; tick “Replace” to overwrite it (its Files sheet would be lost), or choose another name.`,
        });
      }
      await writeConfigurationWorkbook(path, config);
      return { path };
    },

    'xnatUpload.workbookBytes': async ({ config }) => {
      const dir = await mkdtemp(join(ctx.dataDir, 'workbook-'));
      try {
        const path = join(dir, 'xnatuploader.xlsx');
        await writeConfigurationWorkbook(path, config);
        return { base64: (await readFile(path)).toString('base64'), fileName: 'xnatuploader.xlsx' };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    'xnatUpload.scan': ({ batchId }) => {
      const batch = uploadBatch(ctx, batchId);
      const running = scans.get(batchId);
      if (running?.state === 'scanning' || batch.collected) return statusOf(batchId);
      const runner = ctx.requireRunner();
      if (runner.isActive(batchId)) {
        throw new CourierError({
          code: 'batch-running',
          message: `Batch '${batch.name}' is already running; its files are listed as it goes.`,
        });
      }
      const status: ScanStatus = { state: 'scanning', seen: 0, total: null, error: null };
      scans.set(batchId, status);
      void runListingPass(ctx.ledger, ctx.adapters, batchId, {
        credentials: ctx.credentials,
        onProgress: (done, total) => {
          status.seen = done;
          status.total = total;
          moved(batchId);
        },
      })
        .then(
          () => {
            status.state = 'scanned';
          },
          (error: unknown) => {
            status.state =
              error instanceof CourierError && error.code === 'cancelled' ? 'cancelled' : 'failed';
            status.error = error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => moved(batchId));
      return { ...status };
    },

    'xnatUpload.scanStatus': async ({ batchId, waitMs }) => {
      const now = statusOf(batchId);
      if (now.state !== 'scanning' || waitMs === 0) return now;
      await nextChange(batchId, waitMs);
      return statusOf(batchId);
    },

    'xnatUpload.review': ({ batchId }) => {
      uploadBatch(ctx, batchId);
      return reviewTree(ctx.ledger, batchId, experimentNamer(ctx, batchId));
    },

    'xnatUpload.reviewFiles': ({ batchId, subject, session, dataset, offset, limit }) => {
      uploadBatch(ctx, batchId);
      return reviewFiles(ctx.ledger, batchId, { subject, session, dataset }, offset, limit);
    },

    'xnatUpload.select': ({ batchId, upload, group, itemIds }) => {
      uploadBatch(ctx, batchId);
      const ids = selectableIds(ctx.ledger, batchId, upload, { group, itemIds });
      const asked = itemIds?.length ?? ids.length;
      if (ids.length === 0) return { changed: 0, refused: asked };
      let changed = 0;
      for (let i = 0; i < ids.length; i += 10_000) {
        changed += ctx.ledger.decide({
          batchId,
          itemIds: ids.slice(i, i + 10_000),
          action: upload ? 'retry' : 'skip',
          note: upload
            ? 'Brought back into the upload in the review.'
            : 'Left out of the upload in the review.',
          actor: 'operator',
        }).applied;
      }
      return { changed, refused: asked - changed };
    },

    'xnatUpload.progress': ({ batchId }) => {
      uploadBatch(ctx, batchId);
      return uploadProgress(ctx.ledger, batchId, experimentNamer(ctx, batchId));
    },
  };
}
