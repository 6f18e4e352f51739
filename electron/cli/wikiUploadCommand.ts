import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CourierError } from '../../shared/errors';
import { defaultLedgerFile } from '../engine/appPaths';
import { mediawikiClient } from '../engine/clients/mediawiki';
import { environmentCredentials } from '../engine/credentials';
import type { CredentialSource, Credentials } from '../engine/credentials';
import { Engine } from '../engine/engine';
import { readSheet } from '../engine/sources/sheet/sheetRows';
import { mediawikiTargetConfig } from '../engine/targets/mediawiki/targetConfig';
import type { MediawikiTargetConfig } from '../engine/targets/mediawiki/targetConfig';
import { promptCredentials } from './credentialPrompt';
import { batchNamed } from './openEngine';
import { savedWikiPageTemplate } from '../engine/commands/settings';
import { DEFAULT_PAGE_TEMPLATE } from '../../shared/wikiPage';
import { parsePositiveInt } from './options';
import { runBatchWithProgress } from './runBatch';
import { writeDryRunReport, writeProblems } from './wikiDryRunReport';

interface WikiUploadOptions {
  batch?: string;
  sheet?: string;
  api: string;
  checkApi: string[];
  dryRun?: boolean;
  name?: string;
  concurrency: number;
  chunkSize?: number;
  pageTemplate?: string;
  commentTemplate?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Asks each login once per run, however many clients need it (a prompt must not come twice). */
function rememberedCredentials(source: CredentialSource): CredentialSource {
  const asked = new Map<string, Promise<Credentials>>();
  return (service, url) => {
    const key = `${service} ${url}`;
    let login = asked.get(key);
    if (!login) {
      login = source(service, url);
      asked.set(key, login);
    }
    return login;
  };
}

function targetConfig(opts: WikiUploadOptions): MediawikiTargetConfig {
  const parsed = mediawikiTargetConfig.safeParse({
    api: opts.api,
    checkApis: opts.checkApi.length > 0 ? opts.checkApi : undefined,
    dryRun: opts.dryRun === true,
    chunkSize: opts.chunkSize,
    pageTemplate: opts.pageTemplate ? readFileSync(resolve(opts.pageTemplate), 'utf8') : undefined,
    commentTemplate: opts.commentTemplate,
  });
  if (!parsed.success) {
    throw new CourierError({
      code: 'bad-config',
      message: `The wiki settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'option'}: ${i.message}`).join('; ')}`,
    });
  }
  return parsed.data;
}

/**
 * Before a batch is created: every wiki answers, and (unless this is a dry run) the login works and may
 * upload. A wrong address or password ends here with exit status 2 instead of failing every file.
 */
async function checkConnections(config: MediawikiTargetConfig, credentials: CredentialSource): Promise<void> {
  await Promise.all(config.checkApis.map((api) => mediawikiClient({ apiUrl: api }).siteInfo()));
  if (config.dryRun) {
    await mediawikiClient({ apiUrl: config.api }).siteInfo();
    return;
  }
  const login = await credentials('mediawiki', config.api);
  const client = mediawikiClient({ apiUrl: config.api, credentials: login });
  await client.login();
  const me = await client.userInfo();
  if (!me.rights.includes('upload')) {
    throw new CourierError({
      code: 'wiki-permission',
      message: `${login.user} can log in to ${config.api} but may not upload files; give the bot password the 'uploadfile' grant (Special:BotPasswords) or the account the upload right.`,
    });
  }
}

function source(opts: WikiUploadOptions): { kind: string; config: Record<string, unknown>; label: string } {
  if (opts.batch !== undefined && opts.sheet !== undefined) {
    throw new CourierError({ code: 'usage', message: 'Give either --batch or --sheet, not both.' });
  }
  if (opts.batch !== undefined)
    return { kind: 'earlier-batch', config: { batch: opts.batch }, label: opts.batch };
  if (opts.sheet !== undefined) {
    const file = resolve(opts.sheet);
    return { kind: 'sheet', config: { file }, label: basename(file) };
  }
  throw new CourierError({
    code: 'usage',
    message: 'Say what to upload: --batch NAME (an earlier batch) or --sheet FILE.xlsx|FILE.csv.',
  });
}

/** `courier wiki-upload`: the files of an earlier batch or of a spreadsheet, sent to a MediaWiki wiki. */
export function addWikiUploadCommand(program: Command): void {
  program
    .command('wiki-upload')
    .description(
      'upload the files of an earlier batch or of a spreadsheet to a MediaWiki wiki (e.g. NC Commons)',
    )
    .option('--batch <name>', 'send the files an earlier batch delivered (Radiopaedia, ISIC, a folder)')
    .option(
      '--sheet <file>',
      'send the files a spreadsheet lists (.xlsx or .csv; path, name, description, …)',
    )
    .requiredOption('--api <url>', "the wiki's api.php, e.g. https://nccommons.org/api.php")
    .addOption(
      new Option('--check-api <url>', 'a reference wiki whose files count as duplicates (repeatable)')
        .argParser(collect)
        .default([], 'Wikimedia Commons'),
    )
    .option('--dry-run', "show each file's title, page text and checks without uploading")
    .option(
      '--name <name>',
      'name of the upload batch (default: wiki-<source>-<wiki host>); the same name continues it',
    )
    .option('--concurrency <n>', 'files at the same time', parsePositiveInt, 2)
    .option(
      '--chunk-size <bytes>',
      'bytes per chunk; larger files go in chunks (default 5 MiB)',
      parsePositiveInt,
    )
    .option('--page-template <file>', 'a text file with the page template (${description}, ${licence}, …)')
    .option('--comment-template <text>', 'the upload comment, with the same placeholders')
    .action(async (opts: WikiUploadOptions) => {
      const from = source(opts);
      let config = targetConfig(opts);
      if (opts.sheet !== undefined) await readSheet(from.config.file as string);
      const credentials = rememberedCredentials(environmentCredentials(process.env, promptCredentials));
      const db = resolve((program.opts().db as string | undefined) ?? defaultLedgerFile());
      const engine = new Engine({ dbFile: db, dataDir: dirname(db), mode: 'cli', credentials });
      try {
        // Without --page-template, the page text saved in Settings → Wiki page text (as in the app).
        const saved = savedWikiPageTemplate(engine.ledger.db);
        if (opts.pageTemplate === undefined && saved !== DEFAULT_PAGE_TEMPLATE) {
          config = { ...config, pageTemplate: saved };
        }
        if (opts.batch !== undefined) engine.ledger.batches.requireByName(opts.batch);
        await checkConnections(config, engine.credentials);
        const host = new URL(config.api).host;
        const base = opts.name ?? `wiki-${from.label}-${host}`;
        const name = config.dryRun ? `${base} (dry run ${new Date().toISOString()})` : base;
        const existing = engine.ledger.batches.byName(name);
        if (existing && existing.targetKind !== 'mediawiki') {
          throw new CourierError({
            code: 'bad-config',
            message: `A batch named '${name}' already exists and is not a wiki upload; choose another --name.`,
          });
        }
        if (existing && JSON.stringify(existing.targetConfig) !== JSON.stringify(config)) {
          process.stderr.write(
            `Batch '${name}' already exists with other wiki settings; it continues as it was created (use --name for a new one).\n`,
          );
        }
        const batchId = batchNamed(engine, name, () => ({
          name,
          sourceKind: from.kind,
          sourceConfig: from.config,
          targetKind: 'mediawiki',
          targetConfig: { ...config },
          settings: { concurrency: opts.concurrency },
        }));
        const status = await runBatchWithProgress(engine, batchId);
        if (config.dryRun) {
          writeDryRunReport(engine, batchId, process.stdout);
          process.exitCode = 0;
        } else {
          writeProblems(engine, batchId, process.stderr);
          process.exitCode = status;
        }
      } finally {
        await engine.close();
      }
    });
}
