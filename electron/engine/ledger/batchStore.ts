import type { Database, Statement } from 'better-sqlite3';
import { CourierError } from '../../../shared/errors';
import { emptyCounts } from '../../../shared/status';
import type { BatchState, ItemStatus, StatusCounts } from '../../../shared/status';

/** A batches row, with its JSON columns parsed. */
export interface BatchRecord {
  id: number;
  name: string;
  sourceKind: string;
  sourceConfig: Record<string, unknown>;
  targetKind: string;
  targetConfig: Record<string, unknown>;
  settings: { concurrency?: number; maxAttempts?: number };
  state: BatchState;
  version: number;
  collected: boolean;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

interface BatchRow {
  id: number;
  name: string;
  source_kind: string;
  source_config: string;
  target_kind: string;
  target_config: string;
  settings: string;
  state: BatchState;
  version: number;
  collected: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

function toRecord(r: BatchRow): BatchRecord {
  return {
    id: r.id,
    name: r.name,
    sourceKind: r.source_kind,
    sourceConfig: JSON.parse(r.source_config) as Record<string, unknown>,
    targetKind: r.target_kind,
    targetConfig: JSON.parse(r.target_config) as Record<string, unknown>,
    settings: JSON.parse(r.settings) as BatchRecord['settings'],
    state: r.state,
    version: r.version,
    collected: r.collected === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export interface NewBatch {
  name: string;
  sourceKind: string;
  sourceConfig: Record<string, unknown>;
  targetKind: string;
  targetConfig: Record<string, unknown>;
  settings?: BatchRecord['settings'];
}

/** Batches and their status counters. */
export class BatchStore {
  private readonly stmts: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly changed: (batchId: number) => void,
  ) {
    this.stmts = {
      insert:
        db.prepare(`INSERT INTO batches(name, source_kind, source_config, target_kind, target_config, settings, created_at, updated_at)
        VALUES (@name, @sourceKind, @sourceConfig, @targetKind, @targetConfig, @settings, @now, @now)`),
      byId: db.prepare('SELECT * FROM batches WHERE id = ?'),
      byName: db.prepare('SELECT * FROM batches WHERE name = ?'),
      all: db.prepare(
        'SELECT * FROM batches WHERE id NOT IN (SELECT batch_id FROM batch_deletions) ORDER BY id DESC',
      ),
      bump: db.prepare('UPDATE batches SET version = version + 1, updated_at = ? WHERE id = ?'),
      counts: db.prepare('SELECT status, n FROM batch_counts WHERE batch_id = ?'),
      state: db.prepare(`UPDATE batches SET state = @state, version = version + 1, updated_at = @now,
        started_at = CASE WHEN @state = 'running' THEN coalesce(started_at, @now) ELSE started_at END,
        finished_at = CASE WHEN @state = 'finished' THEN @now WHEN @state = 'running' THEN NULL ELSE finished_at END
        WHERE id = @id`),
      settings: db.prepare(
        'UPDATE batches SET target_config = ?, settings = ?, version = version + 1, updated_at = ? WHERE id = ?',
      ),
      collected: db.prepare(
        'UPDATE batches SET collected = 1, version = version + 1, updated_at = ? WHERE id = ?',
      ),
      event: db.prepare(`INSERT INTO events(batch_id, item_id, at, kind, status, code, message, data)
        VALUES (?, NULL, ?, 'batch', NULL, ?, ?, NULL)`),
    };
  }

  create(batch: NewBatch): BatchRecord {
    if (this.stmts.byName!.get(batch.name)) {
      throw new CourierError({
        code: 'batch-exists',
        message: `A batch named '${batch.name}' already exists; choose another name.`,
      });
    }
    const now = this.now();
    const id = this.db.transaction(() => {
      const r = this.stmts.insert!.run({
        name: batch.name,
        sourceKind: batch.sourceKind,
        sourceConfig: JSON.stringify(batch.sourceConfig),
        targetKind: batch.targetKind,
        targetConfig: JSON.stringify(batch.targetConfig),
        settings: JSON.stringify(batch.settings ?? {}),
        now,
      });
      const batchId = Number(r.lastInsertRowid);
      this.stmts.event!.run(
        batchId,
        now,
        'created',
        `Batch created: ${batch.sourceKind} → ${batch.targetKind}`,
      );
      return batchId;
    })();
    return this.require(id);
  }

  get(id: number): BatchRecord | undefined {
    const row = this.stmts.byId!.get(id) as BatchRow | undefined;
    return row && toRecord(row);
  }

  byName(name: string): BatchRecord | undefined {
    const row = this.stmts.byName!.get(name) as BatchRow | undefined;
    return row && toRecord(row);
  }

  require(id: number): BatchRecord {
    const batch = this.get(id);
    if (!batch)
      throw new CourierError({ code: 'batch-not-found', message: `There is no batch ${id} in this ledger.` });
    return batch;
  }

  requireByName(name: string): BatchRecord {
    const batch = this.byName(name);
    if (!batch) {
      throw new CourierError({
        code: 'batch-not-found',
        message: `There is no batch named '${name}' in this ledger.`,
      });
    }
    return batch;
  }

  list(): BatchRecord[] {
    return (this.stmts.all!.all() as BatchRow[]).map(toRecord);
  }

  counts(batchId: number): StatusCounts {
    const counts = emptyCounts();
    for (const r of this.stmts.counts!.all(batchId) as { status: ItemStatus; n: number }[])
      counts[r.status] = r.n;
    return counts;
  }

  /** Records that the batch changed (its version is what clients compare). Call inside a transaction. */
  bump(batchId: number, now: number): void {
    this.stmts.bump!.run(now, batchId);
  }

  setState(id: number, state: BatchState, message: string): BatchRecord {
    const now = this.now();
    this.db.transaction(() => {
      this.stmts.state!.run({ id, state, now });
      this.stmts.event!.run(id, now, state, message);
    })();
    this.changed(id);
    return this.require(id);
  }

  /** Replaces the batch's target settings and run settings (the source stays as it was listed). */
  updateTarget(id: number, targetConfig: Record<string, unknown>, settings: BatchRecord['settings']): void {
    this.stmts.settings!.run(JSON.stringify(targetConfig), JSON.stringify(settings), this.now(), id);
    this.changed(id);
  }

  markCollected(id: number, message: string): void {
    const now = this.now();
    this.db.transaction(() => {
      this.stmts.collected!.run(now, id);
      this.stmts.event!.run(id, now, 'collected', message);
    })();
    this.changed(id);
  }
}
