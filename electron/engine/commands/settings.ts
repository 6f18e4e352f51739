import type { Database } from 'better-sqlite3';
import type { settingsCommands } from '../../../shared/commands/settings';
import { DEFAULT_PAGE_TEMPLATE } from '../../../shared/wikiPage';
import { LimitSettingsStore } from '../runner/limitSettings';
import type { CommandContext, HandlersFor } from './context';

/** The page text saved in Settings → Wiki page text, or the built-in default. */
export function savedWikiPageTemplate(db: Database): string {
  const saved = db.prepare("SELECT value FROM settings WHERE key = 'wikiPageTemplate'").pluck().get() as
    string | undefined;
  return saved ?? DEFAULT_PAGE_TEMPLATE;
}

export function settingsHandlers(ctx: CommandContext): HandlersFor<typeof settingsCommands> {
  const limits = new LimitSettingsStore(ctx.ledger.db);
  const template = {
    get: () => savedWikiPageTemplate(ctx.ledger.db),
    save: (value: string) =>
      ctx.ledger.db
        .prepare(
          "INSERT INTO settings(key, value) VALUES ('wikiPageTemplate', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .run(value),
  };
  return {
    'settings.get': () => ({ limits: limits.get(), wikiPageTemplate: template.get() }),
    'settings.save': (args) => {
      if (args.wikiPageTemplate !== undefined) template.save(args.wikiPageTemplate);
      if (args.limits !== undefined) {
        limits.save(args.limits);
        // Batches already running pick the new limits up on their next request; wake them to refill slots.
        for (const batch of ctx.ledger.batches.list()) ctx.runner?.wake(batch.id);
      }
      return { limits: limits.get(), wikiPageTemplate: template.get() };
    },
  };
}
