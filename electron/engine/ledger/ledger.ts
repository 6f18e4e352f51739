import Database from 'better-sqlite3';
import type { Database as Db, RunResult, Statement } from 'better-sqlite3';
import type { AttentionGroup, ItemDetail, ItemEvent, ItemRow } from '../../../shared/domain';
import { CourierError } from '../../../shared/errors';
import type { ItemStatus, OperatorAction, StatusCounts } from '../../../shared/status';
import { ItemWindows } from './itemWindow';
import type { WindowQuery, Where } from './itemWindow';
import { migrate } from './migrations';
import { RunnerLease } from './runnerLease';
import { toItemRow } from './rows';
import { CountMoves, recountStatuses, UPSERT_COUNT_SQL } from './statusCounts';
import type { ItemRecord } from './rows';
import { BatchStore } from './batchStore';
import { applyDecision } from './decisions';
import type { DecisionRequest } from './decisions';
import type { DecisionResult } from '../../../shared/contract';

export type { BatchRecord } from './batchStore';

/** A file as a source lists it, before it has an id. */
export interface ItemDraft {
  key: string;
  path: string;
  name: string;
  group?: string;
  size?: number | null;
  status?: Extract<ItemStatus, 'pending' | 'unmatched' | 'skipped'>;
  reason?: string | null;
  message?: string | null;
  meta?: Record<string, unknown>;
}

/** What happened to an item: its new status plus anything learnt on the way. */
export interface ItemOutcome {
  itemId: number;
  status: ItemStatus;
  reason?: string | null;
  message?: string | null;
  actions?: OperatorAction[] | null;
  attempts?: number;
  nextAttemptAt?: number | null;
  name?: string;
  target?: string | null;
  size?: number | null;
  sha1?: string | null;
  md5?: string | null;
  meta?: Record<string, unknown>;
  event?: { kind?: string; data?: Record<string, unknown> };
}

export type ClaimedItem = ItemRecord;
export type ChangeListener = (batchId: number, itemIds: number[] | 'many') => void;

export interface LedgerOptions {
  now?: () => number;
  /** `FULL` makes every commit survive power loss, at some cost in write rate. */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * `runner` (default) takes the ledger's runner lease and returns items a crash left running to pending;
   * `reader` only reads and records decisions, beside a runner in another process.
   */
  role?: 'runner' | 'reader';
}

const MANY = 500;

/** The fields an outcome may carry besides its status: column, SQL, and whether it is stored as JSON. */
const OPTIONAL_OUTCOME_COLUMNS: readonly [keyof ItemOutcome, string, boolean][] = [
  ['actions', 'actions = ?', true],
  ['attempts', 'attempts = ?', false],
  ['name', 'name = ?', false],
  ['target', 'target = ?', false],
  ['size', 'size = ?', false],
  ['sha1', 'sha1 = ?', false],
  ['md5', 'md5 = ?', false],
  ['meta', 'meta = json_patch(meta, ?)', true],
];

/**
 * The ledger: one SQLite file that knows every batch, every item's status and the append-only trail of
 * what happened. All writes go through this one connection, in transactions; counters change in the
 * same transaction as the items (see statusCounts.ts), so they are always exact.
 */
export class Ledger {
  readonly db: Db;
  readonly batches: BatchStore;
  private readonly now: () => number;
  private readonly windows: ItemWindows;
  private readonly listeners = new Set<ChangeListener>();
  private readonly stmts: Record<string, Statement>;
  private lease: RunnerLease | undefined;
  private readonly outcomeStatements = new Map<string, Statement>();

  private constructor(db: Db, now: () => number) {
    this.db = db;
    this.now = now;
    this.batches = new BatchStore(db, now, (batchId) => this.notify(batchId, 'many'));
    this.windows = new ItemWindows(db, now);
    this.stmts = {
      insertItem:
        db.prepare(`INSERT INTO items(batch_id, seq, key, path, name, group_key, status, reason, message, size, meta, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(batch_id, key) DO NOTHING`),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) AS s FROM items WHERE batch_id = ?'),
      event: db.prepare(`INSERT INTO events(batch_id, item_id, at, kind, status, code, message, data)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      // One status at a time, so each walks only its own part of items_status (batch_id, status, seq).
      // `batch_id = ?+0` and `LIMIT (SELECT ?)` rather than `= ?` and `LIMIT ?`: SQLite (built with STAT4)
      // plans a statement again at each new value bound to a parameter compared with an indexed column or
      // used as its LIMIT, which on items (ten indexes) costs ten times the search itself, at every claim.
      claimInterrupted: db.prepare(
        `SELECT * FROM items WHERE batch_id = ?+0 AND status = 'interrupted' ORDER BY seq LIMIT (SELECT ?)`,
      ),
      claimPending: db.prepare(
        `SELECT * FROM items WHERE batch_id = ?+0 AND status = 'pending' ORDER BY seq LIMIT (SELECT ?)`,
      ),
      claimRetry: db.prepare(`SELECT * FROM items WHERE batch_id = ?+0 AND status = 'failed'
        AND next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT (SELECT ?)`),
      markRunning: db.prepare(`UPDATE items SET status = 'running', updated_at = ? WHERE id = ?`),
      statusOf: db.prepare(
        'SELECT id, status, reason FROM items WHERE id IN (SELECT value FROM json_each(?))',
      ),
      moveCounts: db.prepare(UPSERT_COUNT_SQL),
      nextRetry:
        db.prepare(`SELECT min(next_attempt_at) AS t FROM items WHERE batch_id = ? AND status = 'failed'
        AND next_attempt_at IS NOT NULL`),
      item: db.prepare('SELECT * FROM items WHERE id = ?'),
      itemPage: db.prepare('SELECT * FROM items WHERE batch_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      itemEvents: db.prepare('SELECT * FROM events WHERE item_id = ? ORDER BY id'),
      // Batch by batch (CROSS JOIN keeps that order), so each walks only the running part of items_status.
      running: db.prepare(
        `SELECT i.id, i.batch_id FROM batches b CROSS JOIN items i ON i.batch_id = b.id AND i.status = 'running'`,
      ),
      runningOfBatch: db.prepare(`SELECT id FROM items WHERE batch_id = ? AND status = 'running'`),
      recover: db.prepare(`UPDATE items SET status = 'pending', updated_at = ? WHERE id = ?`),
      interrupt: db.prepare(
        `UPDATE items SET status = 'interrupted', updated_at = ? WHERE id = ? AND status = 'running'`,
      ),
      attention: db.prepare(`SELECT i.batch_id, b.name AS batch_name, coalesce(i.reason, 'unknown') AS reason,
        count(*) AS n, max(i.actions) AS actions, max(i.message) AS message
        FROM items i JOIN batches b ON b.id = i.batch_id
        WHERE i.status = 'attention' AND (@batchId IS NULL OR i.batch_id = @batchId)
        GROUP BY i.batch_id, coalesce(i.reason, 'unknown') ORDER BY i.batch_id, n DESC`),
    };
  }

  /** Opens (or creates) a ledger, applies migrations and returns items a crash left running to pending. */
  static open(file: string, options: LedgerOptions = {}): Ledger {
    const now = options.now ?? Date.now;
    let db: Db;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      db.pragma('temp_store = MEMORY');
      db.pragma('cache_size = -65536');
      // Checkpoint once the WAL holds 256 MB instead of SQLite's 4 MB: a page changed by many transactions
      // in between (an index's hot pages, the counters) is copied into the database once, not each time.
      // Scattered status updates over a million items ran 7,000 → 11,000/s with it. The file is cut back
      // to 64 MB after each checkpoint, and goes away when the ledger closes.
      db.pragma('wal_autocheckpoint = 65536');
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      migrate(db, now());
    } catch (err) {
      if (err instanceof CourierError) throw err;
      throw new CourierError({
        code: 'ledger-open',
        message: `Cannot open the ledger ${file}: ${(err as Error).message}`,
        cause: err,
      });
    }
    const ledger = new Ledger(db, now);
    if ((options.role ?? 'runner') === 'runner') {
      const lease = new RunnerLease(db, now);
      try {
        lease.acquire();
      } catch (err) {
        db.close();
        throw err;
      }
      ledger.lease = lease;
      ledger.recount();
      ledger.recoverCrashed();
    }
    return ledger;
  }

  close(): void {
    this.lease?.release();
    this.windows.reset();
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }

  /** Calls `listener` after every committed change with the batch and the items that changed. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Rebuilds the status counters from the items (all batches, or one). The runner does it when it opens
   * the ledger, so an edit by another tool (the sqlite3 shell) cannot leave the counters wrong.
   */
  recount(batchId?: number): void {
    recountStatuses(this.db, batchId);
  }

  counts(batchId: number): StatusCounts {
    return this.batches.counts(batchId);
  }

  /** Adds the files a source listed; a key already in the batch is left as it is (listing is idempotent). */
  addItems(batchId: number, drafts: ItemDraft[]): number {
    if (drafts.length === 0) return 0;
    const now = this.now();
    let added = 0;
    this.db.transaction(() => {
      let seq = (this.stmts.maxSeq!.get(batchId) as { s: number }).s;
      const arrived = new Map<ItemStatus, number>();
      for (const d of drafts) {
        const status = d.status ?? 'pending';
        // By position: binding an object by name looks every name up on it, at every row.
        const r = this.stmts.insertItem!.run(
          batchId,
          seq + 1,
          d.key,
          d.path,
          d.name,
          d.group ?? '',
          status,
          d.reason ?? null,
          d.message ?? null,
          d.size ?? null,
          JSON.stringify(d.meta ?? {}),
          now,
        );
        if (r.changes > 0) {
          seq++;
          added++;
          arrived.set(status, (arrived.get(status) ?? 0) + 1);
        }
      }
      // The counters move once per status here, in the same transaction (a row trigger doubled the insert).
      for (const [status, n] of arrived) this.stmts.moveCounts!.run(batchId, status, n);
      if (added > 0) this.batches.bump(batchId, now);
    })();
    if (added > 0) this.notify(batchId, 'many');
    return added;
  }

  /** Moves up to `limit` runnable items (pending, interrupted, failed and due for a retry) to running. */
  claim(batchId: number, limit: number): ClaimedItem[] {
    return this.settle(batchId, [], limit);
  }

  /**
   * One turn of a runner in one transaction: writes the outcomes (as `record`), then claims up to `limit`
   * items for the slots they freed (as `claim`). The status counters and the batch move once for both.
   */
  settle(batchId: number, outcomes: ItemOutcome[], limit: number): ClaimedItem[] {
    if (outcomes.length === 0 && limit <= 0) return [];
    const now = this.now();
    let claimed: ClaimedItem[] = [];
    this.db
      .transaction(() => {
        const moves = new CountMoves();
        this.writeOutcomes(batchId, outcomes, now, moves);
        if (limit > 0) claimed = this.claimWithin(batchId, limit, now, moves);
        moves.apply(this.stmts.moveCounts!);
        if (outcomes.length > 0 || claimed.length > 0) this.batches.bump(batchId, now);
        // Immediate: the statuses read first must not change before the writes (another process).
      })
      .immediate();
    const changed = [...outcomes.map((o) => o.itemId), ...claimed.map((c) => c.id)];
    if (changed.length > 0) this.notify(batchId, changed.length > MANY ? 'many' : changed);
    return claimed;
  }

  private claimWithin(batchId: number, limit: number, now: number, moves: CountMoves): ClaimedItem[] {
    const due = this.stmts.claimRetry!.all(batchId, now, limit) as ItemRecord[];
    const interrupted = this.stmts.claimInterrupted!.all(batchId, limit - due.length) as ItemRecord[];
    const pending = this.stmts.claimPending!.all(
      batchId,
      limit - due.length - interrupted.length,
    ) as ItemRecord[];
    const claimed: ClaimedItem[] = [];
    for (const item of [...due, ...interrupted, ...pending]) {
      this.stmts.markRunning!.run(now, item.id);
      moves.move(batchId, item.status, 'running');
      this.stmts.event!.run(
        batchId,
        item.id,
        now,
        'attempt',
        'running',
        null,
        `attempt ${item.attempts + 1}`,
        null,
      );
      claimed.push({ ...item, status: 'running', updated_at: now });
    }
    return claimed;
  }

  /** When the earliest failed item of the batch is due for its next attempt, or null if none will be. */
  nextRetryAt(batchId: number): number | null {
    return (this.stmts.nextRetry!.get(batchId) as { t: number | null }).t;
  }

  /** Writes outcomes of one batch in one transaction, each with its event. */
  record(batchId: number, outcomes: ItemOutcome[]): void {
    this.settle(batchId, outcomes, 0);
  }

  private writeOutcomes(batchId: number, outcomes: ItemOutcome[], now: number, moves: CountMoves): void {
    if (outcomes.length === 0) return;
    const before = new Map(
      (
        this.stmts.statusOf!.all(JSON.stringify(outcomes.map((o) => o.itemId))) as {
          id: number;
          status: ItemStatus;
          reason: string | null;
        }[]
      ).map((r) => [r.id, r]),
    );
    for (const o of outcomes) {
      const was = before.get(o.itemId);
      const reason = o.reason ?? null;
      const r = this.outcomeUpdate(o, was?.reason !== reason, batchId, now);
      if (r.changes === 0 || !was) {
        throw new CourierError({
          code: 'item-not-found',
          message: `Item ${o.itemId} is not in batch ${batchId}.`,
        });
      }
      moves.move(batchId, was.status, o.status);
      before.set(o.itemId, { id: o.itemId, status: o.status, reason });
      this.stmts.event!.run(
        batchId,
        o.itemId,
        now,
        o.event?.kind ?? 'status',
        o.status,
        o.reason ?? null,
        o.message ?? null,
        o.event?.data ? JSON.stringify(o.event.data) : null,
      );
    }
  }

  /**
   * Runs the UPDATE for one outcome: status, message, next attempt and time always; the reason when it
   * changes; the optional fields the outcome carries. Parameters are bound by position (binding an object
   * by name looks every name up on it, at every row), and one statement is kept per SQL text.
   */
  private outcomeUpdate(o: ItemOutcome, reasonChanges: boolean, batchId: number, now: number): RunResult {
    const sets = ['status = ?', 'message = ?', 'next_attempt_at = ?', 'updated_at = ?'];
    const args: unknown[] = [o.status, o.message ?? null, o.nextAttemptAt ?? null, now];
    if (reasonChanges) {
      sets.push('reason = ?');
      args.push(o.reason ?? null);
    }
    for (const [key, column, json] of OPTIONAL_OUTCOME_COLUMNS) {
      const value = o[key];
      if (value === undefined || value === null) continue;
      sets.push(column);
      args.push(json ? JSON.stringify(value) : value);
    }
    args.push(o.itemId, batchId);
    const sql = `UPDATE items SET ${sets.join(', ')} WHERE id = ? AND batch_id = ?`;
    let stmt = this.outcomeStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.outcomeStatements.set(sql, stmt);
    }
    return stmt.run(...args);
  }

  /** Marks the given running items interrupted (graceful stop or cancel). */
  interrupt(batchId: number, itemIds: number[], message: string): void {
    const now = this.now();
    const changed: number[] = [];
    this.db.transaction(() => {
      for (const id of itemIds) {
        if (this.stmts.interrupt!.run(now, id).changes > 0) {
          changed.push(id);
          this.stmts.event!.run(batchId, id, now, 'status', 'interrupted', 'interrupted', message, null);
        }
      }
      if (changed.length > 0) {
        this.stmts.moveCounts!.run(batchId, 'running', -changed.length);
        this.stmts.moveCounts!.run(batchId, 'interrupted', changed.length);
        this.batches.bump(batchId, now);
      }
    })();
    if (changed.length > 0) this.notify(batchId, changed);
  }

  /** Ids of the batch's items still marked running. */
  runningItems(batchId: number): number[] {
    return (this.stmts.runningOfBatch!.all(batchId) as { id: number }[]).map((r) => r.id);
  }

  window(q: WindowQuery): { rows: ItemRow[]; total: number; version: number } {
    const batch = this.batches.require(q.batchId);
    const result = this.windows.window(q, this.counts(q.batchId), batch.version);
    return { ...result, version: batch.version };
  }

  /** FROM and WHERE (alias `i`) selecting a batch's items that match the files table's filter. */
  matching(batchId: number, filter: WindowQuery['filter']): Where {
    return this.windows.whereClause({ batchId, filter });
  }

  /** Tells listeners about items changed by statements outside this class (bulk decisions, deletion). */
  announce(batchId: number, itemIds: number[] | 'many'): void {
    this.notify(batchId, itemIds);
  }

  /**
   * The items of a batch in listing order, read a page at a time: no statement stays open between
   * pages, so the caller may await while iterating and the connection serves other queries meanwhile
   * (better-sqlite3 refuses any query while an iterator is open).
   */
  *itemsInOrder(batchId: number, pageSize = 500): Generator<ItemRecord> {
    for (let after = 0; ;) {
      const rows = this.stmts.itemPage!.all(batchId, after, pageSize) as ItemRecord[];
      if (rows.length === 0) return;
      yield* rows;
      after = rows[rows.length - 1]!.seq;
    }
  }

  /** Writes status moves made by statements outside this class (bulk decisions), in the caller's transaction. */
  applyCountMoves(moves: CountMoves): void {
    moves.apply(this.stmts.moveCounts!);
  }

  /** Drops the files table's cached windows (after items were deleted). */
  forgetWindows(): void {
    this.windows.reset();
  }

  item(itemId: number): ItemRecord | undefined {
    return this.stmts.item!.get(itemId) as ItemRecord | undefined;
  }

  detail(itemId: number): ItemDetail {
    const record = this.item(itemId);
    if (!record)
      throw new CourierError({
        code: 'item-not-found',
        message: `There is no item ${itemId} in this ledger.`,
      });
    const events = (
      this.stmts.itemEvents!.all(itemId) as {
        id: number;
        at: number;
        kind: string;
        status: ItemStatus | null;
        code: string | null;
        message: string | null;
        data: string | null;
      }[]
    ).map<ItemEvent>((e) => ({
      ...e,
      data: e.data ? (JSON.parse(e.data) as Record<string, unknown>) : null,
    }));
    return {
      item: {
        ...toItemRow(record),
        sha1: record.sha1,
        md5: record.md5,
        meta: JSON.parse(record.meta) as Record<string, unknown>,
      },
      events,
    };
  }

  /** Applies an operator's decision to each item where it is allowed; each one is recorded with time and note. */
  decide(request: DecisionRequest): DecisionResult {
    const now = this.now();
    const result: DecisionResult = { applied: 0, refused: [] };
    const changed: number[] = [];
    this.db
      .transaction(() => {
        const moves = new CountMoves();
        for (const itemId of request.itemIds) {
          const record = this.item(itemId);
          const refusal = applyDecision(this.db, this.stmts.event!, record, request, now, moves);
          if (refusal) result.refused.push({ itemId, reason: refusal });
          else {
            result.applied++;
            changed.push(itemId);
          }
        }
        moves.apply(this.stmts.moveCounts!);
        if (changed.length > 0) this.batches.bump(request.batchId, now);
      })
      .immediate();
    if (changed.length > 0) this.notify(request.batchId, changed.length > MANY ? 'many' : changed);
    return result;
  }

  attentionSummary(batchId?: number): AttentionGroup[] {
    const rows = this.stmts.attention!.all({ batchId: batchId ?? null }) as {
      batch_id: number;
      batch_name: string;
      reason: string;
      n: number;
      actions: string | null;
      message: string | null;
    }[];
    return rows.map((r) => ({
      batchId: r.batch_id,
      batchName: r.batch_name,
      reason: r.reason,
      count: r.n,
      actions: toItemRow({
        id: 0,
        batch_id: r.batch_id,
        seq: 0,
        path: '',
        name: '',
        group_key: '',
        status: 'attention',
        reason: r.reason,
        message: null,
        actions: r.actions,
        attempts: 0,
        size: null,
        target: null,
        updated_at: 0,
      }).actions,
      sampleMessage: r.message,
    }));
  }

  /**
   * Adds up to `maxRows` of the newest items to the text index; returns how many. Run behind the
   * writes (an idle timer), so listing a million files is not slowed by indexing them.
   */
  indexText(maxRows: number): number {
    return this.db
      .transaction(() => {
        const upto = this.db.prepare('SELECT indexed_upto FROM text_index_state').pluck().get() as number;
        const last = this.db
          .prepare('SELECT max(id) FROM (SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?)')
          .pluck()
          .get(upto, maxRows) as number | null;
        if (last === null) return 0;
        const r = this.db
          .prepare('INSERT INTO items_text(rowid, name) SELECT id, name FROM items WHERE id > ? AND id <= ?')
          .run(upto, last);
        this.db.prepare('UPDATE text_index_state SET indexed_upto = ?').run(last);
        return r.changes;
      })
      .immediate();
  }

  /** Appends a batch-level event (state changes, listings) to the audit trail. */
  batchEvent(batchId: number, kind: string, message: string, data?: Record<string, unknown>): void {
    this.stmts.event!.run(
      batchId,
      null,
      this.now(),
      kind,
      null,
      null,
      message,
      data ? JSON.stringify(data) : null,
    );
  }

  private recoverCrashed(): void {
    const running = this.stmts.running!.all() as { id: number; batch_id: number }[];
    if (running.length === 0) return;
    const now = this.now();
    this.db.transaction(() => {
      for (const r of running) {
        this.stmts.recover!.run(now, r.id);
        this.stmts.moveCounts!.run(r.batch_id, 'running', -1);
        this.stmts.moveCounts!.run(r.batch_id, 'pending', 1);
        this.stmts.event!.run(
          r.batch_id,
          r.id,
          now,
          'recovered',
          'pending',
          'recovered',
          'Was running when Imaging Courier stopped unexpectedly; back to pending (the target is checked before sending again).',
          null,
        );
      }
      for (const batchId of new Set(running.map((r) => r.batch_id))) this.batches.bump(batchId, now);
    })();
  }

  private notify(batchId: number, itemIds: number[] | 'many'): void {
    for (const l of this.listeners) l(batchId, itemIds);
  }
}
