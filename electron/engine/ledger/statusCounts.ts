import type { Database, Statement } from 'better-sqlite3';
import type { ItemStatus } from '../../../shared/status';

/**
 * The status changes of one transaction, written to `batch_counts` at its end: one statement per
 * (batch, status) touched instead of two per item (a row trigger costs about as much as the update).
 * Every status change goes through the Ledger, which adds its moves here inside the same transaction (new
 * items likewise count themselves in `addItems`), so the counters stay exact; `recountStatuses` rebuilds
 * them from the items.
 */
export class CountMoves {
  private readonly deltas = new Map<number, Map<ItemStatus, number>>();

  move(batchId: number, from: ItemStatus, to: ItemStatus, n = 1): void {
    if (from === to || n === 0) return;
    this.add(batchId, from, -n);
    this.add(batchId, to, n);
  }

  /** Writes the counted moves (inside the caller's transaction) and forgets them. */
  apply(upsert: Statement): void {
    for (const [batchId, byStatus] of this.deltas) {
      for (const [status, n] of byStatus) if (n !== 0) upsert.run(batchId, status, n);
    }
    this.deltas.clear();
  }

  private add(batchId: number, status: ItemStatus, n: number): void {
    let byStatus = this.deltas.get(batchId);
    if (!byStatus) this.deltas.set(batchId, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + n);
  }
}

export const UPSERT_COUNT_SQL = `INSERT INTO batch_counts(batch_id, status, n) VALUES (?, ?, ?)
  ON CONFLICT(batch_id, status) DO UPDATE SET n = n + excluded.n`;

/** Rebuilds the status counters from the items (all batches, or one), e.g. after an edit by another tool. */
export function recountStatuses(db: Database, batchId?: number): void {
  db.transaction(() => {
    if (batchId === undefined) {
      db.exec(`DELETE FROM batch_counts;
        INSERT INTO batch_counts(batch_id, status, n)
          SELECT batch_id, status, count(*) FROM items GROUP BY batch_id, status;`);
    } else {
      db.prepare('DELETE FROM batch_counts WHERE batch_id = ?').run(batchId);
      db.prepare(
        `INSERT INTO batch_counts(batch_id, status, n)
          SELECT batch_id, status, count(*) FROM items WHERE batch_id = ? GROUP BY status`,
      ).run(batchId);
    }
  })();
}
