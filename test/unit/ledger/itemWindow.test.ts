import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import type { WindowQuery } from '../../../electron/engine/ledger/itemWindow';
import { folderBatch } from '../../support/folderBatch';
import { tempDir } from '../../support/tempDir';

const N = 30_000;

describe('windowed item queries', () => {
  const dir = tempDir();
  let ledger: Ledger;
  let batchId: number;
  let clock = 1_000;

  beforeAll(() => {
    ledger = Ledger.open(join(dir.path, 'w.sqlite'), { now: () => clock });
    batchId = folderBatch(ledger, 'w');
    const drafts = Array.from({ length: N }, (_, i) => ({
      key: `k${i}`,
      path: `/in/${i}`,
      // Names in reverse order of seq so that sorting by name differs from the default order.
      name: `scan-${String(N - i).padStart(6, '0')}${i % 1000 === 7 ? '-needle' : ''}.dcm`,
      group: `S${i % 10}`,
      size: (i * 7919) % 10_000,
    }));
    ledger.addItems(batchId, drafts);
    const claimed = ledger.claim(batchId, N);
    ledger.record(
      batchId,
      claimed.map((c, i) => ({
        itemId: c.id,
        status: i % 10 === 0 ? ('failed' as const) : ('done' as const),
      })),
    );
  });
  afterAll(() => {
    ledger.close();
    dir.cleanup();
  });

  const q = (over: Partial<WindowQuery>): WindowQuery => ({
    batchId,
    filter: {},
    sort: { column: 'seq', direction: 'asc' },
    offset: 0,
    limit: 50,
    ...over,
  });

  it('returns the first, a deep and the last window in order, with the total from the counters', () => {
    const first = ledger.window(q({}));
    expect(first.total).toBe(N);
    expect(first.rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const deep = ledger.window(q({ offset: 15_000 }));
    expect(deep.rows[0]!.seq).toBe(15_001);
    expect(deep.rows).toHaveLength(50);
    const last = ledger.window(q({ offset: N - 50 }));
    expect(last.rows.map((r) => r.seq).at(-1)).toBe(N);
    expect(last.rows[0]!.seq).toBe(N - 49);
  });

  it('sorts on any column, both directions, at both ends and in the middle', () => {
    const byName = ledger.window(q({ sort: { column: 'name', direction: 'asc' } }));
    expect(byName.rows[0]!.name).toBe('scan-000001.dcm');
    const byNameDesc = ledger.window(
      q({ sort: { column: 'name', direction: 'desc' }, offset: N - 1, limit: 1 }),
    );
    expect(byNameDesc.rows[0]!.name).toBe('scan-000001.dcm');
    const middle = ledger.window(
      q({ sort: { column: 'size', direction: 'asc' }, offset: 12_345, limit: 100 }),
    );
    const sizes = middle.rows.map((r) => r.size ?? 0);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
  });

  it('sorts by tries (no index) at both ends, and shows new tries once the view has aged', () => {
    const idOf = (seq: number) => ledger.window(q({ offset: seq - 1, limit: 1 })).rows[0]!.id;
    const [a, b, c, d] = [100, 200, 300, 400].map(idOf) as [number, number, number, number];
    ledger.record(batchId, [
      { itemId: a, status: 'done', attempts: 3 },
      { itemId: b, status: 'done', attempts: 5 },
      { itemId: c, status: 'done', attempts: 4 },
    ]);
    const top = ledger.window(q({ sort: { column: 'attempts', direction: 'desc' }, limit: 3 }));
    expect(top.rows.map((r) => [r.id, r.attempts])).toEqual([
      [b, 5],
      [c, 4],
      [a, 3],
    ]);
    const bottom = ledger.window(
      q({ sort: { column: 'attempts', direction: 'asc' }, offset: N - 3, limit: 3 }),
    );
    expect(bottom.rows.map((r) => r.id)).toEqual([a, c, b]);
    expect(bottom.total).toBe(N);
    ledger.record(batchId, [{ itemId: d, status: 'done', attempts: 9 }]);
    clock += 10_000;
    const again = ledger.window(q({ sort: { column: 'attempts', direction: 'desc' }, limit: 2 }));
    expect(again.rows.map((r) => r.id)).toEqual([d, b]);
  });

  it('filters by status, group and text with exact totals', () => {
    const failed = ledger.window(q({ filter: { statuses: ['failed'] } }));
    expect(failed.total).toBe(N / 10);
    expect(failed.rows.every((r) => r.status === 'failed')).toBe(true);
    const lastFailed = ledger.window(q({ filter: { statuses: ['failed'] }, offset: N / 10 - 10, limit: 50 }));
    expect(lastFailed.rows).toHaveLength(10);
    const group = ledger.window(q({ filter: { group: 'S3', statuses: ['done'] } }));
    expect(group.total).toBe(N / 10);
    expect(group.rows.every((r) => r.group === 'S3' && r.status === 'done')).toBe(true);
    // Half the rows indexed for search, half not yet: both halves are found.
    ledger.indexText(N / 2);
    const needle = ledger.window(q({ filter: { text: 'needle' }, limit: 1000 }));
    expect(needle.total).toBe(N / 1000);
    expect(needle.rows.every((r) => r.name.includes('needle'))).toBe(true);
    const short = ledger.window(q({ filter: { text: '-0' } }));
    expect(short.total).toBe(N);
  });

  it('rebuilds a deep materialised window when the batch changed and the view has aged', () => {
    const query = q({ filter: { statuses: ['failed'] }, offset: 2_000, limit: 5 });
    const before = ledger.window(query);
    const target = before.rows[0]!;
    ledger.decide({ batchId, itemIds: [target.id], action: 'skip', actor: 't' });
    clock += 10_000;
    const after = ledger.window(query);
    expect(after.total).toBe(before.total - 1);
    expect(after.rows.map((r) => r.id)).not.toContain(target.id);
  });
});
