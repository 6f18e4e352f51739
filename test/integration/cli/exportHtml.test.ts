import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

describe('courier export --format html', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const run = (...args: string[]) => courier(['--db', db, ...args]);
  beforeAll(async () => {
    requireBuilt();
    expect((await run('dev-seed', '--items', '20000', '--batch', 'study <2024>')).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('writes a self-contained report and exits 0', async () => {
    const out = join(dir.path, 'report.html');
    const r = await run('export', '--batch', 'study <2024>', '--format', 'html', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Wrote the report of 'study <2024>'`);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>Batch report: study &lt;2024&gt;</title>');
    expect(html).toContain('<tfoot><tr><th scope="row">Total</th><td>20,000</td>');
    expect(html).toMatch(/and [\d,]+ more files with problems/);
    expect(html).toContain('<svg viewBox');
    expect(html).not.toMatch(/<script|<link|<img/i);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('keeps its usage errors: an unknown batch and an unknown format exit 2', async () => {
    const out = join(dir.path, 'none.html');
    expect((await run('export', '--batch', 'nope', '--format', 'html', '--out', out)).code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect((await run('export', '--batch', 'study <2024>', '--format', 'pdf', '--out', out)).code).toBe(2);
  });
});
