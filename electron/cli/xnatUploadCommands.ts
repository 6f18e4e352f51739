import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CourierError } from '../../shared/errors';
import { environmentCredentials } from '../engine/credentials';
import type { Engine } from '../engine/engine';
import type { BatchRecord } from '../engine/ledger/ledger';
import { readWorkbook, writeConfigurationWorkbook } from '../engine/reports/xnatWorkbook';
import type { DicomItemMeta } from '../engine/sources/dicomFolder/itemMeta';
import { backoffDelay } from '../engine/runner/backoff';
import { systemClock } from '../engine/runner/clock';
import { runListingPass } from '../engine/sources/dicomFolder/listingPass';
import {
  configFromWorkbook,
  dicomFolderConfig,
  xnatSetting,
} from '../engine/sources/dicomFolder/sourceConfig';
import type { DicomFolderConfig } from '../engine/sources/dicomFolder/sourceConfig';
import { applyUploadFlags, writeBatchToWorkbook } from '../engine/sources/dicomFolder/workbookSync';
import { experimentsOf, runSessionActions } from '../engine/targets/xnat/sessionActions';
import { SESSION_ACTIONS, xnatTargetConfig } from '../engine/targets/xnat/targetConfig';
import type { SessionAction, XnatTargetConfig } from '../engine/targets/xnat/targetConfig';
import { describePlan, planUpload } from '../engine/targets/xnat/uploadPlan';
import { experimentLabelOf } from '../engine/targets/xnat/uploadPlace';
import {
  batchForWorkbook,
  queueFailedAgain,
  requireUploadBatch,
  storeUploadSettings,
  uploadTarget,
} from '../engine/targets/xnat/uploadSetup';
import { closeXnatConnections, xnatConnection } from '../engine/targets/xnat/xnatConnections';
import { promptCredentials } from './credentialPrompt';
import { openEngine } from './openEngine';
import { parsePositiveInt } from './options';
import { runBatchWithProgress, withInterrupts } from './runBatch';

const say = (text: string): boolean => process.stderr.write(`${text}\n`);
const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');
const stem = (path: string): string => basename(path, extname(path));

function badConfig(what: string, issues: { path: PropertyKey[]; message: string }[]): CourierError {
  const details = issues.map((i) => `${i.path.map(String).join('.') || what}: ${i.message}`).join('; ');
  return new CourierError({ code: 'bad-config', message: `The ${what} is not usable: ${details}` });
}

/** The scan settings of a workbook's Configuration sheet, checked. */
async function scanSettings(
  workbook: string,
  dir: string,
  listing: DicomFolderConfig['listing'],
  unmatched: boolean,
) {
  const { config } = await readWorkbook(workbook);
  const parsed = dicomFolderConfig.safeParse(
    configFromWorkbook(config, { dir, workbook, listing, includeUnmatched: unmatched }),
  );
  if (!parsed.success) throw badConfig(`Configuration sheet of ${workbook}`, parsed.error.issues);
  const server = xnatSetting(parsed.data, 'Server') ?? '';
  const target = xnatTargetConfig.safeParse({ server, project: xnatSetting(parsed.data, 'Project') ?? '' });
  if (!target.success) throw badConfig(`XNAT section of ${workbook}`, target.error.issues);
  return { source: parsed.data, target: target.data };
}

/** Ctrl-C during a listing: on a terminal it asks first; a second one (or no terminal) stops it at once. */
function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  return withInterrupts(
    {
      question: 'Stop the scan? [y/N]',
      stopAfterInFlight: stop,
      stopNow: stop,
      texts: { now: 'Stopping the scan.', afterInFlight: 'Stopping the scan.' },
    },
    () => work(controller.signal),
  );
}

/** Lists a batch's files into the ledger (pass 1), with a progress line. */
async function listBatch(engine: Engine, batch: BatchRecord): Promise<void> {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  try {
    await interruptible((signal) =>
      runListingPass(engine.ledger, engine.adapters, batch.id, {
        signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (tty) process.stderr.write(`\rScanning: ${done} file(s) looked at\x1b[K`);
          else if (now - last >= 2_000 || done === total) say(`Scanning: ${done} file(s) looked at`);
          last = now;
        },
      }),
    );
  } catch (error) {
    if (tty) process.stderr.write('\n');
    if (error instanceof CourierError && error.code === 'cancelled') {
      throw new CourierError({
        code: 'cancelled',
        message: `${error.message} To continue it, run courier scan or courier upload with --batch ${batch.name}.`,
      });
    }
    throw error;
  }
  if (tty) process.stderr.write('\n');
}

/** The label shown in the SessionLabel column: where the file went, or where it will go. */
function sessionLabeller(template: string): (meta: Record<string, unknown>) => string {
  return (meta) => {
    const sent = (meta.xnat as { experiment?: string } | undefined)?.experiment;
    if (sent) return sent;
    try {
      return experimentLabelOf(meta as unknown as DicomItemMeta, template);
    } catch {
      return '';
    }
  };
}

/** Writes the statuses into the Files sheet; a locked workbook is reported, not fatal. */
async function saveWorkbook(
  engine: Engine,
  batch: BatchRecord,
  workbook: string,
  template: string,
): Promise<boolean> {
  try {
    const rows = await writeBatchToWorkbook(engine.ledger, batch.id, workbook, sessionLabeller(template));
    say(`Wrote ${rows} row(s) to the Files sheet of ${workbook}.`);
    return true;
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    say(`${error.message}`);
    say(
      `Everything is recorded in the ledger: run \`courier upload --batch ${batch.name}\` again later to write the sheet (nothing is sent twice).`,
    );
    return false;
  }
}

function scanSummary(engine: Engine, batch: BatchRecord): string {
  const row = engine.ledger.db
    .prepare(
      `SELECT count(DISTINCT json_extract(meta, '$.subject')) AS subjects,
        count(DISTINCT json_extract(meta, '$.subject') || '/' || json_extract(meta, '$.visit')) AS sessions,
        count(DISTINCT json_extract(meta, '$.subject') || '/' || json_extract(meta, '$.visit') || '/' || json_extract(meta, '$.dataset')) AS datasets
       FROM items WHERE batch_id = ? AND status = 'pending'`,
    )
    .get(batch.id) as { subjects: number; sessions: number; datasets: number };
  const c = engine.ledger.counts(batch.id);
  return (
    `${batch.name}: ${c.pending} file(s) to upload in ${row.subjects} subject(s), ${row.sessions} session(s), ` +
    `${row.datasets} dataset(s); ${c.skipped} skipped, ${c.unmatched} unmatched.`
  );
}

function parseActions(value: string): SessionAction[] {
  if (value.trim().toLowerCase() === 'all') return [...SESSION_ACTIONS];
  const actions = value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const unknown = actions.filter((a) => !(SESSION_ACTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    throw new CourierError({
      code: 'bad-option',
      message: `--after-upload: unknown action(s) ${unknown.join(', ')} (choose from ${SESSION_ACTIONS.join(', ')}, or all)`,
    });
  }
  return actions as SessionAction[];
}

interface UploadOptions {
  batch?: string;
  workbook?: string;
  server?: string;
  project?: string;
  overwrite?: boolean;
  dryRun?: boolean;
  concurrency?: number;
  afterUpload?: string;
}

/** The batch an upload continues: by name, the newest one scanned from the workbook, or one made from its Files sheet. */
async function uploadBatch(engine: Engine, opts: UploadOptions): Promise<BatchRecord> {
  if (opts.batch) {
    const batch = engine.ledger.batches.requireByName(opts.batch);
    requireUploadBatch(batch);
    return batch;
  }
  const workbook = resolve(opts.workbook as string);
  let batch = batchForWorkbook(engine.ledger, workbook);
  if (!batch) {
    const { source, target } = await scanSettings(workbook, dirname(workbook), 'files-sheet', true);
    const name = `upload-${stem(workbook)}-${stamp()}`;
    batch = engine.ledger.batches.create({
      name,
      sourceKind: 'dicom-folder',
      sourceConfig: source,
      targetKind: 'xnat',
      targetConfig: target,
    });
    say(`Batch ${name}: the files of the workbook's Files sheet.`);
  }
  if (!batch.collected) await listBatch(engine, batch);
  return engine.ledger.batches.require(batch.id);
}

async function upload(program: Command, opts: UploadOptions): Promise<void> {
  if (!opts.batch === !opts.workbook) {
    throw new CourierError({ code: 'bad-option', message: 'Give either --batch NAME or --workbook FILE.' });
  }
  const afterUpload = opts.afterUpload === undefined ? undefined : parseActions(opts.afterUpload);
  const engine = openEngine(program);
  try {
    let batch = await uploadBatch(engine, opts);
    const workbook = opts.workbook
      ? resolve(opts.workbook)
      : (batch.sourceConfig.workbook as string | undefined);
    const sheet = workbook && existsSync(workbook) ? await readWorkbook(workbook) : undefined;
    const target = uploadTarget(batch, {
      ...(opts.server ? { server: opts.server } : {}),
      ...(opts.project ? { project: opts.project } : {}),
      overwrite: opts.overwrite === true,
      ...(afterUpload ? { afterUpload } : {}),
      workbookServer: sheet ? xnatSetting(sheet.config, 'Server') : undefined,
      workbookProject: sheet ? xnatSetting(sheet.config, 'Project') : undefined,
    });
    storeUploadSettings(engine.ledger, batch, target, opts.concurrency);
    batch = engine.ledger.batches.require(batch.id);
    if (sheet && workbook) {
      const changes = await applyUploadFlags(
        engine.ledger,
        batch.id,
        workbook,
        String(batch.sourceConfig.dir),
      );
      if (changes.deselected + changes.reselected + changes.keptOut > 0) {
        say(
          `From the workbook's Upload column: ${changes.deselected} file(s) left out, ${changes.reselected} brought back` +
            (changes.keptOut ? `, ${changes.keptOut} kept out by the DICOM guards.` : '.'),
        );
      }
    }
    if (opts.dryRun) {
      dryRun(engine, batch, target);
      return;
    }
    const requeued = queueFailedAgain(engine.ledger, batch.id, 'cli');
    if (requeued > 0) say(`${requeued} file(s) that failed before will be tried again.`);
    // Logs in before anything starts: bad credentials or a missing project stop here (exit status 2).
    // A passing failure (5xx, reset, timeout) is asked again a few times instead of ending the run.
    await retryPassingFailures(async () => {
      const connection = await xnatConnection(
        target.server,
        environmentCredentials(process.env, promptCredentials),
      );
      await connection.client.findProject(target.project);
    });
    process.exitCode = await runBatchWithProgress(engine, batch.id);
    const finished = engine.ledger.batches.require(batch.id).state === 'finished';
    if (finished && target.afterUpload.length > 0) await afterwards(engine, batch, target);
    if (workbook) await saveWorkbook(engine, batch, workbook, target.experimentLabel);
  } finally {
    await closeXnatConnections();
    await engine.close();
  }
}

const PREFLIGHT_ATTEMPTS = 5;
const PREFLIGHT_BACKOFF = { baseMs: 500, capMs: 8_000, maxRetryAfterMs: 30_000 };

/** Runs a start-up check again, with backoff, while it fails in a way worth retrying (5xx, reset, timeout). */
export async function retryPassingFailures<T>(check: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= PREFLIGHT_ATTEMPTS || !(error instanceof CourierError) || !error.retryable) throw error;
      const wait = backoffDelay(attempt, error.retryAfterMs, Math.random, PREFLIGHT_BACKOFF);
      await systemClock.sleep(wait);
    }
  }
}

function dryRun(engine: Engine, batch: BatchRecord, target: XnatTargetConfig): void {
  const rows = engine.ledger.db
    .prepare(
      `SELECT name, path, size, meta FROM items WHERE batch_id = ? AND status IN ('pending', 'interrupted', 'failed') ORDER BY seq`,
    )
    .iterate(batch.id) as Iterable<{ name: string; path: string; size: number | null; meta: string }>;
  const items = (function* () {
    for (const r of rows) yield { ...r, meta: JSON.parse(r.meta) as Record<string, unknown> };
  })();
  const plan = planUpload(items, target);
  process.stdout.write(`${describePlan(plan, target).join('\n')}\n`);
  say(
    `Dry run: nothing was sent. ${engine.ledger.counts(batch.id).done} file(s) of this batch are already in XNAT.`,
  );
}

async function afterwards(engine: Engine, batch: BatchRecord, target: XnatTargetConfig): Promise<void> {
  const rows = engine.ledger.db
    .prepare(`SELECT status, meta FROM items WHERE batch_id = ? AND status = 'done'`)
    .all(batch.id) as { status: string; meta: string }[];
  const experiments = experimentsOf(
    rows.map((r) => ({ status: r.status, meta: JSON.parse(r.meta) as Record<string, unknown> })),
  );
  const connection = await xnatConnection(
    target.server,
    environmentCredentials(process.env, promptCredentials),
  );
  const report = await runSessionActions(connection.client, experiments, target.afterUpload);
  say(`Requested ${target.afterUpload.join(', ')} on ${experiments.length} experiment(s).`);
  for (const failure of report.failures)
    say(`  ${failure.action} on ${failure.experiment} failed: ${failure.message}`);
}

/** `courier init`, `courier scan` and `courier upload`: xnatuploader's two passes, from a workbook. */
export function addXnatUploadCommands(program: Command): void {
  program
    .command('init')
    .description('write a Configuration workbook (xnatuploader layout)')
    .requiredOption('--workbook <file>', 'the workbook to write (.xlsx)')
    .option('--force', 'replace the workbook if it exists')
    .action(async (opts: { workbook: string; force?: boolean }) => {
      const workbook = resolve(opts.workbook);
      if (existsSync(workbook) && !opts.force) {
        throw new CourierError({
          code: 'workbook-exists',
          message: `${workbook} already exists; give --force to replace it, or another name.`,
        });
      }
      await writeConfigurationWorkbook(workbook);
      say(`Wrote ${workbook}: edit its Paths, Mappings and XNAT sections, then run courier scan.`);
    });

  program
    .command('scan')
    .description(
      "pass 1: list a folder of DICOM files with the workbook's patterns and write its Files sheet",
    )
    .requiredOption('--dir <dir>', 'the folder to scan')
    .requiredOption('--workbook <file>', 'the workbook with the Configuration sheet')
    .option('--unmatched', 'also list files no pattern matches, with the cell that failed')
    .option('--batch <name>', 'batch name (default: scan-<workbook>-<date>)')
    .action(async (opts: { dir: string; workbook: string; unmatched?: boolean; batch?: string }) => {
      const workbook = resolve(opts.workbook);
      const dir = resolve(opts.dir);
      const { source, target } = await scanSettings(workbook, dir, 'folder', opts.unmatched === true);
      const engine = openEngine(program);
      try {
        const name = opts.batch ?? `scan-${stem(workbook)}-${stamp()}`;
        let batch = engine.ledger.batches.byName(name);
        if (batch) {
          const same =
            batch.sourceKind === 'dicom-folder' &&
            batch.sourceConfig.dir === dir &&
            batch.sourceConfig.workbook === workbook;
          if (!same) {
            throw new CourierError({
              code: 'batch-exists',
              message: `A batch named '${name}' already exists for another job; choose another --batch name.`,
            });
          }
          if (batch.collected) {
            await applyUploadFlags(engine.ledger, batch.id, workbook, String(batch.sourceConfig.dir));
            say(
              `Batch ${name} was already scanned; its Files sheet is written again. For a fresh scan, give a new --batch name.`,
            );
          }
        } else {
          batch = engine.ledger.batches.create({
            name,
            sourceKind: 'dicom-folder',
            sourceConfig: source,
            targetKind: 'xnat',
            targetConfig: target,
          });
        }
        if (!batch.collected) await listBatch(engine, batch);
        say(scanSummary(engine, batch));
        const saved = await saveWorkbook(engine, batch, workbook, target.experimentLabel);
        say(`Next: review the Files sheet (Upload Y/N), then courier upload --batch ${name}`);
        process.exitCode = saved ? 0 : 2;
      } finally {
        await engine.close();
      }
    });

  program
    .command('upload')
    .description('pass 2: send the scanned files to XNAT, each verified by MD5; a re-run continues')
    .option('--batch <name>', 'the batch a scan made')
    .option('--workbook <file>', 'the workbook (its newest scan, or the files of its Files sheet)')
    .option('--server <url>', "XNAT address (default: the workbook's Server)")
    .option('--project <id>', "XNAT project (default: the workbook's Project)")
    .option('--overwrite', 'replace files XNAT already holds under the same name with other content')
    .option('--dry-run', 'list what would be created and sent, send nothing')
    .option('--concurrency <n>', 'files at the same time (default 4)', parsePositiveInt)
    .option(
      '--after-upload <actions>',
      `then request ${SESSION_ACTIONS.join(', ')} (comma-separated, or all)`,
    )
    .action((opts: UploadOptions) => upload(program, opts));
}
