import type { Database } from 'better-sqlite3';
import type { browserSettingCommands, settingsCommands } from '../../../shared/commands/settings';
import { CourierError } from '../../../shared/errors';
import { DEFAULT_PAGE_TEMPLATE } from '../../../shared/wikiPage';
import { browserFileProblem, checkBrowser } from '../clients/browser';
import { LimitSettingsStore } from '../runner/limitSettings';
import type { CommandContext, HandlersFor } from './context';
import { dataFolderHandlers } from './dataFolder';

function readSetting(db: Database, key: string): string | undefined {
  return db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
}

function writeSetting(db: Database, key: string, value: string): void {
  db.prepare(
    'INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

/** The page text saved in Settings → Wiki page text, or the built-in default. */
export function savedWikiPageTemplate(db: Database): string {
  return readSetting(db, 'wikiPageTemplate') ?? DEFAULT_PAGE_TEMPLATE;
}

/** The browser program saved in Settings → Browser, or null to find Chrome, Edge or Chromium automatically. */
export function savedBrowserPath(db: Database): string | null {
  return readSetting(db, 'browserPath') || null;
}

function browserHandlers(): HandlersFor<typeof browserSettingCommands> {
  return { 'settings.checkBrowser': ({ path }) => checkBrowser(path) };
}

export function settingsHandlers(ctx: CommandContext): HandlersFor<typeof settingsCommands> {
  const db = ctx.ledger.db;
  const limits = new LimitSettingsStore(db);
  const current = () => ({
    limits: limits.get(),
    wikiPageTemplate: savedWikiPageTemplate(db),
    browserPath: savedBrowserPath(db) ?? '',
  });
  return {
    'settings.get': current,
    'settings.save': (args) => {
      const browserPath = args.browserPath?.trim();
      if (browserPath) {
        const problem = browserFileProblem(browserPath);
        if (problem) throw new CourierError({ code: 'bad-browser-path', message: problem });
      }
      if (args.wikiPageTemplate !== undefined) writeSetting(db, 'wikiPageTemplate', args.wikiPageTemplate);
      if (browserPath !== undefined) writeSetting(db, 'browserPath', browserPath);
      if (args.limits !== undefined) {
        limits.save(args.limits);
        // Batches already running pick the new limits up on their next request; wake them to refill slots.
        for (const batch of ctx.ledger.batches.list()) ctx.runner?.wake(batch.id);
      }
      return current();
    },
    ...dataFolderHandlers(ctx),
    ...browserHandlers(),
  };
}
