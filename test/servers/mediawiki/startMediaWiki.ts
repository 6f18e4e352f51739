import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from './localSettings';
import type { HarnessConfig, WikiSettings } from './localSettings';
import { mediawikiCoreDir, mediawikiVersion, runMaintenanceScript } from './maintenance';
import type { ScriptOutput } from './maintenance';
import { startPhpServer } from './phpServer';
import { baseHarnessConfig, copyTemplate, ensureTemplate } from './template';
import type { Account } from './template';
import { wikiFolder, writeHarnessConfig, writeWikiConf } from './wikiFolder';

export interface StartMediaWikiOptions extends Partial<WikiSettings> {
  /** `$wgSitename`; also names the temp folder. */
  sitename?: string;
  /** php -S workers (PHP_CLI_SERVER_WORKERS); default 1. */
  workers?: number;
  /** Keep the wiki's folder after close() (for debugging). */
  keep?: boolean;
}

export interface MediaWikiServer {
  /** `http://127.0.0.1:<port>` */
  serverUrl: string;
  apiUrl: string;
  indexUrl: string;
  /** `MediaWiki 1.39.17` */
  generator: string;
  /** The wiki's folder (conf/, data/, images/, tmp/). */
  dir: string;
  pid: number;
  /** Bot-password login name `UploaderBot@courier`, with the upload grants. */
  botUser: string;
  botPassword: string;
  /** Bot password `UploaderBot@noupload`: can log in and edit, cannot upload. */
  botWithoutUpload: Account;
  /** The bot's main account (for `clientlogin`). */
  botMain: Account;
  /** Administrator (sysop, bureaucrat). */
  admin: Account;
  /** The settings in force. */
  settings(): WikiSettings;
  /** Changes settings; the next request sees them (no restart). */
  configure(changes: Partial<WikiSettings>): Promise<void>;
  /** Runs a maintenance script of the core against this wiki. */
  runMaintenance(script: string, args?: readonly string[]): Promise<ScriptOutput>;
  /** Deletes files (`Name.png` or `File:Name.png`) as the admin, for `was-deleted`/`duplicate-archive`. */
  deleteFiles(names: readonly string[], reason?: string): Promise<void>;
  /** Forgets every login session on the server (as an expired session store would); returns how many. */
  dropSessions(): number;
  /** Recent lines of the php -S log. */
  log(): string;
  close(): Promise<void>;
}

const READY_ATTEMPTS = 60;
const READY_POLL_MS = 50;

async function waitForApi(apiUrl: string, log: () => string): Promise<string> {
  const url = `${apiUrl}?action=query&meta=siteinfo&format=json&formatversion=2`;
  let lastProblem = '';
  for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      const text = await response.text();
      if (response.ok) {
        const body = JSON.parse(text) as { query?: { general?: { generator?: string } } };
        const generator = body.query?.general?.generator;
        if (generator) return generator;
      }
      lastProblem = `HTTP ${response.status}: ${text.slice(0, 500)}`;
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`MediaWiki at ${apiUrl} did not answer siteinfo (${lastProblem}):\n${log()}`);
}

/**
 * Starts a throw-away MediaWiki (Debian's package) on a free 127.0.0.1 port: a copy of a cached
 * installation with uploads enabled, an admin, a bot and two bot passwords, served by `php -S`.
 */
export async function startMediaWiki(options: StartMediaWikiOptions = {}): Promise<MediaWikiServer> {
  const coreDir = mediawikiCoreDir();
  const version = mediawikiVersion(coreDir);
  const template = await ensureTemplate(coreDir, version);
  const sitename = options.sitename ?? 'TestWiki';
  const slug = sitename.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 30);
  const root = await mkdtemp(path.join(os.tmpdir(), `courier-mw-${slug}-`));
  const folder = wikiFolder(root);
  await copyTemplate(template, folder);

  const { sitename: _s, workers: _w, keep: _k, ...settingChanges } = options;
  let settings: WikiSettings = { ...DEFAULT_SETTINGS, ...settingChanges };
  let config: HarnessConfig = { ...baseHarnessConfig(folder, template.info, sitename), settings };
  await writeWikiConf(folder, config);

  const php = await startPhpServer({
    coreDir,
    router: folder.router,
    configFile: folder.localSettings,
    // PHP's limits are fixed at start; leave room for configure() to raise $wgMaxUploadSize later.
    maxRequestBytes: Math.max(settings.maxUploadSize, DEFAULT_SETTINGS.maxUploadSize),
    workers: options.workers ?? 1,
  });
  const serverUrl = `http://127.0.0.1:${php.port}`;
  config = { ...config, server: serverUrl };
  await writeHarnessConfig(folder, config);
  const apiUrl = `${serverUrl}/api.php`;
  let generator: string;
  try {
    generator = await waitForApi(apiUrl, php.log);
  } catch (err) {
    await php.stop();
    if (!options.keep) await rm(root, { recursive: true, force: true });
    throw err;
  }

  const runMaintenance = (script: string, args: readonly string[] = []): Promise<ScriptOutput> =>
    runMaintenanceScript(coreDir, folder.localSettings, script, args);
  let closed = false;

  return {
    serverUrl,
    apiUrl,
    indexUrl: `${serverUrl}/index.php`,
    generator,
    dir: root,
    pid: php.pid,
    botUser: template.info.bot.user,
    botPassword: template.info.bot.password,
    botWithoutUpload: template.info.botWithoutUpload,
    botMain: template.info.botMain,
    admin: template.info.admin,
    settings: () => settings,
    async configure(changes) {
      settings = { ...settings, ...changes };
      config = { ...config, settings };
      await writeHarnessConfig(folder, config);
    },
    runMaintenance,
    async deleteFiles(names, reason = 'test fixture') {
      const listFile = path.join(folder.tmpDir, `delete-${randomBytes(4).toString('hex')}.txt`);
      const titles = names.map((n) => (/^(File|Image):/i.test(n) ? n : `File:${n}`));
      await writeFile(listFile, `${titles.join('\n')}\n`);
      await runMaintenance('deleteBatch', [`--u=${template.info.admin.user}`, `--r=${reason}`, listFile]);
    },
    dropSessions() {
      const db = new Database(path.join(folder.dataDir, 'wikicache.sqlite'));
      try {
        db.pragma('busy_timeout = 5000');
        return db.prepare("DELETE FROM objectcache WHERE keyname LIKE '%MWSession%'").run().changes;
      } finally {
        db.close();
      }
    },
    log: php.log,
    async close() {
      if (closed) return;
      closed = true;
      await php.stop();
      if (!options.keep) await rm(root, { recursive: true, force: true });
    },
  };
}
