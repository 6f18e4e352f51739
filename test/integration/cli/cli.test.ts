import { mkdirSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

describe('courier command', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const run = (...args: string[]) => courier(['--db', db, ...args]);
  beforeAll(() => requireBuilt());
  afterAll(() => dir.cleanup());

  it('seeds a development batch and reports status as text and as JSON', async () => {
    const seeded = await run('dev-seed', '--items', '5000', '--batch', 'demo');
    expect(seeded.code).toBe(0);
    const status = await run('status', '--json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      batches: { name: string; kind: string; total: number; counts: Record<string, number> }[];
    };
    expect(parsed.batches).toHaveLength(1);
    const [batch] = parsed.batches;
    expect(batch).toMatchObject({ name: 'demo', kind: 'folder→folder', total: 5000 });
    expect(Object.values(batch!.counts).reduce((a, b) => a + b, 0)).toBe(5000);
    expect(batch!.counts.failed).toBeGreaterThan(0);
    const text = await run('status');
    expect(text.stdout).toMatch(/^demo \[paused\] folder → folder: 5000 files/m);
  });

  it('exports every item as JSON, CSV and XLSX with the promised fields', async () => {
    const json = join(dir.path, 'demo.json');
    expect((await run('export', '--batch', 'demo', '--format', 'json', '--out', json)).code).toBe(0);
    const rows = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>[];
    expect(rows).toHaveLength(5000);
    for (const key of ['path', 'status', 'reason', 'message', 'target', 'size', 'sha1', 'md5', 'meta'])
      expect(rows[0]).toHaveProperty(key);
    expect(
      rows
        .filter((r) => r.status === 'failed')
        .every((r) => typeof r.message === 'string' && typeof r.reason === 'string'),
    ).toBe(true);

    const csv = join(dir.path, 'demo.csv');
    expect((await run('export', '--batch', 'demo', '--format', 'csv', '--out', csv)).code).toBe(0);
    const records = parse(readFileSync(csv), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(5000);
    expect(records[42]!.path).toBe(rows[42]!.path);

    const xlsx = join(dir.path, 'demo.xlsx');
    expect((await run('export', '--batch', 'demo', '--format', 'xlsx', '--out', xlsx)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.getWorksheet('Files')!.rowCount).toBe(5001);
  });

  it('copies a folder with checksums, exits 0, and a second run sends nothing again', async () => {
    const from = join(dir.path, 'in');
    mkdirSync(join(from, 'SUBJ-1', 'series'), { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(from, 'SUBJ-1', 'series', `img${i}.dcm`), `image ${i}`);
    const to = join(dir.path, 'out');
    const first = await run('copy', '--from', from, '--to', to, '--batch', 'copy1');
    expect(first.code).toBe(0);
    expect(readFileSync(join(to, 'SUBJ-1', 'series', 'img7.dcm'), 'utf8')).toBe('image 7');
    const second = await run('copy', '--from', from, '--to', to, '--batch', 'copy1');
    expect(second.code).toBe(0);
    const json = join(dir.path, 'copy1.json');
    await run('export', '--batch', 'copy1', '--format', 'json', '--out', json);
    const rows = JSON.parse(readFileSync(json, 'utf8')) as { status: string; sha1: string; md5: string }[];
    expect(rows).toHaveLength(12);
    expect(
      rows.every((r) => r.status === 'done' && /^[0-9a-f]{40}$/.test(r.sha1) && /^[0-9a-f]{32}$/.test(r.md5)),
    ).toBe(true);
  });

  it('exits 1 when files fail, names them, and retry sends them once the cause is gone', async () => {
    const from = join(dir.path, 'in2');
    mkdirSync(from);
    writeFileSync(join(from, 'ok.txt'), 'fine');
    writeFileSync(join(from, 'locked.txt'), 'secret');
    chmodSync(join(from, 'locked.txt'), 0o000);
    const to = join(dir.path, 'out2');
    const readable = (() => {
      try {
        readFileSync(join(from, 'locked.txt'));
        return true;
      } catch {
        return false;
      }
    })();
    if (readable) {
      // Running as root: make the destination unwritable for one file instead.
      mkdirSync(join(to, 'locked.txt'), { recursive: true });
    }
    const first = await run('copy', '--from', from, '--to', to, '--batch', 'copy2');
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/1 failed|1 need attention/);
    chmodSync(join(from, 'locked.txt'), 0o644);
    if (readable) {
      const { rmSync } = await import('node:fs');
      rmSync(join(to, 'locked.txt'), { recursive: true });
    }
    const retried = await run('retry', '--batch', 'copy2');
    expect(retried.code).toBe(0);
    expect(existsSync(join(to, 'locked.txt'))).toBe(true);
  });

  it('exits 2 for usage and configuration errors with a sentence', async () => {
    expect((await run('status', '--batch', 'nope')).code).toBe(2);
    expect((await run('export', '--batch', 'demo', '--format', 'pdf', '--out', 'x')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    const missing = await run(
      'copy',
      '--from',
      join(dir.path, 'missing'),
      '--to',
      join(dir.path, 'o3'),
      '--batch',
      'copy3',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
