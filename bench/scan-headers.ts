/**
 * Header-reading benchmark for scan pass 1: Courier's DICOM header reader next to pydicom
 * `dcmread(stop_before_pixels=True)` (Debian python3-pydicom, the reader xnatuploader uses) and next to
 * plain reads of the same header byte counts, over the same generated files in the same run.
 *
 *   npx tsx bench/scan-headers.ts            # 20,000 files
 *   BENCH_FILES=5000 npx tsx bench/scan-headers.ts
 *
 * Env: BENCH_FILES, BENCH_DIR (parent of the temp tree), BENCH_KEEP=1 (keep the tree), BENCH_PYTHON.
 * The last line printed is one JSON object with the figures.
 */
import { closeSync, mkdtempSync, openSync, read, readSync, close, open, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDicomTree, runPydicom } from './dicomTree';
import type { GeneratedFile } from './dicomTree';
import { DicomHeaderReader } from '../electron/engine/sources/folder/dicomHeader';

const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const ROUNDS = 5;
const CONCURRENCY = 16;

function time(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Wall seconds and this process's CPU seconds (less sensitive to other load on the machine). */
function timeWithCpu(fn: () => void): { wall: number; cpu: number } {
  const cpuBefore = process.cpuUsage();
  const wall = time(fn);
  const cpu = process.cpuUsage(cpuBefore);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function best(values: number[]): number {
  return Math.min(...values);
}

function plainReadSync(files: GeneratedFile[]): void {
  const buffer = Buffer.allocUnsafe(8192);
  for (const file of files) {
    const fd = openSync(file.path, 'r');
    readSync(fd, buffer, 0, file.headerBytes, 0);
    closeSync(fd);
  }
}

async function plainReadAsync(files: GeneratedFile[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    const buffer = Buffer.allocUnsafe(8192);
    while (next < files.length) {
      const file = files[next++] as GeneratedFile;
      await new Promise<void>((resolve, reject) =>
        open(file.path, 'r', (e, fd) => {
          if (e) return reject(e);
          read(fd, buffer, 0, file.headerBytes, 0, (readError) =>
            close(fd, () => (readError ? reject(readError) : resolve())),
          );
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function courierSync(reader: DicomHeaderReader, files: GeneratedFile[]): void {
  for (const file of files) {
    const header = reader.readSync(file.path);
    if (header.fields.Modality !== 'CT') throw new Error(`unexpected header in ${file.path}`);
  }
}

async function courierAsync(reader: DicomHeaderReader, files: GeneratedFile[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as GeneratedFile;
      const header = await reader.read(file.path);
      if (header.fields.Modality !== 'CT') throw new Error(`unexpected header in ${file.path}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function rate(files: number, seconds: number): number {
  return Math.round(files / seconds);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'courier-bench-headers-'));
  try {
    let files: GeneratedFile[] = [];
    const generation = time(() => (files = generateDicomTree(join(root, 'tree'), FILES)));
    const totalHeader = files.reduce((sum, f) => sum + f.headerBytes, 0);
    console.log(`Generated ${files.length} files in ${generation.toFixed(1)} s under ${root}`);
    console.log(`  mean header ${Math.round(totalHeader / files.length)} B; pixel data 64–512 KiB per file`);

    plainReadSync(files); // warm the page cache for every contender alike
    const reader = new DicomHeaderReader(
      process.env.BENCH_CHUNK ? { chunkBytes: Number(process.env.BENCH_CHUNK) } : {},
    );
    const plainSync: number[] = [];
    const plainAsync: number[] = [];
    const ourSync: number[] = [];
    const ourAsync: number[] = [];
    const plainCpu: number[] = [];
    const ourCpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const plain = timeWithCpu(() => plainReadSync(files));
      plainSync.push(plain.wall);
      plainCpu.push(plain.cpu);
      const ours = timeWithCpu(() => courierSync(reader, files));
      ourSync.push(ours.wall);
      ourCpu.push(ours.cpu);
      plainAsync.push(await timeAsync(() => plainReadAsync(files)));
      ourAsync.push(await timeAsync(() => courierAsync(reader, files)));
    }
    const pydicom = runPydicom(files, join(root, 'files.txt'));

    const n = files.length;
    const rows: [string, number | undefined][] = [
      ['Courier header reader, sync (one thread)', rate(n, best(ourSync))],
      [`Courier header reader, async (${CONCURRENCY} in flight)`, rate(n, best(ourAsync))],
      ['Plain fs reads of the header bytes, sync', rate(n, best(plainSync))],
      [`Plain fs reads of the header bytes, async (${CONCURRENCY} in flight)`, rate(n, best(plainAsync))],
      [
        `pydicom ${pydicom?.version ?? '(not installed)'} dcmread(stop_before_pixels=True)`,
        pydicom ? rate(n, pydicom.seconds) : undefined,
      ],
    ];
    console.log('');
    console.log(`${'Reader'.padEnd(64)}${'files/s'.padStart(12)}`);
    console.log('-'.repeat(76));
    for (const [name, value] of rows)
      console.log(`${name.padEnd(64)}${(value?.toLocaleString('en-US') ?? 'n/a').padStart(12)}`);
    const courier = rate(n, best(ourSync));
    const plain = rate(n, best(plainSync));
    const py = pydicom ? rate(n, pydicom.seconds) : null;
    const cpuUs = (seconds: number): number => Math.round((seconds / n) * 1e7) / 10;
    const summary = {
      bench: 'scan-headers',
      files: n,
      courier_files_per_s: courier,
      pydicom_files_per_s: py,
      plain_read_files_per_s: plain,
      ratio_vs_pydicom: py ? Number((courier / py).toFixed(2)) : null,
      ratio_vs_plain: Number((courier / plain).toFixed(2)),
      courier_async_files_per_s: rate(n, best(ourAsync)),
      plain_read_async_files_per_s: rate(n, best(plainAsync)),
      ratio_async_vs_plain_async: Number((best(plainAsync) / best(ourAsync)).toFixed(2)),
      courier_cpu_us_per_file: cpuUs(best(ourCpu)),
      plain_read_cpu_us_per_file: cpuUs(best(plainCpu)),
      mode: `sync, page cache warm, best of ${ROUNDS} (pydicom best of 2)`,
    };
    console.log('');
    console.log(
      `CPU per file (this process, best round): Courier ${cpuUs(best(ourCpu))} µs, plain read ${cpuUs(best(plainCpu))} µs; ` +
        `fast path ${reader.stats.fast}, dicom-parser ${reader.stats.full} reads.`,
    );
    console.log(
      `Goal: >= 5x pydicom (${summary.ratio_vs_pydicom ?? 'n/a'}x) and >= 50% of plain reads (${Math.round(summary.ratio_vs_plain * 100)}%).`,
    );
    console.log(JSON.stringify(summary));
  } finally {
    if (process.env.BENCH_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  }
}

await main();
