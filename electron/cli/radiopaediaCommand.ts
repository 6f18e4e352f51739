import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { CourierError } from '../../shared/errors';
import { savedBrowserPath } from '../engine/commands/settings';
import type { Engine } from '../engine/engine';
import { closeRadiopaediaBrowsers } from '../engine/sources/radiopaedia/browserSession';
import { DEFAULT_SITE, parseCaseInputs } from '../engine/sources/radiopaedia/caseInputs';
import { POLITE_DELAY_MS, radiopaediaSourceConfig } from '../engine/sources/radiopaedia/sourceConfig';
import type { RadiopaediaSourceConfig } from '../engine/sources/radiopaedia/sourceConfig';
import { batchNamed, defaultBatchName, openEngine } from './openEngine';
import { parsePositiveInt } from './options';
import { runBatchWithProgress } from './runBatch';

interface RadiopaediaOptions {
  case: string[];
  casesFile?: string;
  out: string;
  site: string;
  delayMs: number;
  batch?: string;
  browser?: string;
}

const PROBLEMS_SHOWN = 20;

function collectCase(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSite(value: string): string {
  try {
    const url = new URL(/^https?:\/\//i.test(value) ? value : `https://${value}`);
    return url.origin;
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a web address, e.g. https://radiopaedia.org`);
  }
}

/** The cases from `--case` and `--cases-file`, de-duplicated; anything unrecognised is a usage error. */
function casesOf(opts: RadiopaediaOptions): string[] {
  let text = opts.case.join('\n');
  if (opts.casesFile) {
    try {
      text += `\n${readFileSync(resolve(opts.casesFile), 'utf8')}`;
    } catch (err) {
      throw new CourierError({
        code: 'unreadable-file',
        message: `Cannot read the cases file ${resolve(opts.casesFile)}: ${(err as Error).message}`,
      });
    }
  }
  const parsed = parseCaseInputs(text, { site: opts.site });
  if (parsed.rejected.length > 0) {
    throw new CourierError({
      code: 'bad-case-input',
      message: `Not a Radiopaedia case URL or rID: ${parsed.rejected.map((r) => `"${r}"`).join(', ')} (e.g. https://radiopaedia.org/cases/70432 or 70432).`,
    });
  }
  if (parsed.cases.length === 0) {
    throw new CourierError({
      code: 'no-cases',
      message: 'Name at least one case: --case URL|rID (repeatable) or --cases-file FILE.',
    });
  }
  if (parsed.duplicates.length > 0) {
    process.stderr.write(
      `Left out ${parsed.duplicates.length} repeated case(s): ${parsed.duplicates.join(', ')}\n`,
    );
  }
  return parsed.cases.map((c) => c.url);
}

/** The batch's settings; the browser is `--browser`, else the one saved in Settings, else found automatically. */
function sourceConfigOf(
  opts: RadiopaediaOptions,
  cases: string[],
  savedBrowser: string | null,
): RadiopaediaSourceConfig {
  const parsed = radiopaediaSourceConfig.safeParse({
    site: opts.site,
    cases,
    delayMs: opts.delayMs,
    browserPath: opts.browser ? resolve(opts.browser) : (savedBrowser ?? undefined),
  });
  if (!parsed.success) {
    throw new CourierError({
      code: 'bad-config',
      message: `The Radiopaedia settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
  }
  return parsed.data;
}

function politenessNote(config: RadiopaediaSourceConfig): string {
  const pause = `${(config.delayMs / 1000).toFixed(1)} s`;
  const below =
    config.delayMs < POLITE_DELAY_MS
      ? ` (below the ${POLITE_DELAY_MS / 1000} s a shared site should get; use only against your own mirror)`
      : '';
  return (
    `Radiopaedia's terms forbid bulk downloading by robots: this archives only the ${config.cases.length} ` +
    `case(s) you named, one page at a time, ${pause} between page loads${below}, with an identifying User-Agent.\n`
  );
}

function reportProblems(engine: Engine, batchId: number): void {
  const rows = engine.ledger.db
    .prepare(
      `SELECT name, status, reason, message FROM items WHERE batch_id = ? AND status IN ('failed', 'attention', 'interrupted')
       ORDER BY seq LIMIT ?`,
    )
    .all(batchId, PROBLEMS_SHOWN + 1) as {
    name: string;
    status: string;
    reason: string | null;
    message: string | null;
  }[];
  for (const row of rows.slice(0, PROBLEMS_SHOWN)) {
    const why = row.reason ? ` [${row.reason}]` : '';
    process.stderr.write(`  ${row.status}${why}: ${row.name}: ${row.message ?? '(no message)'}\n`);
  }
  if (rows.length > PROBLEMS_SHOWN) {
    process.stderr.write(`  … and more: see \`courier export --batch NAME --format csv --out report.csv\`\n`);
  }
}

/** `courier radiopaedia`: the named Radiopaedia cases archived into a folder, as one resumable batch. */
export function addRadiopaediaCommand(program: Command): void {
  program
    .command('radiopaedia')
    .description(
      'archive Radiopaedia cases (full-size images named by the NC Commons scheme, a JSON sidecar per case)',
    )
    .option('--case <url|rID>', 'a case URL or rID; repeat for more cases', collectCase, [])
    .option('--cases-file <file>', 'a file of case URLs or rIDs (one per line, or CSV)')
    .requiredOption('--out <dir>', 'destination folder')
    .option('--site <url>', 'the site rIDs refer to', parseSite, DEFAULT_SITE)
    .option(
      '--delay-ms <n>',
      `pause between page loads (default ${POLITE_DELAY_MS})`,
      parsePositiveInt,
      POLITE_DELAY_MS,
    )
    .option(
      '--batch <name>',
      'batch name (default: radiopaedia-<date>); the same name again continues that batch',
    )
    .option(
      '--browser <path>',
      'the Chromium-family browser to drive (default: the one saved in Settings, else Chrome, Edge or Chromium found)',
    )
    .action(async (opts: RadiopaediaOptions) => {
      const out = resolve(opts.out);
      const cases = casesOf(opts);
      const engine = openEngine(program);
      try {
        const sourceConfig = sourceConfigOf(opts, cases, savedBrowserPath(engine.ledger.db));
        process.stderr.write(politenessNote(sourceConfig));
        const name = opts.batch ?? defaultBatchName('radiopaedia');
        const batchId = batchNamed(engine, name, () => ({
          name,
          sourceKind: 'radiopaedia',
          sourceConfig: { ...sourceConfig },
          targetKind: 'folder',
          targetConfig: { dir: out },
          settings: {},
        }));
        process.exitCode = await runBatchWithProgress(engine, batchId);
        reportProblems(engine, batchId);
      } finally {
        await engine.close();
        await closeRadiopaediaBrowsers();
      }
    });
}
