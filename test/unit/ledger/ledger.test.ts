import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDevBatch } from '../../../electron/engine/ledger/devSeed';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import type { ItemDraft } from '../../../electron/engine/ledger/ledger';
import { MIGRATIONS } from '../../../electron/engine/ledger/migrations';
import { ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus } from '../../../shared/status';
import { folderBatch } from '../../support/folderBatch';
import { testCipher } from '../../support/testCipher';
import { tempDir } from '../../support/tempDir';

function drafts(n: number, prefix = 'f'): ItemDraft[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}${i}`,
    path: `/src/${prefix}${i}.dcm`,
    name: `${prefix}-${String(i).padStart(5, '0')}.dcm`,
    group: `G${i % 3}`,
    size: i,
  }));
}

function groupCounts(ledger: Ledger, batchId: number): Record<string, number> {
  const rows = ledger.db
    .prepare('SELECT status, count(*) AS n FROM items WHERE batch_id = ? GROUP BY status')
    .all(batchId) as {
    status: ItemStatus;
    n: number;
  }[];
  const out: Record<string, number> = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0]));
  for (const r of rows) out[r.status] = r.n;
  return out;
}

describe('ledger', () => {
  let dir: ReturnType<typeof tempDir>;
  let ledger: Ledger;
  let batchId: number;
  beforeEach(() => {
    dir = tempDir();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
    batchId = folderBatch(ledger, 'b');
  });
  afterEach(() => {
    ledger.close();
    dir.cleanup();
  });

  it('applies every migration once, records it, and opens again without reapplying', () => {
    const applied = ledger.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
    ledger.close();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
    expect(ledger.db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    expect(ledger.batches.byName('b')?.id).toBe(batchId);
  });

  it('refuses a ledger written by a newer schema', () => {
    ledger.db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 0)").run();
    ledger.close();
    expect(() => Ledger.open(join(dir.path, 'l.sqlite'))).toThrow(/newer Imaging Courier/);
    ledger = Ledger.open(join(dir.path, 'other.sqlite'));
  });

  it('lists items idempotently by key and keeps counters exact', () => {
    expect(ledger.addItems(batchId, drafts(10))).toBe(10);
    expect(ledger.addItems(batchId, drafts(12))).toBe(2);
    expect(ledger.counts(batchId).pending).toBe(12);
    const seqs = ledger.db
      .prepare('SELECT seq FROM items WHERE batch_id = ? ORDER BY seq')
      .pluck()
      .all(batchId);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('counts new items by their status, a key listed again not at all, in every batch', () => {
    const other = folderBatch(ledger, 'other');
    const mixed = drafts(30).map((d, i): ItemDraft => {
      if (i % 5 === 1) return { ...d, status: 'skipped', reason: 'dose-info' };
      if (i % 5 === 2) return { ...d, status: 'unmatched', reason: 'no-pattern-match' };
      return d;
    });
    expect(ledger.addItems(batchId, mixed.slice(0, 20))).toBe(20);
    // The first ten again (already listed) with ten new ones, some skipped, some unmatched.
    expect(ledger.addItems(batchId, mixed.slice(0, 10).concat(mixed.slice(20)))).toBe(10);
    expect(ledger.addItems(other, mixed.slice(0, 7))).toBe(7);
    expect(ledger.counts(batchId)).toEqual(groupCounts(ledger, batchId));
    expect(ledger.counts(batchId)).toMatchObject({ pending: 18, skipped: 6, unmatched: 6 });
    expect(ledger.counts(other)).toEqual(groupCounts(ledger, other));
    expect(ledger.counts(other)).toMatchObject({ pending: 4, skipped: 2, unmatched: 1 });
  });

  it('a development seed keeps the counters exact', () => {
    const seeded = seedDevBatch(ledger, 'seeded', 2_500);
    expect(ledger.counts(seeded)).toEqual(groupCounts(ledger, seeded));
    expect(Object.values(ledger.counts(seeded)).reduce((a, b) => a + b, 0)).toBe(2_500);
  });

  it('claims runnable items, records outcomes with events, and counts them', () => {
    ledger.addItems(batchId, drafts(5));
    const claimed = ledger.claim(batchId, 3);
    expect(claimed.map((c) => c.seq)).toEqual([1, 2, 3]);
    expect(ledger.counts(batchId).running).toBe(3);
    ledger.record(batchId, [
      { itemId: claimed[0]!.id, status: 'done', attempts: 1, target: '/t/1', sha1: 'aa' },
      {
        itemId: claimed[1]!.id,
        status: 'failed',
        reason: 'http-503',
        message: 'busy',
        attempts: 1,
        nextAttemptAt: 10,
      },
      {
        itemId: claimed[2]!.id,
        status: 'attention',
        reason: 'name-conflict',
        actions: ['rename', 'skip', 'approve'],
        attempts: 1,
      },
    ]);
    expect(ledger.counts(batchId)).toMatchObject(groupCounts(ledger, batchId));
    const detail = ledger.detail(claimed[2]!.id);
    expect(detail.item.actions).toEqual(
      expect.arrayContaining(['rename', 'skip', 'approve', 'retry', 'mark-done']),
    );
    expect(detail.events.map((e) => e.kind)).toEqual(['attempt', 'status']);
    // A failed item is claimed again only once its retry time has come.
    expect(ledger.nextRetryAt(batchId)).toBe(10);
  });

  it('settles a runner turn in one transaction: outcomes written, freed slots claimed, counted once', () => {
    ledger.addItems(batchId, drafts(6));
    const first = ledger.claim(batchId, 2);
    const version = () => ledger.batches.require(batchId).version;
    const before = version();
    const changes: (number[] | 'many')[] = [];
    const stop = ledger.onChange((_batch, ids) => changes.push(ids));
    const next = ledger.settle(
      batchId,
      [
        { itemId: first[0]!.id, status: 'done', attempts: 1 },
        // Failed and due at once: the same turn may claim it again, and the counters still add up.
        { itemId: first[1]!.id, status: 'failed', reason: 'http-503', attempts: 1, nextAttemptAt: 0 },
      ],
      3,
    );
    stop();
    expect(next.map((c) => c.seq)).toEqual([2, 3, 4]);
    expect(ledger.counts(batchId)).toMatchObject({ ...groupCounts(ledger, batchId), done: 1, running: 3 });
    expect(version() - before).toBe(1);
    expect(changes).toEqual([[first[0]!.id, first[1]!.id, ...next.map((c) => c.id)]]);
    expect(ledger.detail(first[1]!.id).events.map((e) => e.kind)).toEqual(['attempt', 'status', 'attempt']);
    // Nothing to write and no slot to fill: no transaction, no change.
    expect(ledger.settle(batchId, [], 0)).toEqual([]);
    expect(version() - before).toBe(1);
  });

  it('keeps, replaces and clears an item’s reason as its outcomes say, within one transaction too', () => {
    ledger.addItems(batchId, drafts(1));
    const [item] = ledger.claim(batchId, 1);
    const reasonOf = () => ledger.detail(item!.id).item.reason;
    ledger.record(batchId, [{ itemId: item!.id, status: 'failed', reason: 'http-503', attempts: 1 }]);
    ledger.record(batchId, [{ itemId: item!.id, status: 'failed', reason: 'http-503', attempts: 2 }]);
    expect(reasonOf()).toBe('http-503');
    ledger.record(batchId, [
      { itemId: item!.id, status: 'failed', reason: 'net-econnreset', attempts: 3 },
      { itemId: item!.id, status: 'attention', reason: 'http-503', attempts: 3 },
    ]);
    expect(reasonOf()).toBe('http-503');
    ledger.record(batchId, [{ itemId: item!.id, status: 'done', attempts: 4 }]);
    expect(reasonOf()).toBeNull();
    const rows = ledger.db
      .prepare('SELECT reason, count(*) AS n FROM items WHERE batch_id = ? GROUP BY reason')
      .all(batchId);
    expect(rows).toEqual([{ reason: null, n: 1 }]);
    expect(ledger.counts(batchId)).toMatchObject(groupCounts(ledger, batchId));
  });
  it('writes every field an outcome carries and leaves the others as they were', () => {
    ledger.addItems(batchId, drafts(1));
    const [item] = ledger.claim(batchId, 1);
    const row = () =>
      ledger.db
        .prepare(
          'SELECT status, reason, message, actions, attempts, next_attempt_at, name, target, size, sha1, md5, meta FROM items WHERE id = ?',
        )
        .get(item!.id);
    ledger.record(batchId, [
      {
        itemId: item!.id,
        status: 'attention',
        reason: 'name-conflict',
        message: 'a file of that name is there',
        actions: ['rename', 'skip'],
        attempts: 2,
        nextAttemptAt: 99,
        name: 'renamed.dcm',
        target: '/t/renamed.dcm',
        size: 1234,
        sha1: 'ab',
        md5: 'cd',
        meta: { page: 'https://example.org/a' },
      },
    ]);
    expect(row()).toEqual({
      status: 'attention',
      reason: 'name-conflict',
      message: 'a file of that name is there',
      actions: '["rename","skip"]',
      attempts: 2,
      next_attempt_at: 99,
      name: 'renamed.dcm',
      target: '/t/renamed.dcm',
      size: 1234,
      sha1: 'ab',
      md5: 'cd',
      meta: '{"page":"https://example.org/a"}',
    });
    // Status, reason, message and next attempt are always written; the rest only when given (meta merged).
    ledger.record(batchId, [{ itemId: item!.id, status: 'done', meta: { license: 'CC BY-NC-SA' } }]);
    expect(row()).toEqual({
      status: 'done',
      reason: null,
      message: null,
      actions: '["rename","skip"]',
      attempts: 2,
      next_attempt_at: null,
      name: 'renamed.dcm',
      target: '/t/renamed.dcm',
      size: 1234,
      sha1: 'ab',
      md5: 'cd',
      meta: '{"page":"https://example.org/a","license":"CC BY-NC-SA"}',
    });
    expect(() => ledger.record(batchId, [{ itemId: item!.id + 1, status: 'done' }])).toThrow(/not in batch/);
  });

  it('returns the items a crash left running to pending, in every batch, each with an event', () => {
    const other = folderBatch(ledger, 'other');
    ledger.addItems(batchId, drafts(4));
    ledger.addItems(other, drafts(3, 'o'));
    const running = [...ledger.claim(batchId, 2), ...ledger.claim(other, 3)].map((c) => c.id);
    ledger.record(batchId, [{ itemId: running[0]!, status: 'done', attempts: 1 }]);
    ledger.close();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
    expect(ledger.counts(batchId)).toMatchObject({ done: 1, running: 0, pending: 3 });
    expect(ledger.counts(other)).toMatchObject({ running: 0, pending: 3 });
    expect(ledger.counts(other)).toEqual(groupCounts(ledger, other));
    for (const id of running.slice(1)) {
      expect(ledger.detail(id).events.map((e) => e.kind)).toEqual(['attempt', 'recovered']);
    }
    expect(ledger.detail(running[0]!).events.map((e) => e.kind)).toEqual(['attempt', 'status']);
  });

  it('keeps the event trail append-only', () => {
    ledger.addItems(batchId, drafts(1));
    const [item] = ledger.claim(batchId, 1);
    expect(() =>
      ledger.db.prepare('UPDATE events SET message = ? WHERE item_id = ?').run('changed', item!.id),
    ).toThrow(/append-only/);
    expect(() => ledger.db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
  });

  it('applies operator decisions where allowed, refuses them elsewhere, and records each', () => {
    ledger.addItems(batchId, drafts(3));
    const [a, b, c] = ledger.claim(batchId, 3);
    ledger.record(batchId, [
      { itemId: a!.id, status: 'attention', reason: 'name-conflict', actions: ['rename', 'skip'] },
      { itemId: b!.id, status: 'done' },
      { itemId: c!.id, status: 'failed', reason: 'http-500' },
    ]);
    const renamed = ledger.decide({
      batchId,
      itemIds: [a!.id],
      action: 'rename',
      newName: 'new.dcm',
      note: 'clash',
      actor: 'ana',
    });
    expect(renamed).toEqual({ applied: 1, refused: [] });
    const afterRename = ledger.item(a!.id)!;
    expect(afterRename).toMatchObject({ status: 'pending', name: 'new.dcm', attempts: 0 });
    const retryDone = ledger.decide({ batchId, itemIds: [b!.id, c!.id], action: 'retry', actor: 'ana' });
    expect(retryDone.applied).toBe(1);
    expect(retryDone.refused).toEqual([{ itemId: b!.id, reason: "'retry' is not possible for a done item" }]);
    const approve = ledger.decide({ batchId, itemIds: [c!.id], action: 'approve', actor: 'ana' });
    expect(approve.refused[0]?.reason).toMatch(/not possible/);
    const decisions = ledger.db
      .prepare('SELECT action, note, new_name, actor FROM decisions ORDER BY id')
      .all();
    expect(decisions).toEqual([
      { action: 'rename', note: 'clash', new_name: 'new.dcm', actor: 'ana' },
      { action: 'retry', note: null, new_name: null, actor: 'ana' },
    ]);
    expect(ledger.detail(a!.id).events.at(-1)).toMatchObject({
      kind: 'decision',
      code: 'rename',
      status: 'pending',
    });
    expect(ledger.counts(batchId)).toMatchObject(groupCounts(ledger, batchId));
  });

  it('refuses a second runner on the same ledger while the first is alive', () => {
    expect(() => Ledger.open(join(dir.path, 'l.sqlite'))).toThrow(/Another Imaging Courier/);
    const reader = Ledger.open(join(dir.path, 'l.sqlite'), { role: 'reader' });
    expect(reader.batches.list()).toHaveLength(1);
    reader.close();
  });

  it('sums attention items by reason with the actions they allow', () => {
    ledger.addItems(batchId, drafts(4));
    const items = ledger.claim(batchId, 4);
    ledger.record(
      batchId,
      items.map((it, i) => ({
        itemId: it.id,
        status: 'attention' as const,
        reason: i < 3 ? 'licence' : 'sign-in',
        actions: ['approve' as const, 'skip' as const],
      })),
    );
    const groups = ledger.attentionSummary(batchId);
    expect(groups.map((g) => [g.reason, g.count])).toEqual([
      ['licence', 3],
      ['sign-in', 1],
    ]);
    expect(groups[0]!.actions).toContain('approve');
  });

  it('stores secrets as ciphertext only', async () => {
    const { SecretVault } = await import('../../../electron/engine/secretVault');
    const vault = new SecretVault(ledger.db, testCipher());
    expect(await vault.put('xnat:https://x.org', 'hunter2-secret')).toBe(true);
    expect(await vault.get('xnat:https://x.org')).toBe('hunter2-secret');
    ledger.db.pragma('wal_checkpoint(TRUNCATE)');
    const raw = new Database(join(dir.path, 'l.sqlite'), { readonly: true });
    const blob = raw.prepare('SELECT ciphertext FROM secrets').pluck().get() as Buffer;
    raw.close();
    expect(blob.includes(Buffer.from('hunter2-secret'))).toBe(false);
    const plainVault = new SecretVault(ledger.db, null);
    expect(await plainVault.put('wiki', 'pw')).toBe(false);
    expect(ledger.db.prepare("SELECT count(*) FROM secrets WHERE name = 'wiki'").pluck().get()).toBe(0);
  });
  it('keeps the status counters exact through every kind of status change, and rebuilds them on open', () => {
    const other = folderBatch(ledger, 'other');
    ledger.addItems(batchId, drafts(300));
    ledger.addItems(other, drafts(40, 'o'));
    // A small deterministic generator, so a failure can be replayed.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes: ItemStatus[] = ['done', 'failed', 'attention', 'skipped', 'duplicate', 'unmatched'];
    for (let round = 0; round < 60; round++) {
      const b = round % 4 === 0 ? other : batchId;
      const claimed = ledger.claim(b, 1 + random(25));
      // Outcomes, sometimes two for the same item in one transaction.
      const picked = claimed.filter(() => random(3) > 0);
      const list = picked.map((c) => {
        const status = outcomes[random(outcomes.length)]!;
        return {
          itemId: c.id,
          status,
          attempts: 1,
          reason: status === 'done' ? null : 'r',
          nextAttemptAt: status === 'failed' ? 0 : null,
          actions: status === 'attention' ? (['retry', 'skip', 'approve'] as const).slice() : undefined,
        };
      });
      if (list.length > 1) list.push({ ...list[0]!, status: 'done', reason: null, nextAttemptAt: null });
      ledger.record(b, list);
      const leftRunning = claimed.filter((c) => !picked.includes(c)).map((c) => c.id);
      if (random(2) === 0) ledger.interrupt(b, leftRunning, 'stopped');
      const attention = ledger.db
        .prepare("SELECT id FROM items WHERE batch_id = ? AND status IN ('attention', 'failed') LIMIT 5")
        .pluck()
        .all(b) as number[];
      if (attention.length > 0) {
        const action = (['retry', 'skip', 'approve', 'mark-done'] as const)[random(4)]!;
        ledger.decide({ batchId: b, itemIds: attention, action, actor: 't' });
      }
      expect(ledger.counts(b)).toEqual(groupCounts(ledger, b));
    }
    expect(ledger.counts(batchId)).toEqual(groupCounts(ledger, batchId));
    expect(ledger.counts(other)).toEqual(groupCounts(ledger, other));
    expect(ledger.counts(batchId).running).toBeGreaterThan(0);

    // Another tool edits the file; the next runner to open it (which also returns crashed items to
    // pending) counts again.
    ledger.db.prepare("UPDATE items SET status = 'skipped' WHERE batch_id = ? AND seq <= 10").run(batchId);
    ledger.close();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'));
    expect(ledger.counts(batchId)).toEqual(groupCounts(ledger, batchId));
    expect(ledger.counts(batchId).running).toBe(0);
    expect(ledger.counts(other)).toEqual(groupCounts(ledger, other));
  });
});
