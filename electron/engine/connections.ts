import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Connection, ConnectionKind } from '../../shared/commands/connections';
import { CourierError } from '../../shared/errors';
import type { Credentials } from './credentials';
import type { SecretVault } from './secretVault';

interface StoredConnection {
  id: string;
  kind: ConnectionKind;
  label: string;
  url: string;
  username: string;
}

const SETTINGS_KEY = 'connections';

/**
 * Saved connections, kept in the ledger's settings (without passwords) with each password in the secret
 * vault under `connection:<id>`. A saved connection answers credential requests for its URL.
 */
export class ConnectionStore {
  /** Passwords given in this run that the vault could not persist (no cipher: web mode). */
  private readonly sessionOnly = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly vault: SecretVault,
  ) {}

  list(): Connection[] {
    return this.stored().map((c) => this.describe(c));
  }

  get(id: string): Connection {
    return this.describe(this.require(id));
  }

  async save(input: {
    id?: string;
    kind: ConnectionKind;
    label: string;
    url: string;
    username: string;
    password?: string;
  }): Promise<Connection> {
    const all = this.stored();
    const existing = input.id === undefined ? undefined : all.find((c) => c.id === input.id);
    if (input.id !== undefined && !existing) throw notFound(input.id);
    const entry: StoredConnection = {
      id: existing?.id ?? randomUUID(),
      kind: input.kind,
      label: input.label,
      url: normaliseUrl(input.url),
      username: input.username,
    };
    if (input.password !== undefined) {
      if (input.password === '') {
        this.vault.delete(secretName(entry.id));
        this.sessionOnly.delete(entry.id);
      } else if (await this.vault.put(secretName(entry.id), input.password)) {
        this.sessionOnly.delete(entry.id);
      } else {
        this.sessionOnly.add(entry.id);
      }
    }
    this.write(existing ? all.map((c) => (c.id === entry.id ? entry : c)) : [...all, entry]);
    return this.describe(entry);
  }

  delete(id: string): boolean {
    const all = this.stored();
    if (!all.some((c) => c.id === id)) return false;
    this.vault.delete(secretName(id));
    this.sessionOnly.delete(id);
    this.write(all.filter((c) => c.id !== id));
    return true;
  }

  /** The login of a saved connection, with its password; `no-credentials` when none was given. */
  async login(id: string): Promise<Credentials> {
    const c = this.require(id);
    const password = await this.vault.get(secretName(id));
    if (password === undefined) {
      throw new CourierError({
        code: 'no-credentials',
        message: `The connection '${c.label}' has no password: enter it in Settings → Connections.`,
      });
    }
    return { user: c.username, password };
  }

  /**
   * The saved connection of this kind whose URL is the longest prefix of `url` (same site, same or
   * deeper path), or undefined. `https://x.org/xnat` serves requests for `https://x.org/xnat/data/…`.
   */
  match(kind: string, url: string): Connection | undefined {
    const wanted = normaliseUrl(url);
    let best: StoredConnection | undefined;
    for (const c of this.stored()) {
      if (c.kind !== kind) continue;
      if (wanted !== c.url && !wanted.startsWith(`${c.url}/`)) continue;
      if (!best || c.url.length > best.url.length) best = c;
    }
    return best && this.describe(best);
  }

  private describe(c: StoredConnection): Connection {
    const saved = this.db.prepare('SELECT 1 FROM secrets WHERE name = ?').get(secretName(c.id));
    const password = this.sessionOnly.has(c.id) ? 'this-session' : saved ? 'saved' : 'none';
    return { ...c, password };
  }

  private require(id: string): StoredConnection {
    const found = this.stored().find((c) => c.id === id);
    if (!found) throw notFound(id);
    return found;
  }

  private stored(): StoredConnection[] {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(SETTINGS_KEY) as
      string | undefined;
    return row ? (JSON.parse(row) as StoredConnection[]) : [];
  }

  private write(all: StoredConnection[]): void {
    this.db
      .prepare(
        'INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(SETTINGS_KEY, JSON.stringify(all));
  }
}

function secretName(id: string): string {
  return `connection:${id}`;
}

function notFound(id: string): CourierError {
  return new CourierError({ code: 'connection-not-found', message: `There is no saved connection '${id}'.` });
}

/** Lower-case scheme and host, no trailing slash, no query or fragment. */
export function normaliseUrl(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.protocol}//${u.host.toLowerCase()}${path}`;
}
