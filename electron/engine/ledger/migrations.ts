import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { CourierError } from '../../../shared/errors';

/** Versioned schema changes; append only: a released migration is never edited. */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source_kind TEXT NOT NULL,
  source_config TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_config TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'idle',
  version INTEGER NOT NULL DEFAULT 0,
  collected INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);

CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  group_key TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending',
  reason TEXT,
  message TEXT,
  actions TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  size INTEGER,
  sha1 TEXT,
  md5 TEXT,
  target TEXT,
  meta TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX items_key ON items(batch_id, key);
CREATE UNIQUE INDEX items_seq ON items(batch_id, seq);
CREATE INDEX items_status ON items(batch_id, status, seq);
CREATE INDEX items_name ON items(batch_id, name, id);
CREATE INDEX items_path ON items(batch_id, path, id);
CREATE INDEX items_group ON items(batch_id, group_key, seq);
CREATE INDEX items_size ON items(batch_id, size, id);
CREATE INDEX items_updated ON items(batch_id, updated_at, id);
CREATE INDEX items_reason ON items(batch_id, reason, id);
CREATE INDEX items_running ON items(status) WHERE status = 'running';

-- Substring search over names (trigram). Filled behind the writes by the text indexer, up to
-- text_index_state.indexed_upto; the few newest rows above it are searched with LIKE.
CREATE VIRTUAL TABLE items_text USING fts5(name, content='items', content_rowid='id', tokenize='trigram');
CREATE TABLE text_index_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL);
INSERT INTO text_index_state(id, indexed_upto) VALUES (1, 0);

CREATE TABLE batch_counts (
  batch_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (batch_id, status)
) WITHOUT ROWID;

-- Counters change in the same statement as the item, so they can never drift.
CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
  INSERT INTO batch_counts(batch_id, status, n) VALUES (NEW.batch_id, NEW.status, 1)
    ON CONFLICT(batch_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
  UPDATE batch_counts SET n = n - 1 WHERE batch_id = OLD.batch_id AND status = OLD.status;
END;
CREATE TRIGGER items_ad_text AFTER DELETE ON items
  WHEN OLD.id <= (SELECT indexed_upto FROM text_index_state) BEGIN
  INSERT INTO items_text(items_text, rowid, name) VALUES ('delete', OLD.id, OLD.name);
END;
CREATE TRIGGER items_au_status AFTER UPDATE OF status ON items WHEN OLD.status <> NEW.status BEGIN
  UPDATE batch_counts SET n = n - 1 WHERE batch_id = OLD.batch_id AND status = OLD.status;
  INSERT INTO batch_counts(batch_id, status, n) VALUES (NEW.batch_id, NEW.status, 1)
    ON CONFLICT(batch_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER items_au_text AFTER UPDATE OF name ON items
  WHEN OLD.name <> NEW.name AND OLD.id <= (SELECT indexed_upto FROM text_index_state) BEGIN
  INSERT INTO items_text(items_text, rowid, name) VALUES ('delete', OLD.id, OLD.name);
  INSERT INTO items_text(rowid, name) VALUES (NEW.id, NEW.name);
END;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL,
  item_id INTEGER,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT,
  code TEXT,
  message TEXT,
  data TEXT
);
CREATE INDEX events_item ON events(item_id, id) WHERE item_id IS NOT NULL;
-- The audit trail is append-only: rows go only together with their batch.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  WHEN EXISTS (SELECT 1 FROM batches WHERE id = OLD.batch_id) BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  item_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  note TEXT,
  new_name TEXT,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX decisions_item ON decisions(item_id);

CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  ciphertext BLOB NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'batch deletion',
    sql: `
-- A batch being deleted: hidden from the list while its items go in small transactions, and its
-- audit trail may go with it.
CREATE TABLE batch_deletions (batch_id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL);
DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  WHEN EXISTS (SELECT 1 FROM batches WHERE id = OLD.batch_id)
    AND NOT EXISTS (SELECT 1 FROM batch_deletions WHERE batch_id = OLD.batch_id) BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE INDEX events_batch ON events(batch_id, id) WHERE item_id IS NULL;
`,
  },
  {
    version: 3,
    name: 'status counters kept by the ledger',
    sql: `
-- Status changes now move the counters once per transaction (see statusCounts.ts): a row trigger cost
-- about as much as the update itself. Inserts and deletes keep their triggers.
DROP TRIGGER items_au_status;
`,
  },
  {
    version: 4,
    name: 'status counters kept by the ledger on insert',
    sql: `
-- New items now add to the counters once per status and transaction, as status changes do: the row
-- trigger cost about as much as the rest of the insert. Deletes keep theirs.
DROP TRIGGER items_ai;
`,
  },
  {
    version: 5,
    name: 'running items found through the status index',
    sql: `
-- Every move into or out of running also wrote this index (one more page per runner turn); the one
-- lookup of running items, after a crash, goes through items_status, batch by batch.
DROP INDEX items_running;
`,
  },
];

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

/** Brings the database to the newest schema in one transaction, refusing a ledger from a newer version. */
export function migrate(db: Database, now: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Map(
    (
      db.prepare('SELECT version, checksum FROM schema_migrations').all() as {
        version: number;
        checksum: string;
      }[]
    ).map((r) => [r.version, r.checksum]),
  );
  const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  const newestApplied = Math.max(0, ...applied.keys());
  if (newestApplied > newest) {
    throw new CourierError({
      code: 'ledger-too-new',
      message: `This ledger was written by a newer Imaging Courier (schema ${newestApplied}, this one knows ${newest}); update the app to open it.`,
    });
  }
  const apply = db.transaction(() => {
    for (const m of MIGRATIONS) {
      const known = applied.get(m.version);
      if (known !== undefined) {
        if (known !== checksum(m.sql)) {
          throw new CourierError({
            code: 'ledger-migration-changed',
            message: `Ledger migration ${m.version} (${m.name}) differs from the one applied to this ledger.`,
          });
        }
        continue;
      }
      db.exec(m.sql);
      db.prepare(
        'INSERT INTO schema_migrations(version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
      ).run(m.version, m.name, checksum(m.sql), now);
    }
  });
  apply.immediate();
}
