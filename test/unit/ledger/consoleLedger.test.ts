import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  beginBatchDeletion,
  finishBatchDeletion,
  unfinishedDeletions,
} from '../../../electron/engine/ledger/batchDeletion';
import { decideMatching } from '../../../electron/engine/ledger/bulkDecisions';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import type { ItemStatus } from '../../../shared/status';
import { folderBatch } from '../../support/folderBatch';
import { tempDir } from '../../support/tempDir';

function makeBatch(ledger: Ledger, name: string, n: number): number {
  const id = folderBatch(ledger, name);
  ledger.addItems(
    id,
    Array.from({ length: n }, (_, i) => ({
      key: `k${i}`,
      path: `/src/${name}/f${i}.dcm`,
      name: `${name}-file-${String(i).padStart(5, '0')}.dcm`,
      group: `G${i % 2}`,
    })),
  );
  return id;
}

function setStatus(ledger: Ledger, batchId: number, status: ItemStatus, where: string, extra = ''): void {
  ledger.db
    .prepare(`UPDATE items SET status = ?${extra} WHERE batch_id = ? AND ${where}`)
    .run(status, batchId);
  // Written behind the ledger's back (as another tool would): the counters are rebuilt.
  ledger.recount(batchId);
}

function trueCounts(ledger: Ledger, batchId: number): Record<string, number> {
  const rows = ledger.db
    .prepare('SELECT status, count(*) AS n FROM items WHERE batch_id = ? GROUP BY status')
    .all(batchId) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

describe('decisions over every item matching a filter', () => {
  let dir: ReturnType<typeof tempDir>;
  let ledger: Ledger;
  let batchId: number;
  beforeEach(() => {
    dir = tempDir();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
    batchId = makeBatch(ledger, 'b', 1_000);
    setStatus(ledger, batchId, 'failed', 'seq % 10 = 0', ", reason = 'http-503', attempts = 5");
    setStatus(
      ledger,
      batchId,
      'attention',
      'seq % 10 = 1',
      `, reason = CASE WHEN seq % 20 = 1 THEN 'name-conflict' ELSE 'licence' END, actions = CASE WHEN seq % 20 = 1 THEN '["rename","skip","approve"]' ELSE '["skip"]' END`,
    );
  });
  afterEach(() => {
    ledger.close();
    dir.cleanup();
  });

  it('retries every failed item, in chunks, each with its own decision row and event', async () => {
    const result = await decideMatching(
      ledger,
      { batchId, filter: { statuses: ['failed'] }, action: 'retry', note: 'server back', actor: 'ana' },
      { chunk: 7 },
    );
    expect(result).toEqual({ matched: 100, applied: 100, notAllowed: 0 });
    expect(trueCounts(ledger, batchId).failed).toBeUndefined();
    expect(nonZero(ledger.counts(batchId))).toEqual(trueCounts(ledger, batchId));
    const decisions = ledger.db
      .prepare(
        `SELECT count(*) FROM decisions WHERE action = 'retry' AND note = 'server back' AND actor = 'ana'`,
      )
      .pluck()
      .get();
    expect(decisions).toBe(100);
    const someFailed = ledger.db
      .prepare(`SELECT id FROM items WHERE seq = 10 AND batch_id = ?`)
      .pluck()
      .get(batchId) as number;
    const detail = ledger.detail(someFailed);
    expect(detail.item.status).toBe('pending');
    expect(detail.item.attempts).toBe(0);
    const last = detail.events[detail.events.length - 1]!;
    expect(last).toMatchObject({ kind: 'decision', status: 'pending', code: 'retry' });
    expect(last.message).toContain('server back');
    expect(last.data).toMatchObject({ actor: 'ana', from: 'failed', note: 'server back' });
  });

  it('approves only where the item offered it, and counts the rest as not allowed', async () => {
    const result = await decideMatching(ledger, {
      batchId,
      filter: { statuses: ['attention'] },
      action: 'approve',
      actor: 'ana',
    });
    expect(result).toEqual({ matched: 100, applied: 50, notAllowed: 50 });
    const approved = ledger.db
      .prepare(`SELECT count(*) FROM items WHERE json_extract(meta, '$.approved.reason') = 'name-conflict'`)
      .pluck()
      .get();
    expect(approved).toBe(50);
    expect(trueCounts(ledger, batchId).attention).toBe(50);
  });

  it('narrows by group, text and attention reason like the files table', async () => {
    const byReason = await decideMatching(ledger, {
      batchId,
      filter: { statuses: ['attention'], reason: 'licence' },
      action: 'skip',
      actor: 'ana',
    });
    expect(byReason).toEqual({ matched: 50, applied: 50, notAllowed: 0 });
    const byText = await decideMatching(ledger, {
      batchId,
      filter: { text: 'file-0000' },
      action: 'skip',
      actor: 'ana',
    });
    // file-00000 … file-00009: seq 1…10; seq 10 failed, seq 1 name-conflict, 2…9 pending.
    expect(byText).toEqual({ matched: 10, applied: 10, notAllowed: 0 });
    const byGroup = await decideMatching(ledger, {
      batchId,
      filter: { group: 'G1', statuses: ['failed'] },
      action: 'mark-done',
      actor: 'ana',
    });
    // failed items have seq % 10 = 0, i.e. index odd → G1; one of them (seq 10) was skipped above.
    expect(byGroup).toEqual({ matched: 99, applied: 99, notAllowed: 0 });
    expect(nonZero(ledger.counts(batchId))).toEqual(trueCounts(ledger, batchId));
  });
});

describe('deleting a batch', () => {
  let dir: ReturnType<typeof tempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = tempDir();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
  });
  afterEach(() => {
    ledger.close();
    dir.cleanup();
  });

  it('removes the batch, its items, events, decisions, counters and text index in chunks; others stay', async () => {
    const keep = makeBatch(ledger, 'keep', 300);
    const gone = makeBatch(ledger, 'gone', 2_345);
    ledger.indexText(100_000);
    const first = ledger.db
      .prepare('SELECT id FROM items WHERE batch_id = ? ORDER BY seq LIMIT 3')
      .pluck()
      .all(gone) as number[];
    ledger.decide({ batchId: gone, itemIds: first, action: 'skip', note: 'x', actor: 'ana' });
    ledger.batchEvent(gone, 'note', 'a batch event');
    const ftsBefore = ledger.db
      .prepare(`SELECT count(*) FROM items_text WHERE items_text MATCH '"gone-file"'`)
      .pluck()
      .get();
    expect(ftsBefore).toBe(2_345);

    expect(beginBatchDeletion(ledger, gone)).toBe(2_345);
    expect(ledger.batches.list().map((b) => b.name)).toEqual(['keep']);
    expect(unfinishedDeletions(ledger)).toEqual([gone]);
    let pauses = 0;
    const removed = await finishBatchDeletion(ledger, gone, {
      chunk: 500,
      pause: async () => {
        pauses++;
      },
    });
    expect(removed).toBe(2_345);
    expect(pauses).toBe(5);
    const count = (sql: string, ...args: unknown[]) =>
      ledger.db
        .prepare(sql)
        .pluck()
        .get(...args);
    expect(count('SELECT count(*) FROM items WHERE batch_id = ?', gone)).toBe(0);
    expect(count('SELECT count(*) FROM events WHERE batch_id = ?', gone)).toBe(0);
    expect(count('SELECT count(*) FROM decisions WHERE batch_id = ?', gone)).toBe(0);
    expect(count('SELECT count(*) FROM batch_counts WHERE batch_id = ?', gone)).toBe(0);
    expect(count('SELECT count(*) FROM batches WHERE id = ?', gone)).toBe(0);
    expect(count(`SELECT count(*) FROM items_text WHERE items_text MATCH '"gone-file"'`)).toBe(0);
    expect(count(`SELECT count(*) FROM items_text WHERE items_text MATCH '"keep-file"'`)).toBe(300);
    expect(unfinishedDeletions(ledger)).toEqual([]);
    expect(ledger.counts(keep).pending).toBe(300);
    // The name is free again.
    expect(() => makeBatch(ledger, 'gone', 1)).not.toThrow();
  });

  it('keeps the audit trail of other batches append-only', () => {
    const keep = makeBatch(ledger, 'keep', 3);
    expect(() => ledger.db.prepare('DELETE FROM events WHERE batch_id = ?').run(keep)).toThrow(/append-only/);
  });

  it('continues a deletion a crash interrupted', async () => {
    const gone = makeBatch(ledger, 'gone', 50);
    beginBatchDeletion(ledger, gone);
    ledger.close();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
    expect(unfinishedDeletions(ledger)).toEqual([gone]);
    expect(ledger.batches.list()).toEqual([]);
    await expect(finishBatchDeletion(ledger, gone)).resolves.toBe(50);
  });
});
