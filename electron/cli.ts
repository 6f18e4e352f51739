/** The `courier` command: the same engine as the desktop app, for scripted and scheduled runs. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { CourierError } from '../shared/errors';
import { ITEM_STATUSES } from '../shared/status';
import type { ItemStatus } from '../shared/status';
import { chooseDataFolder, defaultDataDir, LEDGER_FILE_NAME } from './engine/appPaths';
import { ENGINE_VERSION } from './engine/engine';
import { startWebHost } from './engine/host/webHost';
import { seedDevBatch } from './engine/ledger/devSeed';
import { REPORT_FORMATS, writeReport } from './engine/reports/writeReport';
import type { ReportFormat } from './engine/reports/writeReport';
import { batchNamed, defaultBatchName, openEngine } from './cli/openEngine';
import { addIsicCommand } from './cli/isicCommand';
import { parsePositiveInt, USAGE_EXIT } from './cli/options';
import { runBatchWithProgress } from './cli/runBatch';
import { addRadiopaediaCommand } from './cli/radiopaediaCommand';
import { addXnatDownloadCommand } from './cli/xnatDownloadCommand';
import { addWikiUploadCommand } from './cli/wikiUploadCommand';
import { addXnatUploadCommands } from './cli/xnatUploadCommands';

function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'renderer'), join(here, '..', 'dist', 'renderer')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new CourierError({
      code: 'no-renderer',
      message: 'The web UI is not built; run `npm run build` first.',
    });
  }
  return found;
}

export function buildProgram(): Command {
  const program = new Command('courier')
    .description('Imaging Courier: move medical images between archives, with a ledger of every file.')
    .version(ENGINE_VERSION)
    .option(
      '--db <file>',
      `ledger file (default: $COURIER_DB, else ${join(chooseDataFolder(defaultDataDir()).dir, LEDGER_FILE_NAME)})`,
    )
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('status')
    .description('counts per status for every batch (or one)')
    .option('--batch <name>', 'only this batch')
    .option('--json', 'print {"batches":[{"name","kind","total","counts"}]}')
    .action((opts: { batch?: string; json?: boolean }) => {
      const engine = openEngine(program, 'reader');
      try {
        const batches = opts.batch
          ? [engine.ledger.batches.requireByName(opts.batch)]
          : engine.ledger.batches.list();
        const summaries = batches.map((b) => engine.summary(b));
        if (opts.json) {
          const out = summaries.map((s) => ({
            name: s.name,
            kind: `${s.source.kind}→${s.target.kind}`,
            total: s.total,
            counts: s.counts,
            state: s.state,
          }));
          process.stdout.write(`${JSON.stringify({ batches: out })}\n`);
        } else if (summaries.length === 0) {
          process.stdout.write('No batches in this ledger yet.\n');
        } else {
          for (const s of summaries) {
            const counts = ITEM_STATUSES.filter((st) => s.counts[st] > 0)
              .map((st) => `${st} ${s.counts[st]}`)
              .join(', ');
            process.stdout.write(
              `${s.name} [${s.state}] ${s.source.kind} → ${s.target.kind}: ${s.total} files${counts ? ` (${counts})` : ''}\n`,
            );
          }
        }
      } finally {
        void engine.close();
      }
    });

  program
    .command('export')
    .description('write a batch report: one row per file (csv, xlsx, json) or a printable summary (html)')
    .requiredOption('--batch <name>', 'the batch')
    .addOption(
      new Option('--format <format>', 'report format').choices([...REPORT_FORMATS]).makeOptionMandatory(),
    )
    .requiredOption('--out <file>', 'where to write it')
    .action(async (opts: { batch: string; format: ReportFormat; out: string }) => {
      const engine = openEngine(program, 'reader');
      try {
        const batch = engine.summary(engine.ledger.batches.requireByName(opts.batch));
        const out = resolve(opts.out);
        const r = await writeReport(engine.ledger, batch, opts.format, out, { version: ENGINE_VERSION });
        process.stderr.write(
          opts.format === 'html'
            ? `Wrote the report of '${batch.name}' (${r.rows} of ${r.problems ?? 0} problem files listed) to ${out}\n`
            : `Wrote ${r.rows} rows to ${out}\n`,
        );
      } finally {
        await engine.close();
      }
    });

  program
    .command('retry')
    .description(
      'send again the files of a batch that failed, need attention or were interrupted, then run it',
    )
    .requiredOption('--batch <name>', 'the batch')
    .addOption(new Option('--status <status>', 'which files').choices(['failed', 'attention', 'interrupted']))
    .action(async (opts: { batch: string; status?: ItemStatus }) => {
      const engine = openEngine(program);
      try {
        const batch = engine.ledger.batches.requireByName(opts.batch);
        const statuses = opts.status
          ? [opts.status]
          : (['failed', 'attention', 'interrupted'] as ItemStatus[]);
        const ids = engine.ledger.db
          .prepare(
            `SELECT id FROM items WHERE batch_id = ? AND status IN (${statuses.map(() => '?').join(',')})`,
          )
          .pluck()
          .all(batch.id, ...statuses) as number[];
        if (ids.length > 0) {
          const result = engine.ledger.decide({
            batchId: batch.id,
            itemIds: ids,
            action: 'retry',
            note: 'courier retry',
            actor: 'cli',
          });
          process.stderr.write(`Queued ${result.applied} file(s) again.\n`);
        } else process.stderr.write('Nothing to retry.\n');
        process.exitCode = await runBatchWithProgress(engine, batch.id);
      } finally {
        await engine.close();
      }
    });

  program
    .command('copy')
    .description('copy a folder to another folder, every file verified with SHA-1 and MD5 (resumable)')
    .requiredOption('--from <dir>', 'source folder')
    .requiredOption('--to <dir>', 'destination folder')
    .option('--batch <name>', 'batch name (default: copy-<date>)')
    .option('--concurrency <n>', 'files at the same time', parsePositiveInt, 4)
    .action(async (opts: { from: string; to: string; batch?: string; concurrency: number }) => {
      const engine = openEngine(program);
      try {
        const name = opts.batch ?? defaultBatchName('copy');
        const batchId = batchNamed(engine, name, () => ({
          name,
          sourceKind: 'folder',
          sourceConfig: { dir: resolve(opts.from), includeHidden: false },
          targetKind: 'folder',
          targetConfig: { dir: resolve(opts.to) },
          settings: { concurrency: opts.concurrency },
        }));
        process.exitCode = await runBatchWithProgress(engine, batchId);
      } finally {
        await engine.close();
      }
    });

  program
    .command('serve')
    .description('serve the web UI on 127.0.0.1 and print its address (with its access token)')
    .option('--port <n>', 'port (default: any free port)', (v) => Number(v), 0)
    .action(async (opts: { port: number }) => {
      const engine = openEngine(program, 'runner', 'web');
      const host = await startWebHost({ engine, staticDir: rendererDir(), port: opts.port });
      process.stdout.write(`${host.url}\n`);
      await new Promise<void>((resolveStop) => {
        process.once('SIGINT', resolveStop);
        process.once('SIGTERM', resolveStop);
      });
      await host.close();
      await engine.close();
    });

  program
    .command('dev-seed')
    .description('development: fill the ledger with a realistic batch of N items in mixed statuses')
    .requiredOption('--items <n>', 'how many items', parsePositiveInt)
    .option('--batch <name>', 'batch name', 'seeded-batch')
    .action((opts: { items: number; batch: string }) => {
      const engine = openEngine(program);
      try {
        const started = Date.now();
        seedDevBatch(engine.ledger, opts.batch, opts.items);
        process.stderr.write(
          `Seeded '${opts.batch}' with ${opts.items} items in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
      } finally {
        void engine.close();
      }
    });

  // Commands of the sources and targets, one module each.
  addIsicCommand(program);
  addXnatDownloadCommand(program);
  addRadiopaediaCommand(program);
  addWikiUploadCommand(program);
  addXnatUploadCommands(program);
  return program;
}

/** Runs the command line and returns the exit status (0 ok, 1 files failed or need attention, 2 usage/configuration). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return USAGE_EXIT;
    }
    if (err instanceof CourierError) {
      process.stderr.write(`courier: ${err.message}\n`);
      return USAGE_EXIT;
    }
    process.stderr.write(`courier: ${(err as Error).stack ?? String(err)}\n`);
    return USAGE_EXIT;
  }
}
