import type { Database } from 'better-sqlite3';
import { CourierError } from '../../shared/errors';

/** Encrypts and decrypts secrets; the desktop shell provides one backed by the OS keychain (safeStorage). */
export interface SecretCipher {
  /** False when the platform offers no real protection (then nothing is stored). */
  available(): Promise<boolean>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(ciphertext: Buffer): Promise<string>;
}

/** Credentials kept in the ledger as ciphertext only; without a cipher they live in memory for this run. */
export class SecretVault {
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly cipher: SecretCipher | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a secret; returns whether it was persisted (false: kept in memory only). */
  async put(name: string, value: string): Promise<boolean> {
    if (this.cipher && (await this.cipher.available())) {
      const ciphertext = await this.cipher.encrypt(value);
      this.db
        .prepare(
          'INSERT INTO secrets(name, ciphertext, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at',
        )
        .run(name, ciphertext, this.now());
      this.memory.delete(name);
      return true;
    }
    this.memory.set(name, value);
    return false;
  }

  async get(name: string): Promise<string | undefined> {
    const remembered = this.memory.get(name);
    if (remembered !== undefined) return remembered;
    const row = this.db.prepare('SELECT ciphertext FROM secrets WHERE name = ?').get(name) as
      { ciphertext: Buffer } | undefined;
    if (!row) return undefined;
    if (!this.cipher) {
      throw new CourierError({
        code: 'secret-locked',
        message: `The saved credential '${name}' can only be read by the desktop app that saved it; enter it again here.`,
      });
    }
    return this.cipher.decrypt(row.ciphertext);
  }

  delete(name: string): void {
    this.memory.delete(name);
    this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name);
  }
}
