import type { MatchingFilter, BulkAction } from '../../../shared/commands/console';
import { allowedActions, statusAfter } from '../../../shared/operatorActions';
import { ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus } from '../../../shared/status';
import { DESCRIBE } from './decisions';
import type { Ledger } from './ledger';
import { CountMoves } from './statusCounts';

export interface MatchingDecision {
  batchId: number;
  filter: MatchingFilter;
  action: BulkAction;
  note?: string;
  actor: string;
}

export interface MatchingOptions {
  /** Items decided per transaction. */
  chunk?: number;
  /** Awaited between transactions, so the engine answers other requests meanwhile. */
  pause?: () => Promise<void>;
  now?: () => number;
}

let tableCounter = 0;

/**
 * Applies one decision to every item of a batch matching a filter, chosen in SQL (never loaded as a list
 * of ids by the caller). Each item decided gets its own decisions row and event, exactly as
 * `Ledger.decide` records them; items where the decision is not possible are counted and left alone.
 */
export async function decideMatching(
  ledger: Ledger,
  request: MatchingDecision,
  options: MatchingOptions = {},
): Promise<{ matched: number; applied: number; notAllowed: number }> {
  const db = ledger.db;
  const chunk = options.chunk ?? 2_000;
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  const { reason, ...filter } = request.filter;
  const where = ledger.matching(request.batchId, filter);
  let sql = where.sql;
  const params = [...where.params];
  if (reason !== undefined) {
    sql += ` AND (i.reason = ? OR (? = 'unknown' AND i.reason IS NULL))`;
    params.push(reason, reason);
  }
  const matched = db
    .prepare(`SELECT count(*) FROM ${where.from} WHERE ${sql}`)
    .pluck()
    .get(...params) as number;

  const action = request.action;
  const statuses = ITEM_STATUSES.filter((s) => allowedActions(s, [action]).includes(action));
  // approve and convert need the item's source or target to have offered them.
  const offeredOnly = !ITEM_STATUSES.some((s) => allowedActions(s, []).includes(action));
  const eligible = `i.status IN (${statuses.map((s) => `'${s}'`).join(',')})${
    offeredOnly
      ? ` AND EXISTS (SELECT 1 FROM json_each(coalesce(i.actions, '[]')) WHERE value = '${action}')`
      : ''
  }`;

  const table = `temp.bulk_decision_${++tableCounter}`;
  db.exec(`CREATE TABLE ${table} (item_id INTEGER PRIMARY KEY)`);
  try {
    db.prepare(
      `INSERT INTO ${table}(item_id) SELECT i.id FROM ${where.from} WHERE ${sql} AND ${eligible}`,
    ).run(...params);
    const next = statusAfter(action);
    if (next === null) throw new Error(`'${action}' does not change a file's status`);
    const message = [DESCRIBE[action], request.note ? `— ${request.note}` : ''].filter(Boolean).join(' ');
    const metaPatch =
      action === 'approve'
        ? `json_object('approved', json_object('at', @now, 'by', @actor, 'reason', reason))`
        : action === 'convert'
          ? `'{"convert":true}'`
          : `'{}'`;
    const stmts = {
      page: db.prepare(`SELECT item_id FROM ${table} WHERE item_id > ? ORDER BY item_id LIMIT ?`).pluck(),
      // The status may have moved since the list was made (the runner goes on): checked again here.
      stillEligible: db
        .prepare(`SELECT i.id FROM items i WHERE i.id IN (SELECT value FROM json_each(?)) AND ${eligible}`)
        .pluck(),
      decisions: db.prepare(`INSERT INTO decisions(batch_id, item_id, action, note, new_name, actor, at)
        SELECT @batchId, value, @action, @note, NULL, @actor, @now FROM json_each(@ids)`),
      events: db.prepare(`INSERT INTO events(batch_id, item_id, at, kind, status, code, message, data)
        SELECT @batchId, i.id, @now, 'decision', @next, @action, @message,
          json_object('actor', @actor, 'from', i.status, 'note', @note, 'newName', NULL)
        FROM items i WHERE i.id IN (SELECT value FROM json_each(@ids))`),
      statuses: db.prepare(`SELECT status, count(*) AS n FROM items
        WHERE id IN (SELECT value FROM json_each(?)) GROUP BY status`),
      update: db.prepare(`UPDATE items SET status = @next,
          attempts = CASE WHEN @next = 'pending' THEN 0 ELSE attempts END, next_attempt_at = NULL,
          reason = CASE WHEN @next = 'pending' THEN NULL ELSE @reason END,
          message = CASE WHEN @next = 'pending' THEN NULL ELSE @message END,
          meta = json_patch(meta, ${metaPatch}), updated_at = @now
        WHERE id IN (SELECT value FROM json_each(@ids))`),
    };
    let applied = 0;
    let after = 0;
    for (;;) {
      const page = stmts.page.all(after, chunk) as number[];
      if (page.length === 0) break;
      after = page[page.length - 1]!;
      const now = (options.now ?? Date.now)();
      const done = db
        .transaction(() => {
          const ids = stmts.stillEligible.all(JSON.stringify(page)) as number[];
          if (ids.length === 0) return ids;
          const args = {
            batchId: request.batchId,
            action,
            next,
            note: request.note ?? null,
            actor: request.actor,
            now,
            message: request.note ?? DESCRIBE[action],
            reason: `operator-${action}`,
            ids: JSON.stringify(ids),
          };
          stmts.decisions.run(args);
          stmts.events.run({ ...args, message });
          const before = stmts.statuses.all(args.ids) as { status: ItemStatus; n: number }[];
          stmts.update.run(args);
          const moves = new CountMoves();
          for (const r of before) moves.move(request.batchId, r.status, next, r.n);
          ledger.applyCountMoves(moves);
          ledger.batches.bump(request.batchId, now);
          return ids;
        })
        .immediate();
      applied += done.length;
      if (done.length > 0) ledger.announce(request.batchId, done.length > 500 ? 'many' : done);
      await pause();
    }
    return { matched, applied, notAllowed: matched - applied };
  } finally {
    db.exec(`DROP TABLE IF EXISTS ${table}`);
  }
}
