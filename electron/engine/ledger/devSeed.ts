import type { Ledger } from './ledger';

/**
 * Development only: fills the ledger with a realistic folder-to-archive batch of `count` items in mixed
 * statuses (subjects, sessions, series, reasons), generated inside SQLite so a million rows take seconds.
 * Status counters stay exact (moved in the same transaction as the rows); item histories hold one event each.
 */
export function seedDevBatch(ledger: Ledger, name: string, count: number): number {
  const batch = ledger.batches.create({
    name,
    sourceKind: 'folder',
    sourceConfig: { dir: '/archive/incoming/study-2024', includeHidden: false },
    targetKind: 'folder',
    targetConfig: { dir: '/archive/outgoing/study-2024' },
    settings: { concurrency: 4 },
  });
  const now = Date.now();
  const chunk = 100_000;
  const insert = ledger.db.prepare(`
    WITH RECURSIVE n(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @to),
    g AS (
      SELECT i,
        printf('SUBJ-%04d', i / 2000 + 1) AS subject,
        printf('SUBJ-%04d_%s%d', i / 2000 + 1, substr('CTMRPTCRUS', (i / 500 % 5) * 2 + 1, 2), i / 1000 % 2 + 1) AS session,
        CASE i / 100 % 8 WHEN 0 THEN 'AX T1' WHEN 1 THEN 'AX T2 FLAIR' WHEN 2 THEN 'COR T1 POST' WHEN 3 THEN 'SAG STIR'
          WHEN 4 THEN 'LUNG 1.25mm' WHEN 5 THEN 'SOFT TISSUE' WHEN 6 THEN 'DWI b1000' ELSE 'LOCALIZER' END AS series,
        printf('IM_%06d.dcm', i % 100000) AS file,
        (i * 2654435761) % 1000 AS r
      FROM n
    ),
    s AS (
      SELECT *, subject || '/' || session || '/' || series || '/' || file AS rel,
        CASE WHEN r < 800 THEN 'done' WHEN r < 900 THEN 'pending' WHEN r < 930 THEN 'failed' WHEN r < 950 THEN 'attention'
          WHEN r < 970 THEN 'skipped' WHEN r < 990 THEN 'duplicate' WHEN r < 995 THEN 'unmatched' ELSE 'interrupted' END AS status
      FROM g
    )
    INSERT INTO items(batch_id, seq, key, path, name, group_key, status, reason, message, actions, attempts, size, target, updated_at)
    SELECT @batchId, i + 1, rel, '/archive/incoming/study-2024/' || rel, rel, subject, status,
      CASE status WHEN 'failed' THEN (CASE i % 3 WHEN 0 THEN 'http-503' WHEN 1 THEN 'digest-mismatch' ELSE 'net-econnreset' END)
        WHEN 'attention' THEN (CASE i % 3 WHEN 0 THEN 'name-conflict' WHEN 1 THEN 'licence-unexpected' ELSE 'unsupported-format' END)
        WHEN 'skipped' THEN 'dose-info' WHEN 'duplicate' THEN 'duplicate' WHEN 'unmatched' THEN 'pattern'
        WHEN 'interrupted' THEN 'interrupted' END,
      CASE status WHEN 'failed' THEN (CASE i % 3
          WHEN 0 THEN 'Upload of the file: the server answered 503 (Service Unavailable) — gave up after 5 attempts'
          WHEN 1 THEN 'The server stored a different file: local MD5 3f2a… but the archive reports 9bc1…'
          ELSE 'Upload of the file: the connection was reset by the server (ECONNRESET)' END)
        WHEN 'attention' THEN (CASE i % 3
          WHEN 0 THEN 'A file with this name already exists with other content. Rename, skip or approve to overwrite.'
          WHEN 1 THEN 'The case page gives CC BY-SA 4.0 instead of CC BY-NC-SA 3.0; approve to upload it anyway.'
          ELSE 'The image is a BMP; convert it to PNG or skip it.' END)
        WHEN 'skipped' THEN 'DOSE_INFO image: skipped as xnatuploader does.'
        WHEN 'duplicate' THEN 'The same bytes are already on the target.'
        WHEN 'unmatched' THEN 'No path pattern matched (cell 2 expected {YYYY}{MM}{DD}).'
        WHEN 'interrupted' THEN 'Stopped while in flight.' END,
      CASE status WHEN 'attention' THEN (CASE i % 3 WHEN 0 THEN '["rename","skip","approve"]'
        WHEN 1 THEN '["approve","skip"]' ELSE '["convert","skip"]' END) END,
      CASE status WHEN 'pending' THEN 0 WHEN 'failed' THEN 5 ELSE 1 END,
      65536 + (i * 7919) % 460000,
      CASE status WHEN 'done' THEN '/archive/outgoing/study-2024/' || rel END,
      @now - (@to - i) * 50
    FROM s`);
  const counts = ledger.db.prepare(`INSERT INTO batch_counts(batch_id, status, n)
    SELECT batch_id, status, count(*) FROM items WHERE batch_id = ? AND seq > ? AND seq <= ? GROUP BY status
    ON CONFLICT(batch_id, status) DO UPDATE SET n = n + excluded.n`);
  const event = ledger.db.prepare(`INSERT INTO events(batch_id, item_id, at, kind, status, code, message)
    SELECT batch_id, id, updated_at, 'status', status, reason, coalesce(message, 'Seeded') FROM items WHERE batch_id = ? AND seq > ? AND seq <= ?`);
  for (let from = 0; from < count; from += chunk) {
    const to = Math.min(count, from + chunk);
    ledger.db.transaction(() => {
      insert.run({ from, to, batchId: batch.id, now });
      counts.run(batch.id, from, to);
      event.run(batch.id, from, to);
    })();
  }
  ledger.batches.markCollected(batch.id, `Seeded ${count} items for development.`);
  ledger.batches.setState(batch.id, 'paused', 'Seeded for development; not started.');
  return batch.id;
}
