/**
 * Scan benchmark (pass 1 of the XNAT upload): Courier's whole scan through the engine — folder walk, path
 * patterns, DICOM header reads, guards, mappings, visit numbers and the ledger inserts — next to pydicom
 * `dcmread(stop_before_pixels=True)` (Debian python3-pydicom, the reader xnatuploader uses) and to plain
 * reads of the same header bytes, over the same generated tree in the same run.
 *
 *   npx tsx bench/scan.ts                 # 20,000 files
 *   BENCH_FILES=5000 npx tsx bench/scan.ts
 *
 * Env: BENCH_FILES, BENCH_DIR (parent of the temp tree), BENCH_KEEP=1, BENCH_PYTHON, BENCH_ROUNDS (3).
 * The last line printed is one JSON object with the figures.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDicomTree, runPydicom } from './dicomTree';
import type { GeneratedFile } from './dicomTree';
import { Engine } from '../electron/engine/engine';
import { DEFAULT_CONFIG } from '../electron/engine/reports/xnatWorkbook';
import type { ItemDraft } from '../electron/engine/ledger/ledger';
import { dicomFolderSource } from '../electron/engine/sources/dicomFolder/dicomFolderSource';
import { runListingPass } from '../electron/engine/sources/dicomFolder/listingPass';
import { configFromWorkbook, dicomFolderConfig } from '../electron/engine/sources/dicomFolder/sourceConfig';

const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function seconds(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function secondsAsync(fn: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function plainReads(files: GeneratedFile[]): void {
  const buffer = Buffer.allocUnsafe(8192);
  for (const file of files) {
    const fd = openSync(file.path, 'r');
    readSync(fd, buffer, 0, file.headerBytes, 0);
    closeSync(fd);
  }
}

function sourceConfig(tree: string) {
  return configFromWorkbook(DEFAULT_CONFIG, { dir: tree, workbook: join(tree, '..', 'bench.xlsx') });
}

function newBatch(engine: Engine, tree: string, name: string): number {
  return engine.ledger.batches.create({
    name,
    sourceKind: 'dicom-folder',
    sourceConfig: sourceConfig(tree),
    targetKind: 'xnat',
    targetConfig: {},
  }).id;
}

/** One scan as `courier scan` runs it: a new batch, the listing pass, every file into the ledger. */
async function courierScan(engine: Engine, tree: string, round: number): Promise<number> {
  const batch = { id: newBatch(engine, tree, `scan-${round}`) };
  await runListingPass(engine.ledger, engine.adapters, batch.id);
  return engine.ledger.counts(batch.id).pending;
}

/** The source's listing alone (walk, patterns, headers, guards, mappings, visits), without the ledger. */
async function listingOnly(tree: string, workDir: string): Promise<ItemDraft[]> {
  const drafts: ItemDraft[] = [];
  const ctx = {
    signal: new AbortController().signal,
    progress: () => undefined,
    workDir,
  } as unknown as Parameters<typeof dicomFolderSource.collect>[1];
  for await (const chunk of dicomFolderSource.collect(dicomFolderConfig.parse(sourceConfig(tree)), ctx)) {
    drafts.push(...chunk);
  }
  return drafts;
}

const rate = (files: number, s: number): number => Math.round(files / s);

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'courier-bench-scan-'));
  const engine = new Engine({ dbFile: join(root, 'ledger.sqlite'), dataDir: root, mode: 'cli' });
  try {
    const tree = join(root, 'tree');
    let files: GeneratedFile[] = [];
    const generation = seconds(() => (files = generateDicomTree(tree, FILES)));
    console.log(`Generated ${files.length} files in ${generation.toFixed(1)} s under ${root}`);
    console.log(
      '  headers 2–4 KiB, pixel data 64–512 KiB (sparse), 70% explicit LE, 25% implicit LE, 5% big endian',
    );

    plainReads(files); // the page cache holds every header for every contender alike
    const plain: number[] = [];
    const courier: number[] = [];
    const listing: number[] = [];
    const inserts: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(seconds(() => plainReads(files)));
      let drafts: ItemDraft[] = [];
      listing.push(
        await secondsAsync(async () => void (drafts = await listingOnly(tree, join(root, 'listing-work')))),
      );
      const batchId = newBatch(engine, tree, `insert-${round}`);
      inserts.push(seconds(() => void engine.ledger.addItems(batchId, drafts)));
      let listed = 0;
      courier.push(await secondsAsync(async () => void (listed = await courierScan(engine, tree, round))));
      if (listed !== files.length)
        throw new Error(`the scan listed ${listed} files, expected ${files.length}`);
    }
    const pydicom = runPydicom(files, join(root, 'files.txt'));

    const n = files.length;
    const ours = rate(n, Math.min(...courier));
    const plainRate = rate(n, Math.min(...plain));
    const py = pydicom ? rate(n, pydicom.seconds) : null;
    const listingRate = rate(n, Math.min(...listing));
    const insertRate = rate(n, Math.min(...inserts));
    const rows: [string, number | null][] = [
      ['Courier scan through the engine (walk, patterns, headers, ledger)', ours],
      ['  of which: the listing alone (walk, patterns, headers; no ledger)', listingRate],
      ['  of which: ledger inserts alone (the same drafts, one transaction)', insertRate],
      ['Plain reads of the same header bytes (known list, no walk)', plainRate],
      [`pydicom ${pydicom?.version ?? '(not installed)'} dcmread(stop_before_pixels=True), known list`, py],
    ];
    console.log('');
    console.log(`${'Pass 1 over the same files'.padEnd(72)}${'files/s'.padStart(10)}`);
    console.log('-'.repeat(82));
    for (const [name, value] of rows)
      console.log(`${name.padEnd(72)}${(value?.toLocaleString('en-US') ?? 'n/a').padStart(10)}`);
    const summary = {
      bench: 'scan',
      files: n,
      courier_files_per_s: ours,
      pydicom_files_per_s: py,
      plain_read_files_per_s: plainRate,
      ratio_vs_pydicom: py ? Number((ours / py).toFixed(2)) : null,
      ratio_vs_plain: Number((ours / plainRate).toFixed(2)),
      courier_listing_files_per_s: listingRate,
      ledger_insert_rows_per_s: insertRate,
      ratio_listing_vs_plain: Number((listingRate / plainRate).toFixed(2)),
      baseline_files_per_s: py,
      ratio: py ? Number((ours / py).toFixed(2)) : null,
      mode: `page cache warm, best of ${ROUNDS} (pydicom best of 2)`,
    };
    console.log('');
    console.log(
      `Goal: >= 5x pydicom (${summary.ratio_vs_pydicom ?? 'n/a'}x) and >= 50% of plain reads (${Math.round(summary.ratio_vs_plain * 100)}%).`,
    );
    console.log(JSON.stringify(summary));
  } finally {
    await engine.close();
    if (process.env.BENCH_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  }
}

await main();
