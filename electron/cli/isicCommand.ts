import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { CourierError } from '../../shared/errors';
import { parseSelect } from '../../shared/isicSelect';
import { createIsicClient, ISIC_API_URL } from '../engine/clients/isic';
import type { Engine } from '../engine/engine';
import { systemClock } from '../engine/runner/clock';
import { formatBytes } from '../engine/sources/isic/diskSpace';
import { isicSourceConfig } from '../engine/sources/isic/isicSourceConfig';
import type { IsicSourceConfig } from '../engine/sources/isic/isicSourceConfig';
import { withRequestRetry } from '../engine/sources/isic/requestRetry';
import { batchNamed, defaultBatchName, openEngine } from './openEngine';
import { parsePositiveInt } from './options';
import { runBatchWithProgress } from './runBatch';

interface IsicOptions {
  search?: string;
  collections?: number[];
  limit: number;
  out: string;
  api: string;
  batch?: string;
  select: string[];
  concurrency: number;
}

const PROBLEMS_SHOWN = 20;

function parseCollections(value: string): number[] {
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id) || Number(id) < 1)) {
    throw new InvalidArgumentError(
      'Collection ids are positive whole numbers separated by commas, e.g. 61,74.',
    );
  }
  return ids.map(Number);
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError('The limit is a whole number ≥ 0 (0 = all).');
  return Number(value);
}

function collectSelect(value: string, previous: string[]): string[] {
  try {
    parseSelect(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return [...previous, value];
}

function sourceConfigOf(opts: IsicOptions): IsicSourceConfig {
  const parsed = isicSourceConfig.safeParse({
    apiUrl: opts.api,
    query: opts.search,
    collections: opts.collections,
    limit: opts.limit,
    select: opts.select.length > 0 ? opts.select : undefined,
  });
  if (!parsed.success) {
    throw new CourierError({
      code: 'bad-config',
      message: `The ISIC settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
  }
  return parsed.data;
}

/** Counts the matches before anything is created: a bad query or an unreachable archive ends here (exit 2). */
async function announce(config: IsicSourceConfig, out: string): Promise<void> {
  const client = createIsicClient({ apiUrl: config.apiUrl });
  const retrying = <T>(request: () => Promise<T>) =>
    withRequestRetry(request, {
      clock: systemClock,
      signal: new AbortController().signal,
      policy: { attempts: 3, baseMs: 500, capMs: 5_000, maxRetryAfterMs: 60_000 },
    });
  // As isic-cli does: a collection id that does not exist says so, instead of matching nothing.
  for (const id of config.collections ?? []) await retrying(() => client.collection(id));
  const { count, totalBytes } = await retrying(() =>
    client.preflight({ query: config.query, collections: config.collections }),
  );
  const wanted = config.limit > 0 ? Math.min(config.limit, count) : count;
  const size = count === 0 ? 0 : Math.round((totalBytes * wanted) / count);
  const approx = wanted < count ? 'about ' : '';
  process.stderr.write(
    `The ISIC Archive lists ${count} matching image(s); downloading ${wanted} (${approx}${formatBytes(size)}) to ${out}` +
      `${config.select?.length ? `, keeping those that meet ${config.select.length} local criteria` : ''}.\n`,
  );
}

function reportProblems(engine: Engine, batchId: number, name: string): void {
  const rows = engine.ledger.db
    .prepare(
      `SELECT name, status, message FROM items WHERE batch_id = ? AND status IN ('failed', 'attention', 'interrupted')
       ORDER BY seq LIMIT ?`,
    )
    .all(batchId, PROBLEMS_SHOWN + 1) as { name: string; status: string; message: string | null }[];
  for (const row of rows.slice(0, PROBLEMS_SHOWN)) {
    process.stderr.write(`  ${row.status}: ${row.name}: ${row.message ?? '(no message)'}\n`);
  }
  if (rows.length > PROBLEMS_SHOWN) {
    process.stderr.write(`  … and more: courier export --batch '${name}' --format csv --out report.csv\n`);
  }
}

/** `courier isic`: an ISIC Archive search downloaded into a folder, as one resumable batch. */
export function addIsicCommand(program: Command): void {
  program
    .command('isic')
    .description(
      'download the images of an ISIC Archive search with metadata.csv, attribution.txt and licences',
    )
    .option('--search <query>', "the archive's query language, e.g. 'age_approx:[20 TO 40] AND sex:male'")
    .option('--collections <ids>', 'only images in these collections, e.g. 61,74', parseCollections)
    .option('--limit <n>', 'at most N images (0 = all)', parseLimit, 0)
    .requiredOption('--out <dir>', 'destination folder')
    .option('--api <url>', 'ISIC API base', ISIC_API_URL)
    .option('--batch <name>', 'batch name (default: isic-<date>); the same name again continues that batch')
    .option(
      '--select <criterion>',
      "local selection 'path op value', repeatable, e.g. 'metadata.clinical.diagnosis_1 == Benign'",
      collectSelect,
      [],
    )
    .option('--concurrency <n>', 'downloads at the same time', parsePositiveInt, 8)
    .action(async (opts: IsicOptions) => {
      const out = resolve(opts.out);
      const sourceConfig = sourceConfigOf(opts);
      await announce(sourceConfig, out);
      const engine = openEngine(program);
      try {
        const name = opts.batch ?? defaultBatchName('isic');
        const batchId = batchNamed(engine, name, () => ({
          name,
          sourceKind: 'isic',
          sourceConfig: { ...sourceConfig },
          targetKind: 'folder',
          targetConfig: { dir: out },
          settings: { concurrency: opts.concurrency },
        }));
        process.exitCode = await runBatchWithProgress(engine, batchId);
        reportProblems(engine, batchId, name);
      } finally {
        await engine.close();
      }
    });
}
