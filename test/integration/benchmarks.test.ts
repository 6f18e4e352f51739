// Every benchmark in bench/ runs to the end at a tiny size and prints its figures: a benchmark that no
// longer runs (an API it uses changed under it) fails here rather than on the day someone measures.
// No figure is judged: timing goals are the benchmarks' business, not the tests'.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tempDir';

const ROOT = join(import.meta.dirname, '..', '..');

/** Tiny sizes for each benchmark, and figures its JSON line must carry as positive numbers. */
const SMALL: Record<string, { env: Record<string, string>; figures: string[] }> = {
  ledger: {
    env: { BENCH_ITEMS: '5000', BENCH_UPDATES: '2000' },
    figures: ['insert_per_s', 'status_updates_per_s', 'status_updates_in_order_per_s', 'rss_mb'],
  },
  scan: {
    env: { BENCH_FILES: '200', BENCH_ROUNDS: '1' },
    figures: [
      'courier_files_per_s',
      'courier_listing_files_per_s',
      'ledger_insert_rows_per_s',
      'plain_read_files_per_s',
    ],
  },
  'scan-headers': { env: { BENCH_FILES: '200' }, figures: ['courier_files_per_s', 'plain_read_files_per_s'] },
  upload: {
    env: { BENCH_FILES: '40', BENCH_ROUNDS: '1' },
    figures: ['courier_files_per_s', 'curl_files_per_s'],
  },
  download: {
    env: { BENCH_FILES: '20', BENCH_BYTES: '20000000', BENCH_ROUNDS: '1' },
    figures: ['courier_s', 'curl_s', 'unzip_s'],
  },
  isic: {
    env: { BENCH_IMAGES: '200', BENCH_ROUNDS: '1' },
    figures: ['courier_images_per_s', 'baseline_images_per_s'],
  },
  radiopaedia: { env: { BENCH_IMAGES: '20', BENCH_ROUNDS: '1' }, figures: ['courier_s', 'baseline_s'] },
  wiki: {
    env: { BENCH_FILES: '10', BENCH_ROUNDS: '1' },
    figures: ['courier_files_per_s', 'baseline_files_per_s'],
  },
  ui: {
    env: { BENCH_ITEMS: '2000' },
    figures: ['updates_per_s', 'courier_scroll_fps', 'first_paint_ms_median'],
  },
};

/** Modules in bench/ that benchmarks import, not benchmarks themselves. */
const HELPERS = new Set(['dicomTree.ts', 'processCpu.ts']);

let work: { path: string; cleanup(): void };
beforeAll(() => {
  work = tempDir('courier-bench-smoke-');
});
afterAll(() => work?.cleanup());

function runBench(
  name: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('bench', `${name}.ts`)],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, BENCH_DIR: work.path, TMPDIR: work.path },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('benchmarks at a tiny size', () => {
  it('cover every benchmark in bench/', () => {
    const benches = readdirSync(join(ROOT, 'bench'))
      .filter((f) => f.endsWith('.ts') && !HELPERS.has(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(benches).toEqual(Object.keys(SMALL).sort());
  });

  for (const [name, { env, figures }] of Object.entries(SMALL)) {
    it(`${name} runs to the end and prints its figures`, async () => {
      const { code, stdout, stderr } = await runBench(name, env);
      expect(code, stderr).toBe(0);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      const summary = JSON.parse(last) as Record<string, unknown>;
      expect(summary.bench).toBe(name);
      for (const figure of figures) {
        expect(summary[figure], figure).toEqual(expect.any(Number));
        expect(summary[figure] as number, figure).toBeGreaterThan(0);
      }
    }, 180_000);
  }
});
