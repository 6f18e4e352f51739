import type { Database, Statement } from 'better-sqlite3';
import type { ItemFilter, ItemRow, SortColumn } from '../../../shared/domain';
import { ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus, StatusCounts } from '../../../shared/status';
import { ITEM_ROW_COLUMNS, toItemRow } from './rows';
import type { ItemRecord } from './rows';

export interface WindowQuery {
  batchId: number;
  filter: ItemFilter;
  sort: { column: SortColumn; direction: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

/**
 * Column and tie-breaker per sortable field; each pair but `attempts` has an index (batch_id, column,
 * tie-breaker). Nearly every outcome changes `attempts`: an index on it made runner turns 13–28 % slower.
 */
const SORT_SQL: Record<SortColumn, [string, string]> = {
  seq: ['i.seq', ''],
  name: ['i.name', 'i.id'],
  path: ['i.path', 'i.id'],
  group: ['i.group_key', 'i.seq'],
  status: ['i.status', 'i.seq'],
  size: ['i.size', 'i.id'],
  updatedAt: ['i.updated_at', 'i.id'],
  attempts: ['i.attempts', 'i.id'],
  reason: ['i.reason', 'i.id'],
};

/** Sorts without an index: every window comes from a materialised view, built once and reused. */
const UNINDEXED: ReadonlySet<SortColumn> = new Set(['attempts']);
/** Within this many rows of either end a window is read straight from the index. */
const NEAR_END = 5_000;
/** A materialised view older than this is rebuilt when the batch has changed since. */
const VIEW_MAX_STALE_MS = 2_000;
const MAX_VIEWS = 4;

export interface Where {
  from: string;
  sql: string;
  params: unknown[];
}

interface MaterialisedView {
  table: string;
  version: number;
  builtAt: number;
  total: number;
}

/**
 * Serves windows `{rows, total}` of a batch's items for any filter and sort without OFFSET scans over
 * large tables: windows near either end come from the index (forwards or backwards), deep jumps (and
 * every window of a sort without an index) from a materialised view `(pos → item)` of the current filter
 * and sort, built once and rebuilt when stale.
 */
export class ItemWindows {
  private readonly views = new Map<string, MaterialisedView>();
  private viewCounter = 0;
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  window(q: WindowQuery, counts: StatusCounts, version: number): { rows: ItemRow[]; total: number } {
    const where = this.whereClause(q);
    const total = this.total(q, where, counts);
    const offset = Math.min(q.offset, Math.max(0, total - 1));
    const limit = Math.min(q.limit, Math.max(0, total - offset));
    if (limit === 0) return { rows: [], total };

    let records: ItemRecord[];
    if (UNINDEXED.has(q.sort.column)) {
      records = this.fromView(q, where, offset, limit, version, total);
    } else if (offset <= NEAR_END) {
      records = this.fromIndex(q, where, offset, limit, false);
    } else if (total - (offset + limit) <= NEAR_END) {
      records = this.fromIndex(q, where, total - (offset + limit), limit, true).reverse();
    } else {
      records = this.fromView(q, where, offset, limit, version, total);
    }
    return { rows: records.map(toItemRow), total };
  }

  /** Drops every materialised view (after deletes, or when closing). */
  reset(): void {
    for (const v of this.views.values()) this.db.exec(`DROP TABLE IF EXISTS temp.${v.table}`);
    this.views.clear();
  }

  /**
   * FROM and WHERE of a query. A text search starts FROM its matches (trigram index plus the newest
   * rows not indexed yet), so a rare name costs a few lookups instead of a scan of the batch.
   */
  whereClause(q: Pick<WindowQuery, 'batchId' | 'filter'>): Where {
    let from = 'items i';
    const fromParams: unknown[] = [];
    const parts = ['i.batch_id = ?'];
    const params: unknown[] = [q.batchId];
    const statuses = q.filter.statuses ?? [];
    if (statuses.length > 0 && statuses.length < ITEM_STATUSES.length) {
      parts.push(`i.status IN (${statuses.map(() => '?').join(',')})`);
      params.push(...statuses);
    }
    if (q.filter.group !== undefined) {
      parts.push('i.group_key = ?');
      params.push(q.filter.group);
    }
    const text = q.filter.text?.trim();
    if (text) {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      if ([...text].length >= 3) {
        // instr() keeps exact, case-insensitive substring matches ('_' and '%' are literal).
        const upto =
          (this.db.prepare('SELECT indexed_upto FROM text_index_state').pluck().get() as number) ?? 0;
        from = `(SELECT rowid AS id FROM items_text WHERE name LIKE ?
          UNION ALL SELECT id FROM items WHERE id > ? AND name LIKE ? ESCAPE '\\') m CROSS JOIN items i ON i.id = m.id`;
        fromParams.push(`%${text}%`, upto, like);
        parts.push('instr(lower(i.name), lower(?)) > 0');
        params.push(text);
      } else {
        parts.push("i.name LIKE ? ESCAPE '\\'");
        params.push(like);
      }
    }
    return { from, sql: parts.join(' AND '), params: [...fromParams, ...params] };
  }

  private total(q: WindowQuery, where: Where, counts: StatusCounts): number {
    if (q.filter.group === undefined && !q.filter.text?.trim()) {
      const statuses: readonly ItemStatus[] = q.filter.statuses?.length ? q.filter.statuses : ITEM_STATUSES;
      return statuses.reduce((sum, s) => sum + counts[s], 0);
    }
    const row = this.prepare(`SELECT count(*) AS n FROM ${where.from} WHERE ${where.sql}`).get(
      ...where.params,
    ) as {
      n: number;
    };
    return row.n;
  }

  private orderBy(q: WindowQuery, reverse: boolean): string {
    const [column, tie] = SORT_SQL[q.sort.column];
    const desc = (q.sort.direction === 'desc') !== reverse;
    const dir = desc ? 'DESC' : 'ASC';
    return tie ? `${column} ${dir}, ${tie} ${dir}` : `${column} ${dir}`;
  }

  private fromIndex(
    q: WindowQuery,
    where: Where,
    offset: number,
    limit: number,
    reverse: boolean,
  ): ItemRecord[] {
    const order = this.orderBy(q, reverse);
    // The inner query walks only the index; full rows are read for the window alone.
    const sql = `SELECT ${ITEM_ROW_COLUMNS} FROM items i WHERE i.id IN (
        SELECT i.id FROM ${where.from} WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?)
      ORDER BY ${order}`;
    return this.prepare(sql).all(...where.params, limit, offset) as ItemRecord[];
  }

  private fromView(
    q: WindowQuery,
    where: Where,
    offset: number,
    limit: number,
    version: number,
    total: number,
  ): ItemRecord[] {
    const key = JSON.stringify([q.batchId, q.filter, q.sort]);
    let view = this.views.get(key);
    const stale =
      view !== undefined &&
      (view.total !== total || (view.version !== version && this.now() - view.builtAt > VIEW_MAX_STALE_MS));
    if (!view || stale) {
      const table = view?.table ?? `item_view_${++this.viewCounter}`;
      this.db.exec(`DROP TABLE IF EXISTS temp.${table}`);
      this.db.exec(`CREATE TEMP TABLE ${table} (pos INTEGER PRIMARY KEY, item_id INTEGER NOT NULL)`);
      this.db
        .prepare(
          `INSERT INTO temp.${table}(item_id) SELECT i.id FROM ${where.from} WHERE ${where.sql} ORDER BY ${this.orderBy(q, false)}`,
        )
        .run(...where.params);
      const count = (this.db.prepare(`SELECT count(*) AS n FROM temp.${table}`).get() as { n: number }).n;
      view = { table, version, builtAt: this.now(), total: count };
      this.views.delete(key);
      this.views.set(key, view);
      this.evictOldViews();
    } else {
      this.views.delete(key);
      this.views.set(key, view);
    }
    return this.db
      .prepare(
        `SELECT ${ITEM_ROW_COLUMNS} FROM temp.${view.table} v JOIN items i ON i.id = v.item_id
         WHERE v.pos > ? AND v.pos <= ? ORDER BY v.pos`,
      )
      .all(offset, offset + limit) as ItemRecord[];
  }

  private evictOldViews(): void {
    while (this.views.size > MAX_VIEWS) {
      const [oldestKey, oldest] = this.views.entries().next().value as [string, MaterialisedView];
      this.db.exec(`DROP TABLE IF EXISTS temp.${oldest.table}`);
      this.views.delete(oldestKey);
    }
  }

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
