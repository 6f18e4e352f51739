import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanStatus, UploaderConfig, xnatUploadCommands } from '../../../shared/commands/xnatUpload';
import { CourierError } from '../../../shared/errors';
import { XnatClient } from '../clients/xnat/xnatClient';
import type { BatchRecord } from '../ledger/batchStore';
import { DEFAULT_CONFIG, readWorkbook, writeConfigurationWorkbook } from '../reports/xnatWorkbook';
import type { XnatUploaderConfig } from '../reports/xnatWorkbook';
import type { DicomItemMeta } from '../sources/dicomFolder/itemMeta';
import { listingWorkDir, runListingPass } from '../sources/dicomFolder/listingPass';
import { samplePaths } from '../sources/dicomFolder/pathSample';
import { ScanCheckpoint } from '../sources/dicomFolder/scanCheckpoint';
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

const count = (n: number) => n.toLocaleString('en');

/** The folder a batch scans and the project it goes to, as stored in its settings. */
function scanFolder(batch: BatchRecord): string {
  return typeof batch.sourceConfig.dir === 'string' ? batch.sourceConfig.dir : '';
}
function scanProject(batch: BatchRecord): string {
  return typeof batch.targetConfig.project === 'string' ? batch.targetConfig.project : '';
}

function uploadBatch(ctx: CommandContext, batchId: number) {
  const batch = ctx.ledger.batches.require(batchId);
  requireUploadBatch(batch);
  return batch;
}

/** Batch-level events of the scan, newest last; `collected` (the scan's end) is the batch's own flag. */
const SCAN_EVENTS = ['scan-started', 'scan-cancelled', 'scan-failed'] as const;

export function xnatUploadHandlers(ctx: CommandContext): HandlersFor<typeof xnatUploadCommands> {
  /** Scans started from this engine, by batch: their progress and how to stop them, while the engine lives. */
  const scans = new Map<number, { status: ScanStatus; controller: AbortController; done: Promise<void> }>();
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

  /** Writes a scan event to the batch's history; the engine may have closed meanwhile (then it is left out). */
  const scanEvent = (batchId: number, kind: (typeof SCAN_EVENTS)[number], message: string, data?: object) => {
    try {
      ctx.ledger.batchEvent(batchId, kind, message, data as Record<string, unknown> | undefined);
      ctx.ledger.announce(batchId, 'many');
    } catch {
      // Closed ledger: nothing more can be recorded, and no window is left to tell.
    }
  };

  const lastScanEvent = (batchId: number) =>
    ctx.ledger.db
      .prepare(
        `SELECT kind, message, data FROM events
         WHERE batch_id = ? AND item_id IS NULL AND kind IN (${SCAN_EVENTS.map(() => '?').join(', ')})
         ORDER BY id DESC LIMIT 1`,
      )
      .get(batchId, ...SCAN_EVENTS) as
      { kind: string; message: string | null; data: string | null } | undefined;

  const statusOf = (batchId: number): ScanStatus => {
    const batch = uploadBatch(ctx, batchId);
    const where = { dir: scanFolder(batch), project: scanProject(batch) };
    const run = scans.get(batchId);
    if (run?.status.state === 'scanning') return { ...run.status };
    if (batch.collected) {
      const total = ctx.summary(batch).total;
      return { state: 'scanned', seen: total, total, error: null, kept: 0, ...where };
    }
    const kept = ScanCheckpoint.count(listingWorkDir(ctx.ledger, batchId));
    if (run) return { ...run.status, kept };
    // Not scanned by this engine: what the batch's history says (a scan before a restart, or a command line's).
    const last = lastScanEvent(batchId);
    const seen = Number((JSON.parse(last?.data ?? '{}') as { seen?: unknown }).seen ?? 0) || 0;
    const base = { seen, total: null, kept, ...where };
    if (last?.kind === 'scan-cancelled') return { state: 'cancelled', error: last.message, ...base };
    if (last?.kind === 'scan-failed') return { state: 'failed', error: last.message, ...base };
    if (last?.kind === 'scan-started') {
      return {
        state: 'interrupted',
        error: 'The scan was under way when Imaging Courier stopped; scan again to finish it.',
        ...base,
      };
    }
    if (kept > 0) {
      return { state: 'cancelled', error: 'An earlier scan of this batch was cancelled.', ...base };
    }
    return { state: 'not-started', error: null, ...base };
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
      if (running?.status.state === 'scanning' || batch.collected) return statusOf(batchId);
      const runner = ctx.requireRunner();
      if (runner.isActive(batchId)) {
        throw new CourierError({
          code: 'batch-running',
          message: `Batch '${batch.name}' is already running; its files are listed as it goes.`,
        });
      }
      const workDir = listingWorkDir(ctx.ledger, batchId);
      const dir = scanFolder(batch);
      const kept = ScanCheckpoint.count(workDir);
      const status: ScanStatus = {
        state: 'scanning',
        seen: 0,
        total: null,
        error: null,
        kept,
        dir,
        project: scanProject(batch),
      };
      const controller = new AbortController();
      scanEvent(
        batchId,
        'scan-started',
        kept > 0
          ? `Scanning ${dir} again; the headers of the ${count(kept)} file(s) an earlier scan read are not read again.`
          : `Scanning ${dir}: reading every file's header (nothing is sent yet).`,
      );
      const run = { status, controller, done: Promise.resolve() };
      scans.set(batchId, run);
      ctx.preparing.set(batchId, `its folder ${dir} is being scanned`);
      run.done = runListingPass(ctx.ledger, ctx.adapters, batchId, {
        signal: controller.signal,
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
            if (error instanceof CourierError && error.code === 'cancelled') {
              status.state = 'cancelled';
              status.kept = ScanCheckpoint.count(workDir);
              status.error =
                `Scan cancelled after ${count(status.seen)} file(s) looked at` +
                (status.kept > 0
                  ? `; the headers of ${count(status.kept)} file(s) are kept and scanning again continues from them.`
                  : '.');
              scanEvent(batchId, 'scan-cancelled', status.error, { seen: status.seen, kept: status.kept });
            } else {
              status.state = 'failed';
              status.error = `The scan of ${dir} stopped: ${error instanceof Error ? error.message : String(error)}`;
              scanEvent(batchId, 'scan-failed', status.error, { seen: status.seen });
            }
          },
        )
        .finally(() => {
          ctx.preparing.delete(batchId);
          moved(batchId);
        });
      return { ...status };
    },

    'xnatUpload.cancelScan': async ({ batchId }) => {
      uploadBatch(ctx, batchId);
      const run = scans.get(batchId);
      if (run?.status.state === 'scanning') {
        run.controller.abort();
        await run.done;
      }
      return statusOf(batchId);
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
