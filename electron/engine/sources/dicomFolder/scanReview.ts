import type {
  ReviewCounts,
  ReviewFile,
  ReviewGroup,
  ReviewTree,
  UploadProgressBars,
} from '../../../../shared/commands/xnatUpload';
import type { Ledger } from '../../ledger/ledger';
import { UPLOAD_OFF_REASON } from './workbookSync';

/** Skips an operator chose (in the review or in the workbook's Upload column): they may be undone. */
const OPERATOR_SKIPS = ['operator-skip', UPLOAD_OFF_REASON];
const OPERATOR_SKIP_SQL = `('${OPERATOR_SKIPS.join("','")}')`;

const GROUP_COLUMNS = `json_extract(meta, '$.subject') AS subject, json_extract(meta, '$.session') AS session,
  json_extract(meta, '$.dataset') AS dataset`;
const COUNT_COLUMNS = `
  sum(CASE WHEN status = 'skipped' AND reason IN ${OPERATOR_SKIP_SQL} THEN 1 ELSE 0 END) AS deselected,
  sum(CASE WHEN status = 'skipped' AND (reason IS NULL OR reason NOT IN ${OPERATOR_SKIP_SQL}) THEN 1 ELSE 0 END) AS keptOut,
  sum(CASE WHEN status NOT IN ('skipped', 'unmatched') THEN 1 ELSE 0 END) AS selected`;

interface GroupRow extends ReviewCounts {
  subject: string;
  session: string;
  dataset: string;
  firstId: number;
  seriesNumber: string | null;
  scanType: string | null;
}

const add = (into: ReviewCounts, from: ReviewCounts) => {
  into.selected += from.selected;
  into.deselected += from.deselected;
  into.keptOut += from.keptOut;
};
const zero = (): ReviewCounts => ({ selected: 0, deselected: 0, keptOut: 0 });

/**
 * What a scan placed, as subject → session → dataset with counts of the files selected, left out by
 * an operator and kept out by the scan. `experimentOf` names the XNAT experiment of a session from the
 * meta of one of its files.
 */
export function reviewTree(
  ledger: Ledger,
  batchId: number,
  experimentOf: (meta: Record<string, unknown>) => string,
): ReviewTree {
  const rows = ledger.db
    .prepare(
      `SELECT ${GROUP_COLUMNS}, ${COUNT_COLUMNS}, min(id) AS firstId,
        max(json_extract(meta, '$.dicom.SeriesNumber')) AS seriesNumber, max(json_extract(meta, '$.scanType')) AS scanType
       FROM items WHERE batch_id = ? AND json_extract(meta, '$.subject') IS NOT NULL
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all(batchId) as GroupRow[];
  const firstMeta = ledger.db.prepare('SELECT meta FROM items WHERE id = ?').pluck();
  const tree: ReviewTree = { subjects: [], totals: { ...zero(), unmatched: 0, files: 0 } };
  for (const row of rows) {
    let subject = tree.subjects.at(-1);
    if (subject?.subject !== row.subject) {
      subject = { subject: row.subject, sessions: [], ...zero() };
      tree.subjects.push(subject);
    }
    let session = subject.sessions.at(-1);
    if (session?.session !== row.session) {
      const meta = JSON.parse(firstMeta.get(row.firstId) as string) as Record<string, unknown>;
      session = { session: row.session, experiment: experimentOf(meta), datasets: [], ...zero() };
      subject.sessions.push(session);
    }
    const counts = { selected: row.selected, deselected: row.deselected, keptOut: row.keptOut };
    session.datasets.push({
      dataset: row.dataset,
      seriesNumber: row.seriesNumber ?? '',
      scanType: row.scanType ?? '',
      ...counts,
    });
    add(session, counts);
    add(subject, counts);
  }
  // Totals over the whole batch: files the scan kept out before placing them (not DICOM, unreadable) count too.
  const totals = ledger.db
    .prepare(`SELECT ${COUNT_COLUMNS} FROM items WHERE batch_id = ?`)
    .get(batchId) as ReviewCounts;
  const all = ledger.counts(batchId);
  tree.totals = {
    selected: totals.selected ?? 0,
    deselected: totals.deselected ?? 0,
    keptOut: totals.keptOut ?? 0,
    unmatched: all.unmatched,
    files: Object.values(all).reduce((a, b) => a + b, 0),
  };
  return tree;
}

const GROUP_WHERE = `batch_id = @batchId AND json_extract(meta, '$.subject') = @subject
  AND (@session IS NULL OR json_extract(meta, '$.session') = @session)
  AND (@dataset IS NULL OR json_extract(meta, '$.dataset') = @dataset)`;

function groupParams(batchId: number, group: ReviewGroup) {
  return { batchId, subject: group.subject, session: group.session ?? null, dataset: group.dataset ?? null };
}

/** The files of one dataset, a page at a time, in scan order. */
export function reviewFiles(
  ledger: Ledger,
  batchId: number,
  group: Required<ReviewGroup>,
  offset: number,
  limit: number,
): { files: ReviewFile[]; total: number } {
  const params = groupParams(batchId, group);
  const total = ledger.db
    .prepare(`SELECT count(*) FROM items WHERE ${GROUP_WHERE}`)
    .pluck()
    .get(params) as number;
  const rows = ledger.db
    .prepare(
      `SELECT id, name, status, reason, message FROM items WHERE ${GROUP_WHERE} ORDER BY seq LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit, offset }) as {
    id: number;
    name: string;
    status: string;
    reason: string | null;
    message: string | null;
  }[];
  return {
    total,
    files: rows.map((r) => {
      const operatorSkip = r.status === 'skipped' && OPERATOR_SKIPS.includes(r.reason ?? '');
      const selected = r.status !== 'skipped' && r.status !== 'unmatched';
      return {
        id: r.id,
        name: r.name,
        status: r.status,
        selected,
        changeable: operatorSkip || ['pending', 'failed', 'interrupted', 'attention'].includes(r.status),
        message: r.message,
      };
    }),
  };
}

/** The ids of a group's (or the given) files that `upload` would change: to leave out, or to bring back. */
export function selectableIds(
  ledger: Ledger,
  batchId: number,
  upload: boolean,
  target: { group?: ReviewGroup; itemIds?: number[] },
): number[] {
  const wanted = upload
    ? `status = 'skipped' AND reason IN ${OPERATOR_SKIP_SQL}`
    : `status IN ('pending', 'failed', 'interrupted', 'attention')`;
  if (target.group) {
    return ledger.db
      .prepare(`SELECT id FROM items WHERE ${GROUP_WHERE} AND ${wanted} ORDER BY seq`)
      .pluck()
      .all(groupParams(batchId, target.group)) as number[];
  }
  const ids = target.itemIds ?? [];
  const check = ledger.db.prepare(`SELECT 1 FROM items WHERE id = ? AND batch_id = ? AND ${wanted}`).pluck();
  return ids.filter((id) => check.get(id, batchId) !== undefined);
}

/**
 * The two bars of an upload: datasets whose files are all settled, out of those with files to send,
 * and the files of the dataset in flight (or the one last sent).
 */
export function uploadProgress(
  ledger: Ledger,
  batchId: number,
  experimentOf: (meta: Record<string, unknown>) => string,
): UploadProgressBars {
  const sets = ledger.db
    .prepare(
      `SELECT count(*) AS total, sum(CASE WHEN open = 0 THEN 1 ELSE 0 END) AS settled FROM (
         SELECT sum(CASE WHEN status IN ('pending', 'running') THEN 1 ELSE 0 END) AS open
         FROM items WHERE batch_id = ? AND status NOT IN ('skipped', 'unmatched')
           AND json_extract(meta, '$.subject') IS NOT NULL
         GROUP BY json_extract(meta, '$.subject'), json_extract(meta, '$.session'), json_extract(meta, '$.dataset'))`,
    )
    .get(batchId) as { total: number; settled: number | null };
  const current =
    (ledger.db
      .prepare(`SELECT meta FROM items WHERE batch_id = ? AND status = 'running' ORDER BY seq LIMIT 1`)
      .pluck()
      .get(batchId) as string | undefined) ??
    (ledger.db
      .prepare(
        `SELECT meta FROM items WHERE batch_id = ? AND status IN ('done', 'duplicate', 'failed', 'attention')
         ORDER BY updated_at DESC, id DESC LIMIT 1`,
      )
      .pluck()
      .get(batchId) as string | undefined);
  const bars: UploadProgressBars = {
    datasets: { total: sets.total, settled: sets.settled ?? 0 },
    current: null,
  };
  if (!current) return bars;
  const meta = JSON.parse(current) as Record<string, unknown>;
  const group = {
    subject: String(meta.subject ?? ''),
    session: String(meta.session ?? ''),
    dataset: String(meta.dataset ?? ''),
  };
  const files = ledger.db
    .prepare(
      `SELECT count(*) AS total,
        sum(CASE WHEN status IN ('done', 'duplicate') THEN 1 ELSE 0 END) AS settled,
        sum(CASE WHEN status IN ('failed', 'attention', 'interrupted') THEN 1 ELSE 0 END) AS problems
       FROM items WHERE ${GROUP_WHERE} AND status NOT IN ('skipped', 'unmatched')`,
    )
    .get(groupParams(batchId, group)) as { total: number; settled: number | null; problems: number | null };
  let experiment = group.session;
  try {
    experiment = experimentOf(meta);
  } catch {
    // The label needs a value this file lacks: the session value names it well enough here.
  }
  bars.current = {
    label: `${group.subject} / ${experiment} / ${group.dataset}`,
    total: files.total,
    settled: files.settled ?? 0,
    problems: files.problems ?? 0,
  };
  return bars;
}
