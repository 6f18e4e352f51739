import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import { folderBatch } from '../../support/folderBatch';
import { tempDir } from '../../support/tempDir';

const CHILD = join(process.cwd(), 'test', 'support', 'ledgerChild.ts');

function child(args: string[]) {
  // Node itself with the tsx loader (not the tsx wrapper), so SIGKILL hits the process holding the ledger.
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const said = (word: string) =>
    new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes(word)) resolve();
      });
      proc.once('exit', (code) =>
        out.includes(word) ? resolve() : reject(new Error(`child exited ${code}`)),
      );
    });
  return { proc, said };
}

describe('ledger across processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let batchId: number;
  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'l.sqlite');
    const ledger = Ledger.open(file);
    batchId = folderBatch(ledger, 'b');
    ledger.addItems(
      batchId,
      Array.from({ length: 2_000 }, (_, i) => ({ key: `k${i}`, path: `/p${i}`, name: `n${i}` })),
    );
    ledger.close();
  });
  afterEach(() => dir.cleanup());

  it('returns items a killed process left running to pending, with an event saying so', async () => {
    const c = child(['claim', file, String(batchId), '7']);
    await c.said('claimed');
    c.proc.kill('SIGKILL');
    await once(c.proc, 'exit');

    const ledger = Ledger.open(file);
    try {
      expect(ledger.counts(batchId)).toMatchObject({ running: 0, pending: 2_000 });
      const recovered = ledger.db
        .prepare("SELECT count(*) FROM events WHERE kind = 'recovered'")
        .pluck()
        .get();
      expect(recovered).toBe(7);
    } finally {
      ledger.close();
    }
  });

  it('keeps status counters exact while two processes change statuses at the same time', async () => {
    const a = child(['churn', file, String(batchId), '1']);
    const b = child(['churn', file, String(batchId), '2']);
    await Promise.all([a.said('done'), b.said('done')]);
    const ledger = Ledger.open(file, { role: 'reader' });
    try {
      const actual = ledger.db
        .prepare('SELECT status, count(*) AS n FROM items WHERE batch_id = ? GROUP BY status')
        .all(batchId) as { status: string; n: number }[];
      const counts = ledger.counts(batchId);
      for (const r of actual) expect(counts[r.status as keyof typeof counts]).toBe(r.n);
      expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(2_000);
      const changes = ledger.db.prepare("SELECT count(*) FROM events WHERE kind = 'status'").pluck().get();
      expect(changes).toBe(2 * 40 * 250);
    } finally {
      ledger.close();
    }
  });
});
