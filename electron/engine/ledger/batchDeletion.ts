import type { Ledger } from './ledger';

export interface DeletionOptions {
  /** Items removed per transaction. */
  chunk?: number;
  /** Awaited between transactions, so the engine answers other requests meanwhile. */
  pause?: () => Promise<void>;
  now?: () => number;
}

/**
 * Marks a batch as being deleted: from now on it is left out of the batch list, its name is freed and
 * its audit trail may be removed with it. Returns how many items it has. Files on disk are not touched.
 */
export function beginBatchDeletion(ledger: Ledger, batchId: number, now = Date.now()): number {
  const db = ledger.db;
  return db.transaction(() => {
    db.prepare('INSERT OR IGNORE INTO batch_deletions(batch_id, started_at) VALUES (?, ?)').run(batchId, now);
    db.prepare(
      `UPDATE batches SET name = printf('%s (deleting #%d)', name, id) WHERE id = ?
      AND name NOT LIKE '% (deleting #' || id || ')'`,
    ).run(batchId);
    return (db
      .prepare('SELECT coalesce(sum(n), 0) FROM batch_counts WHERE batch_id = ?')
      .pluck()
      .get(batchId) ?? 0) as number;
  })();
}

/**
 * Removes a batch marked by `beginBatchDeletion` from the ledger in small transactions: its items (the
 * counters and the text index follow through their triggers), their events and decisions, then the batch
 * itself. Safe to run again after a crash: it continues where it stopped. Returns the items removed.
 */
export async function finishBatchDeletion(
  ledger: Ledger,
  batchId: number,
  options: DeletionOptions = {},
): Promise<number> {
  const db = ledger.db;
  const chunk = options.chunk ?? 5_000;
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  const page = db.prepare('SELECT id FROM items WHERE batch_id = ? ORDER BY seq LIMIT ?').pluck();
  const events = db.prepare('DELETE FROM events WHERE item_id IN (SELECT value FROM json_each(?))');
  const decisions = db.prepare('DELETE FROM decisions WHERE item_id IN (SELECT value FROM json_each(?))');
  const items = db.prepare('DELETE FROM items WHERE id IN (SELECT value FROM json_each(?))');
  let removed = 0;
  for (;;) {
    const n = db.transaction(() => {
      const ids = page.all(batchId, chunk) as number[];
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      events.run(list);
      decisions.run(list);
      return items.run(list).changes;
    })();
    if (n === 0) break;
    removed += n;
    await pause();
  }
  db.transaction(() => {
    db.prepare('DELETE FROM events WHERE batch_id = ? AND item_id IS NULL').run(batchId);
    db.prepare('DELETE FROM decisions WHERE batch_id = ?').run(batchId);
    db.prepare('DELETE FROM batch_counts WHERE batch_id = ?').run(batchId);
    db.prepare('DELETE FROM batches WHERE id = ?').run(batchId);
    db.prepare('DELETE FROM batch_deletions WHERE batch_id = ?').run(batchId);
  })();
  ledger.forgetWindows();
  return removed;
}

/** Batches whose deletion was begun and not finished (the app stopped meanwhile). */
export function unfinishedDeletions(ledger: Ledger): number[] {
  return ledger.db
    .prepare('SELECT batch_id FROM batch_deletions ORDER BY batch_id')
    .pluck()
    .all() as number[];
}
