import type { Database, Statement } from 'better-sqlite3';
import { DEFAULT_LIMIT_SETTINGS, limitSettingsSchema } from '../../../shared/commands/settings';
import type { LimitSettings } from '../../../shared/commands/settings';
import type { HostLimit } from './hostLimiter';

const KEY = 'limits';

/**
 * The limits saved in the ledger's settings table (Settings → Limits). Read on every use, so a change
 * (from this window, another one or a `courier` command) applies to the next request without a restart;
 * the parsed value is reused while the stored text is unchanged.
 */
export class LimitSettingsStore {
  private readonly read: Statement;
  private cached: { raw: string; value: LimitSettings } | undefined;

  constructor(private readonly db: Database) {
    this.read = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  }

  /** The saved limits, or the defaults when none were saved (or the saved text is unreadable). */
  get(): LimitSettings {
    const raw = this.read.get(KEY) as string | undefined;
    if (raw === undefined) return DEFAULT_LIMIT_SETTINGS;
    if (this.cached?.raw === raw) return this.cached.value;
    let value = DEFAULT_LIMIT_SETTINGS;
    try {
      const parsed = limitSettingsSchema.safeParse(JSON.parse(raw));
      if (parsed.success) value = parsed.data;
    } catch {
      // Unreadable text: the defaults apply until the limits are saved again.
    }
    this.cached = { raw, value };
    return value;
  }

  /** Saves limits (already validated) in place of the previous ones. */
  save(limits: LimitSettings): LimitSettings {
    this.db
      .prepare(
        'INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(KEY, JSON.stringify(limits));
    return this.get();
  }

  /** Whether limits were ever saved (otherwise the engine's built-in defaults apply). */
  saved(): boolean {
    return this.read.get(KEY) !== undefined;
  }

  /** The limit for a host (`name` or `name:port`): its own entry, then one for its name without port, then any host. */
  hostLimit(host: string): HostLimit {
    const limits = this.get();
    const h = host.toLowerCase();
    const name = h.replace(/:\d+$/, '');
    const entry = limits.hosts.find((e) => e.host === h) ?? limits.hosts.find((e) => e.host === name);
    const limit = entry ?? limits.anyHost;
    return { concurrency: limit.concurrency, minIntervalMs: limit.minIntervalMs };
  }

  /** The saved default number of files in flight per batch, or null when none was saved. */
  defaultConcurrency(): number | null {
    return this.saved() ? this.get().defaultConcurrency : null;
  }
}
