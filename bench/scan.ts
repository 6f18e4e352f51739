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
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../electron/engine/engine';
import { DEFAULT_CONFIG } from '../electron/engine/reports/xnatWorkbook';
import type { ItemDraft } from '../electron/engine/ledger/ledger';
import { dicomFolderSource } from '../electron/engine/sources/dicomFolder/dicomFolderSource';
import { runListingPass } from '../electron/engine/sources/dicomFolder/listingPass';
import { configFromWorkbook, dicomFolderConfig } from '../electron/engine/sources/dicomFolder/sourceConfig';
import type { TransferSyntaxName } from '../test/fixtures/dicomFactory';
import { writeDicomFile } from '../test/fixtures/dicomFactory';

const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface GeneratedFile {
  path: string;
  headerBytes: number;
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/**
 * xnatuploader's README layout: `NAME-ID/YYYYMMDD/Series/IMnnnnnn.dcm`, 100 images a series, 10 series
 * a subject. Pixel data is a sparse hole of 64–512 KiB (the files have their real sizes, without filling
 * the disk); only the header is ever read.
 */
function generate(root: string, count: number): GeneratedFile[] {
  const random = seededRandom(20_240_312);
  const files: GeneratedFile[] = [];
  for (let i = 0; i < count; i++) {
    const subject = Math.floor(i / 1000);
    const series = Math.floor(i / 100) % 10;
    const dir = join(root, `DOE^SUBJECT${subject}-${100000 + subject}`, '20200312', `Series ${series + 1}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const roll = random();
    const transferSyntax: TransferSyntaxName =
      roll < 0.7 ? 'explicitLittle' : roll < 0.95 ? 'implicitLittle' : 'explicitBig';
    const headerBytes = 2048 + 2 * Math.floor(random() * 1024);
    const pixelBytes = 65_536 + 2 * Math.floor((random() * (512 * 1024 - 65_536)) / 2);
    const path = join(dir, `IM${String(i).padStart(6, '0')}.dcm`);
    const written = writeDicomFile(path, {
      transferSyntax,
      headerBytes,
      pixelBytes,
      pixelFill: 'sparse',
      tags: {
        SeriesNumber: String(series + 1),
        SeriesDescription: `Series ${series + 1}`,
        InstanceNumber: String(i % 100),
        PatientID: String(100000 + subject),
      },
    });
    files.push({ path, headerBytes: written.headerBytes });
  }
  return files;
}

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
async function listingOnly(tree: string): Promise<ItemDraft[]> {
  const drafts: ItemDraft[] = [];
  const ctx = { signal: new AbortController().signal, progress: () => undefined } as unknown as Parameters<
    typeof dicomFolderSource.collect
  >[1];
  for await (const chunk of dicomFolderSource.collect(dicomFolderConfig.parse(sourceConfig(tree)), ctx)) {
    drafts.push(...chunk);
  }
  return drafts;
}

const PYDICOM_SCRIPT = `
import json, sys, time
import pydicom
paths = open(sys.argv[1], encoding='utf-8').read().splitlines()
keys = ['Modality', 'SeriesNumber', 'StudyDescription', 'StudyDate', 'Manufacturer',
        'ManufacturerModelName', 'StationName', 'ImageType', 'EncapsulatedDocument']
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    for p in paths:
        ds = pydicom.dcmread(p, stop_before_pixels=True)
        values = [ds.get(k) for k in keys]
        if values[0] != 'CT':
            raise SystemExit('unexpected header in ' + p)
    times.append(time.perf_counter() - started)
print(json.dumps({'seconds': min(times), 'version': pydicom.__version__}))
`;

function runPydicom(
  files: GeneratedFile[],
  listPath: string,
): { seconds: number; version: string } | undefined {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => !!c,
  );
  const python = candidates.find(
    (p) => spawnSync(p, ['-c', 'import pydicom'], { stdio: 'ignore' }).status === 0,
  );
  if (!python) return undefined;
  writeFileSync(listPath, files.map((f) => f.path).join('\n'));
  const run = spawnSync(python, ['-c', PYDICOM_SCRIPT, listPath, '2'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`pydicom run failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; version: string };
}

const rate = (files: number, s: number): number => Math.round(files / s);

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'courier-bench-scan-'));
  const engine = new Engine({ dbFile: join(root, 'ledger.sqlite'), dataDir: root, mode: 'cli' });
  try {
    const tree = join(root, 'tree');
    let files: GeneratedFile[] = [];
    const generation = seconds(() => (files = generate(tree, FILES)));
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
      listing.push(await secondsAsync(async () => void (drafts = await listingOnly(tree))));
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
