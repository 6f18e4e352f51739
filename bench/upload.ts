/**
 * Upload benchmark (pass 2): Courier's upload of a scanned folder to the XNAT emulator — running as a
 * separate process — through the engine (ledger, runner, one PUT per file, MD5 checked against XNAT's
 * digest) next to `curl` PUTs of the same files at the same concurrency over kept-alive connections.
 *
 *   npx tsx bench/upload.ts               # 5,000 files
 *   BENCH_FILES=1000 npx tsx bench/upload.ts
 *
 * Also printed: the CPU time per file of Courier, of curl and of the emulator during each side's round.
 *
 * Env: BENCH_FILES, BENCH_CONCURRENCY (4), BENCH_ROUNDS (2), BENCH_MIN_KB / BENCH_MAX_KB (file sizes,
 * 64–512), BENCH_DIR, BENCH_KEEP=1. The last line printed is one JSON object with the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { XnatClient } from '../electron/engine/clients/xnat/xnatClient';
import { Engine } from '../electron/engine/engine';
import { DEFAULT_CONFIG } from '../electron/engine/reports/xnatWorkbook';
import { runListingPass } from '../electron/engine/sources/dicomFolder/listingPass';
import { configFromWorkbook } from '../electron/engine/sources/dicomFolder/sourceConfig';
import { closeXnatConnections } from '../electron/engine/targets/xnat/xnatConnections';
import { writeDicomFile } from '../test/fixtures/dicomFactory';
import { childrenCpuMs, processCpuMs } from './processCpu';

const FILES = Number(process.env.BENCH_FILES ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const MIN_BYTES = Number(process.env.BENCH_MIN_KB ?? 64) * 1024;
const MAX_BYTES = Number(process.env.BENCH_MAX_KB ?? 512) * 1024;
const USER = { user: 'courier', password: 'courier-password' };
const PER_SERIES = 100;
const SERIES_PER_SUBJECT = 10;

interface BenchFile {
  path: string;
  name: string;
  subject: number;
  series: number;
  size: number;
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** `NAME-ID/YYYYMMDD/Series N/IMnnnnnn.dcm`, 100 images a series, real bytes (they are sent). */
function generate(root: string): BenchFile[] {
  const random = seededRandom(5_000);
  const files: BenchFile[] = [];
  for (let i = 0; i < FILES; i++) {
    const subject = Math.floor(i / (PER_SERIES * SERIES_PER_SUBJECT));
    const series = (Math.floor(i / PER_SERIES) % SERIES_PER_SUBJECT) + 1;
    const dir = join(root, `DOE^SUBJECT${subject}-${100000 + subject}`, '20200312', `Series ${series}`);
    if (i % PER_SERIES === 0) mkdirSync(dir, { recursive: true });
    const name = `IM${String(i).padStart(6, '0')}.dcm`;
    const path = join(dir, name);
    const pixelBytes = MIN_BYTES + 2 * Math.floor((random() * (MAX_BYTES - MIN_BYTES)) / 2);
    const written = writeDicomFile(path, {
      headerBytes: 2048 + 2 * Math.floor(random() * 1024),
      pixelBytes,
      tags: { SeriesNumber: String(series), InstanceNumber: String(i), SOPInstanceUID: `1.2.3.${i}` },
    });
    files.push({ path, name, subject, series, size: written.totalBytes });
  }
  return files;
}

async function startEmulator(): Promise<{ process: ChildProcess; url: string; control: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('test', 'servers', 'xnat', 'main.ts'), '--storage', 'disk', '--project', 'P1'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const started = JSON.parse(line) as { url: string; control: string };
    return { process: child, ...started };
  }
  throw new Error('the emulator did not start');
}

async function controlStats(control: string): Promise<{ filePuts: number; requests: number }> {
  return (await (await fetch(`${control}/stats`)).json()) as { filePuts: number; requests: number };
}

/**
 * Courier: one batch per round (a new experiment label, so nothing is already there), run to its end.
 * Returns the seconds and this process's CPU time in ms per file (the emulator runs in another).
 */
async function courierRound(
  engine: Engine,
  tree: string,
  url: string,
  round: number,
): Promise<{ seconds: number; cpuMsPerFile: number }> {
  const batch = engine.ledger.batches.create({
    name: `upload-${round}`,
    sourceKind: 'dicom-folder',
    sourceConfig: configFromWorkbook(DEFAULT_CONFIG, { dir: tree, workbook: join(tree, '..', 'bench.xlsx') }),
    targetKind: 'xnat',
    targetConfig: {
      server: url,
      project: 'P1',
      experimentLabel: `R${round}_{Subject}_{Modality}{visit}`,
      verify: true,
    },
    settings: { concurrency: CONCURRENCY },
  });
  await runListingPass(engine.ledger, engine.adapters, batch.id);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await engine.runToEnd(batch.id);
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counts = engine.ledger.counts(batch.id);
  if (counts.done !== FILES) throw new Error(`Courier round ${round}: ${JSON.stringify(counts)}`);
  return { seconds, cpuMsPerFile: (used.user + used.system) / 1000 / FILES };
}

/**
 * curl: the same files with one `curl --parallel` over kept-alive connections, into hierarchy made
 * beforehand. Returns the seconds and curl's CPU time in ms per file (null where it cannot be read).
 */
async function curlRound(
  files: BenchFile[],
  url: string,
  dir: string,
  round: number,
): Promise<{ seconds: number; cpuMsPerFile: number | null }> {
  const client = await XnatClient.connect({ server: url, username: USER.user, password: USER.password });
  const experiment = (subject: number) => `CURL${round}_${subject}`;
  try {
    for (const f of files) {
      if (f.series !== 1 || f.path !== files.find((g) => g.subject === f.subject)?.path) continue;
      const subject = `CURL_${f.subject}`;
      await client.ensureExperiment({
        project: 'P1',
        subject,
        label: experiment(f.subject),
        xsiType: 'xnat:ctSessionData',
      });
      for (let series = 1; series <= SERIES_PER_SUBJECT; series++) {
        const owner = { project: 'P1', subject, experiment: experiment(f.subject), scan: String(series) };
        await client.ensureScan({ ...owner, xsiType: 'xnat:ctScanData', type: `Series_${series}` });
        await client.ensureResource(owner, 'DICOM', { format: 'DICOM' });
      }
    }
    const login = spawnSync(
      'curl',
      ['-s', '-u', `${USER.user}:${USER.password}`, '-X', 'POST', `${url}/data/JSESSION`],
      {
        encoding: 'utf8',
      },
    );
    const session = login.stdout.trim();
    const config = files
      .map((f) =>
        [
          `url = "${url}/data/projects/P1/subjects/CURL_${f.subject}/experiments/${experiment(f.subject)}/scans/${f.series}/resources/DICOM/files/${f.name}"`,
          `upload-file = "${f.path}"`,
          `header = "Content-Type: application/octet-stream"`,
          `cookie = "JSESSIONID=${session}"`,
          'output = "/dev/null"',
          'write-out = "%{http_code}\\n"',
          'silent',
        ].join('\n'),
      )
      .join('\nnext\n');
    const configPath = join(dir, `curl-${round}.conf`);
    writeFileSync(configPath, config);
    const started = process.hrtime.bigint();
    // Through bash, whose `times` reports the CPU time of the curl it ran.
    const run = spawnSync(
      'bash',
      ['-c', `curl --silent --parallel --parallel-max ${CONCURRENCY} -K "$1"; times >&2`, 'bash', configPath],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuMs = childrenCpuMs(run.stderr);
    const codes = run.stdout.trim().split('\n');
    const ok = codes.filter((c) => c === '200').length;
    if (ok !== files.length) throw new Error(`curl round ${round}: ${ok} of ${files.length} answered 200`);
    return { seconds: elapsed, cpuMsPerFile: cpuMs === null ? null : cpuMs / files.length };
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'courier-bench-upload-'));
  const emulator = await startEmulator();
  const stopEmulator = () => emulator.process.kill('SIGTERM');
  process.once('exit', stopEmulator);
  let engine: Engine | undefined;
  try {
    engine = new Engine({
      dbFile: join(root, 'ledger.sqlite'),
      dataDir: root,
      mode: 'cli',
      credentials: () => Promise.resolve(USER),
    });
    const tree = join(root, 'tree');
    const files = generate(tree);
    const bytes = files.reduce((sum, f) => sum + statSync(f.path).size, 0);
    console.log(
      `Generated ${files.length} files, ${(bytes / 1e6).toFixed(0)} MB (${MIN_BYTES / 1024}–${MAX_BYTES / 1024} KiB each); emulator at ${emulator.url} (own process, disk storage)`,
    );
    const courier: number[] = [];
    const courierCpu: number[] = [];
    const curl: number[] = [];
    const curlCpu: (number | null)[] = [];
    // The emulator's CPU time per file while each side uploads: both share this machine's cores.
    const emulatorCpu = { courier: [] as (number | null)[], curl: [] as (number | null)[] };
    const emulatorCpuMs = () => processCpuMs(emulator.process.pid);
    const perFile = (from: number | null, to: number | null) =>
      from === null || to === null ? null : (to - from) / files.length;
    for (let round = 1; round <= ROUNDS; round++) {
      const before = await controlStats(emulator.control);
      const cpuBefore = emulatorCpuMs();
      const ours = await courierRound(engine, tree, emulator.url, round);
      emulatorCpu.courier.push(perFile(cpuBefore, emulatorCpuMs()));
      courier.push(ours.seconds);
      courierCpu.push(ours.cpuMsPerFile);
      const after = await controlStats(emulator.control);
      if (round === 1) {
        console.log(
          `  Courier round 1: ${after.filePuts - before.filePuts} file PUTs, ${after.requests - before.requests} requests in all`,
        );
      }
      const cpuBeforeCurl = emulatorCpuMs();
      const theirs = await curlRound(files, emulator.url, root, round);
      emulatorCpu.curl.push(perFile(cpuBeforeCurl, emulatorCpuMs()));
      curl.push(theirs.seconds);
      curlCpu.push(theirs.cpuMsPerFile);
    }
    const best = (values: number[]) => Math.min(...values);
    const ours = files.length / best(courier);
    const theirs = files.length / best(curl);
    const mb = (seconds: number) => bytes / 1e6 / seconds;
    console.log('');
    console.log(
      `${`Upload of the same ${files.length} files, ${CONCURRENCY} at a time`.padEnd(58)}${'files/s'.padStart(10)}${'MB/s'.padStart(10)}`,
    );
    console.log('-'.repeat(78));
    console.log(
      `${'Courier (engine, ledger, MD5 checked per file)'.padEnd(58)}${ours.toFixed(0).padStart(10)}${mb(best(courier)).toFixed(1).padStart(10)}`,
    );
    console.log(
      `${'curl --parallel PUTs (no check)'.padEnd(58)}${theirs.toFixed(0).padStart(10)}${mb(best(curl)).toFixed(1).padStart(10)}`,
    );
    const ratio = Number((ours / theirs).toFixed(2));
    const courierBest = courier.indexOf(best(courier));
    const curlBest = curl.indexOf(best(curl));
    const cpuMsPerFile = Number(courierCpu[courierBest]!.toFixed(2));
    const curlCpuMsPerFile = curlCpu[curlBest] ?? null;
    const emulatorCpuCourier = emulatorCpu.courier[courierBest] ?? null;
    const emulatorCpuCurl = emulatorCpu.curl[curlBest] ?? null;
    const ms = (v: number | null) => (v === null ? null : Number(v.toFixed(2)));
    const cell = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2)).padStart(10);
    const both = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
    console.log('');
    console.log(
      `${'CPU ms per file in each best round'.padEnd(38)}${'client'.padStart(10)}${'emulator'.padStart(10)}${'both'.padStart(10)}`,
    );
    console.log(
      `${'Courier'.padEnd(38)}${cell(cpuMsPerFile)}${cell(emulatorCpuCourier)}${cell(both(cpuMsPerFile, emulatorCpuCourier))}`,
    );
    console.log(
      `${'curl'.padEnd(38)}${cell(curlCpuMsPerFile)}${cell(emulatorCpuCurl)}${cell(both(curlCpuMsPerFile, emulatorCpuCurl))}`,
    );
    // Client and emulator share this machine's cores: where the cores are what limits both rounds, the
    // ratio of the rates comes close to the ratio of the CPU time a file costs (client and emulator).
    const courierBoth = both(cpuMsPerFile, emulatorCpuCourier);
    const curlBoth = both(curlCpuMsPerFile, emulatorCpuCurl);
    const cpuRatio = courierBoth && curlBoth ? Number((curlBoth / courierBoth).toFixed(2)) : null;
    if (cpuRatio !== null) console.log(`CPU per file, curl's over Courier's (both sides): ${cpuRatio}`);
    console.log('');
    console.log(`Goal: >= 70% of curl with MD5 verification on (${Math.round(ratio * 100)}%).`);
    console.log(
      JSON.stringify({
        bench: 'upload',
        files: files.length,
        bytes,
        concurrency: CONCURRENCY,
        courier_files_per_s: Math.round(ours),
        courier_mb_per_s: Number(mb(best(courier)).toFixed(1)),
        courier_cpu_ms_per_file: cpuMsPerFile,
        curl_cpu_ms_per_file: ms(curlCpuMsPerFile),
        emulator_cpu_ms_per_file_courier: ms(emulatorCpuCourier),
        emulator_cpu_ms_per_file_curl: ms(emulatorCpuCurl),
        cpu_ratio: cpuRatio,
        curl_files_per_s: Math.round(theirs),
        curl_mb_per_s: Number(mb(best(curl)).toFixed(1)),
        baseline_files_per_s: Math.round(theirs),
        ratio,
        mode: `best of ${ROUNDS} rounds each, alternating; emulator in its own process`,
      }),
    );
  } finally {
    await closeXnatConnections();
    await engine?.close();
    stopEmulator();
    if (process.env.BENCH_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  }
}

await main();
