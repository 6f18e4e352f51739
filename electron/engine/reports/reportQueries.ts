/**
 * The figures of a batch report, aggregated in SQL: each query returns a bounded number of rows whatever
 * the size of the batch (groups, reasons and licences are capped; failures are iterated, never loaded).
 */
import type { Database } from 'better-sqlite3';
import { ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus, StatusCounts } from '../../../shared/status';

/** Statuses listed as problems in a report, in this order. */
export const PROBLEM_STATUSES: readonly ItemStatus[] = ['failed', 'attention', 'interrupted', 'unmatched'];
/** Statuses that count as work finished, for the throughput chart. */
const FINISHED_STATUSES: readonly ItemStatus[] = ['done', 'duplicate', 'skipped'];

export interface GroupCounts {
  group: string;
  total: number;
  counts: StatusCounts;
}

export interface ReasonCount {
  status: ItemStatus;
  reason: string;
  count: number;
  sampleMessage: string | null;
}

export interface LicenceCount {
  licence: string;
  attribution: string | null;
  count: number;
}

export interface ReportTimings {
  firstUpdate: number | null;
  lastUpdate: number | null;
  attempts: number;
  retried: number;
  bytesDone: number;
}

export interface ThroughputBucket {
  /** Start of the bucket (epoch ms). */
  at: number;
  count: number;
}

export interface ThroughputSeries {
  bucketMs: number;
  buckets: ThroughputBucket[];
  finished: number;
}

export interface FailureRow {
  seq: number;
  path: string;
  name: string;
  group: string;
  status: ItemStatus;
  reason: string | null;
  message: string | null;
  attempts: number;
  updatedAt: number;
}

const statusSums = ITEM_STATUSES.map((s) => `sum(status = '${s}') AS "${s}"`).join(', ');
const inList = (statuses: readonly ItemStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

/** Counts per group (subject, session, case), the first `limit` groups in name order, and how many groups there are. */
export function groupCounts(
  db: Database,
  batchId: number,
  limit: number,
): { groups: GroupCounts[]; totalGroups: number } {
  // Ordered by group_key with a LIMIT, SQLite walks items_group in order and stops after `limit` groups.
  const rows = db
    .prepare(
      `SELECT group_key, count(*) AS total, ${statusSums} FROM items WHERE batch_id = ?
       GROUP BY group_key ORDER BY group_key LIMIT ?`,
    )
    .all(batchId, limit) as ({ group_key: string; total: number } & Record<ItemStatus, number>)[];
  const totalGroups = db
    .prepare('SELECT count(DISTINCT group_key) FROM items WHERE batch_id = ?')
    .pluck()
    .get(batchId) as number;
  return {
    groups: rows.map((r) => ({
      group: r.group_key,
      total: r.total,
      counts: Object.fromEntries(ITEM_STATUSES.map((s) => [s, r[s] ?? 0])) as StatusCounts,
    })),
    totalGroups,
  };
}

/** Problem items per status and reason, most frequent first, with one message as an example. */
export function problemReasons(db: Database, batchId: number, limit: number): ReasonCount[] {
  const rows = db
    .prepare(
      `SELECT status, coalesce(reason, '') AS reason, count(*) AS n, max(message) AS message FROM items
       WHERE batch_id = ? AND status IN (${inList(PROBLEM_STATUSES)})
       GROUP BY status, coalesce(reason, '') ORDER BY n DESC, status, reason LIMIT ?`,
    )
    .all(batchId, limit) as { status: ItemStatus; reason: string; n: number; message: string | null }[];
  return rows.map((r) => ({ status: r.status, reason: r.reason, count: r.n, sampleMessage: r.message }));
}

/**
 * Licences and credits found in the items' metadata (ISIC `copyright_license`/`attribution`,
 * Radiopaedia `licence.url`/`attribution`, spreadsheet `license`/`author`), most frequent first.
 */
export function licenceCounts(
  db: Database,
  batchId: number,
  limit: number,
): { licences: LicenceCount[]; distinct: number } {
  const sql = `WITH l AS (
      SELECT coalesce(json_extract(meta, '$.copyright_license'), json_extract(meta, '$.licence.url'),
               json_extract(meta, '$.license')) AS licence,
             coalesce(json_extract(meta, '$.attribution'), json_extract(meta, '$.author')) AS attribution
      FROM items WHERE batch_id = ? AND meta <> '{}' AND json_valid(meta))
    SELECT licence, attribution, count(*) AS n FROM l WHERE licence IS NOT NULL OR attribution IS NOT NULL
    GROUP BY licence, attribution`;
  const licences = db.prepare(`${sql} ORDER BY n DESC, licence, attribution LIMIT ?`).all(batchId, limit) as {
    licence: unknown;
    attribution: unknown;
    n: number;
  }[];
  const distinct = db.prepare(`SELECT count(*) FROM (${sql})`).pluck().get(batchId) as number;
  return {
    licences: licences.map((r) => ({
      licence: r.licence === null ? '' : String(r.licence),
      attribution: r.attribution === null ? null : String(r.attribution),
      count: r.n,
    })),
    distinct,
  };
}

/** Attempts, retries, bytes delivered and the first and last change of any item. */
export function timings(db: Database, batchId: number): ReportTimings {
  const r = db
    .prepare(
      `SELECT min(updated_at) AS first, max(updated_at) AS last, coalesce(sum(attempts), 0) AS attempts,
        coalesce(sum(attempts > 1), 0) AS retried, coalesce(sum(CASE WHEN status = 'done' THEN size END), 0) AS bytes
       FROM items WHERE batch_id = ?`,
    )
    .get(batchId) as {
    first: number | null;
    last: number | null;
    attempts: number;
    retried: number;
    bytes: number;
  };
  return {
    firstUpdate: r.first,
    lastUpdate: r.last,
    attempts: r.attempts,
    retried: r.retried,
    bytesDone: r.bytes,
  };
}

/** Items finished per time bucket (about `buckets` of them between the first and the last finish). */
export function throughputSeries(db: Database, batchId: number, buckets: number): ThroughputSeries {
  const range = db
    .prepare(
      `SELECT min(updated_at) AS lo, max(updated_at) AS hi, count(*) AS n FROM items
       WHERE batch_id = ? AND status IN (${inList(FINISHED_STATUSES)})`,
    )
    .get(batchId) as { lo: number | null; hi: number | null; n: number };
  if (range.lo === null || range.hi === null) return { bucketMs: 0, buckets: [], finished: 0 };
  const span = Math.max(1, range.hi - range.lo + 1);
  const bucketMs = niceBucket(Math.ceil(span / buckets));
  const start = Math.floor(range.lo / bucketMs) * bucketMs;
  const rows = db
    .prepare(
      `SELECT CAST((updated_at - ?) / ? AS INTEGER) AS b, count(*) AS n FROM items
       WHERE batch_id = ? AND status IN (${inList(FINISHED_STATUSES)}) GROUP BY b ORDER BY b`,
    )
    .all(start, bucketMs, batchId) as { b: number; n: number }[];
  const byBucket = new Map(rows.map((r) => [r.b, r.n]));
  const last = Math.floor((range.hi - start) / bucketMs);
  const series: ThroughputBucket[] = [];
  for (let b = 0; b <= last; b++) series.push({ at: start + b * bucketMs, count: byBucket.get(b) ?? 0 });
  return { bucketMs, buckets: series, finished: range.n };
}

const NICE_MS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** The smallest readable bucket length (1 s, 5 s, 1 min, 1 h, 1 day…) not shorter than `ms`. */
export function niceBucket(ms: number): number {
  const found = NICE_MS.find((n) => n >= ms);
  return found ?? Math.ceil(ms / 86_400_000) * 86_400_000;
}

/**
 * Problem items in status then listing order, at most `limit` (a bounded list: the report is for people;
 * the CSV export carries every row). Read with `all` rather than a cursor held open across awaits, so the
 * engine's other work on the same connection is never blocked.
 */
export function problemItems(db: Database, batchId: number, limit: number): FailureRow[] {
  const stmt = db.prepare(
    `SELECT seq, path, name, group_key, status, reason, message, attempts, updated_at FROM items
     WHERE batch_id = ? AND status = ? ORDER BY seq LIMIT ?`,
  );
  const out: FailureRow[] = [];
  for (const status of PROBLEM_STATUSES) {
    if (out.length >= limit) break;
    const rows = stmt.all(batchId, status, limit - out.length) as {
      seq: number;
      path: string;
      name: string;
      group_key: string;
      status: ItemStatus;
      reason: string | null;
      message: string | null;
      attempts: number;
      updated_at: number;
    }[];
    for (const r of rows) {
      out.push({
        seq: r.seq,
        path: r.path,
        name: r.name,
        group: r.group_key,
        status: r.status,
        reason: r.reason,
        message: r.message,
        attempts: r.attempts,
        updatedAt: r.updated_at,
      });
    }
  }
  return out;
}
