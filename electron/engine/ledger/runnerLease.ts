import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import { CourierError } from '../../../shared/errors';

const LEASE_MS = 20_000;
const RENEW_MS = 5_000;

interface LeaseRow {
  owner: string;
  pid: number;
  host: string;
  expires_at: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process at a time may run batches of a ledger: it holds a lease that it renews while alive. A
 * lease whose process has died (same machine) or that has expired can be taken over; only the taker may
 * return items left `running` to `pending`, so a second process never re-sends what the first is sending.
 */
export class RunnerLease {
  private timer: NodeJS.Timeout | undefined;
  readonly owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS runner_lease (
      id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
      expires_at INTEGER NOT NULL)`);
  }

  /** Takes the lease or throws `ledger-busy` naming the process that holds it. */
  acquire(): void {
    const take = this.db.transaction(() => {
      const held = this.db.prepare('SELECT * FROM runner_lease WHERE id = 1').get() as LeaseRow | undefined;
      if (held && held.owner !== this.owner && held.expires_at > this.now()) {
        const dead = held.host === hostname() && !processAlive(held.pid);
        if (!dead) {
          throw new CourierError({
            code: 'ledger-busy',
            message: `Another Imaging Courier (process ${held.pid} on ${held.host}) is running batches from this ledger; wait for it to finish or stop it first.`,
          });
        }
      }
      this.db
        .prepare(
          `INSERT INTO runner_lease(id, owner, pid, host, expires_at) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
           expires_at = excluded.expires_at`,
        )
        .run(this.owner, process.pid, hostname(), this.now() + LEASE_MS);
    });
    take.immediate();
    this.timer = setInterval(() => this.renew(), RENEW_MS);
    this.timer.unref();
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.db.prepare('DELETE FROM runner_lease WHERE owner = ?').run(this.owner);
  }

  private renew(): void {
    try {
      this.db
        .prepare('UPDATE runner_lease SET expires_at = ? WHERE owner = ?')
        .run(this.now() + LEASE_MS, this.owner);
    } catch {
      // A busy moment is fine: the lease lasts four renewal periods.
    }
  }
}
