/**
 * XNAT experiment download benchmark: Courier's `xnat-download` batch (log in, resolve the project by
 * secondary ID and the experiment by label, stream the zip, extract it safely, one ledger row per file,
 * files moved into the output folder with SHA-1 and MD5) next to `curl` + `unzip` (Debian) fetching and
 * extracting the same zip from the same emulator, in the same run.
 *
 *   npx tsx bench/download.ts                  # 1 GB zip of 2,000 files
 *   BENCH_BYTES=200000000 npx tsx bench/download.ts
 *
 * Env: BENCH_BYTES (zip payload, default 1e9), BENCH_FILES (default 2000), BENCH_ZIP (`store`, default,
 * or `deflate` as XNAT sends; the emulator's deflate is slow enough to hide the clients' own costs),
 * BENCH_ROUNDS (default 2; the two sides alternate and the best wall time of each counts, since these
 * machines are shared), BENCH_DIR (parent of the temp folder). The emulator runs as its own process
 * (test/servers/xnat/main.ts); Courier runs in this process (the engine, the runner, the ledger and the
 * folder target, as `courier xnat-download` does), and then `courier xnat-download` itself, the built
 * command in its own process as users run it (so without the tsx loader). CPU seconds are printed beside the wall times. The
 * last line printed is one JSON object with the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Engine } from '../electron/engine/engine';

const BYTES = Number(process.env.BENCH_BYTES ?? 1e9);
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const ZIP = process.env.BENCH_ZIP === 'deflate' ? 'deflate' : 'store';
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const USER = 'courier';
const PASSWORD = 'bench-password';
const PROJECT = 'BENCH';
const SECONDARY_ID = 'HUB-BENCH';
const SUBJECT = 'SUBJ-1';
const ACCESSION = 'ACC-BENCH-1';
const FILES_PER_SCAN = 100;

interface Emulator {
  url: string;
  control: string;
  process: ChildProcess;
}

async function startEmulator(): Promise<Emulator> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', 'test', 'servers', 'xnat', 'main.ts'),
      '--zip',
      ZIP,
      '--project',
      `${PROJECT}:${SECONDARY_ID}`,
      '--user',
      `${USER}:${PASSWORD}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it listened`)));
  });
  lines.close();
  const { url, control } = JSON.parse(first) as { url: string; control: string };
  return { url, control, process: child };
}

async function seed(emulator: Emulator): Promise<number> {
  const size = Math.floor(BYTES / FILES);
  const files = Array.from({ length: FILES }, (_, i) => ({
    project: PROJECT,
    subject: SUBJECT,
    experiment: ACCESSION,
    scan: String(1 + Math.floor(i / FILES_PER_SCAN)),
    resource: 'DICOM',
    name: `IM${String(i).padStart(5, '0')}.dcm`,
    size,
    seed: `bench-${i}`,
  }));
  const response = await fetch(`${emulator.control}/seed`, {
    method: 'POST',
    body: JSON.stringify({ files }),
  });
  if (!response.ok) throw new Error(`seeding failed: ${await response.text()}`);
  return size * FILES;
}

interface Timing {
  seconds: number;
  cpu: number;
  /** Courier only: seconds until every file was extracted and listed (the rest is delivery). */
  staged?: number;
}

/** CPU seconds of this process, and of the children it has waited for (from /proc/self/stat). */
function cpuSeconds(): { own: number; children: number } {
  const usage = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 16 and 17 (cutime, cstime) in clock ticks; this file puts them at 13 and 14 after the name.
  const ticks = Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
  return { own: (usage.user + usage.system) / 1e6, children: ticks / 100 };
}

async function timed(fn: () => Promise<void>, whose: 'own' | 'children'): Promise<Timing> {
  const cpuBefore = cpuSeconds()[whose];
  const started = process.hrtime.bigint();
  await fn();
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpu: cpuSeconds()[whose] - cpuBefore,
  };
}

async function runCourier(emulator: Emulator, dir: string, round: number): Promise<Timing> {
  const engine = new Engine({
    dbFile: join(dir, 'ledger.sqlite'),
    dataDir: dir,
    mode: 'cli',
    credentials: () => Promise.resolve({ user: USER, password: PASSWORD }),
  });
  try {
    const batch = engine.ledger.batches.create({
      name: `bench-download-${round}`,
      sourceKind: 'xnat-download',
      sourceConfig: {
        server: emulator.url,
        project: SECONDARY_ID,
        accession: ACCESSION,
        type: 'scan',
        resource: 'DICOM',
      },
      targetKind: 'folder',
      targetConfig: { dir: join(dir, 'courier-out') },
      settings: {},
    });
    const started = Date.now();
    const timing = await timed(async () => {
      await engine.runToEnd(batch.id);
    }, 'own');
    const counts = engine.ledger.counts(batch.id);
    if (counts.done !== FILES) throw new Error(`Courier settled ${counts.done} of ${FILES} files as done`);
    const collectedAt = engine.ledger.db
      .prepare(`SELECT at FROM events WHERE batch_id = ? AND kind = 'batch' AND code = 'collected'`)
      .pluck()
      .get(batch.id) as number;
    return { ...timing, staged: (collectedAt - started) / 1000 };
  } finally {
    await engine.close();
  }
}

/** `courier xnat-download` as users run it: the built command in its own process, its own ledger. */
async function runCommand(emulator: Emulator, dir: string, round: number): Promise<Timing> {
  const out = join(dir, 'command-out');
  const timing = await runTool(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'bin', 'courier.mjs'),
      '--db',
      join(dir, `command-${round}.sqlite`),
      'xnat-download',
      '--server',
      emulator.url,
      '--project',
      SECONDARY_ID,
      '--accession',
      ACCESSION,
      '--resource',
      'DICOM',
      '--out',
      out,
    ],
    { XNAT_USER: USER, XNAT_PASSWORD: PASSWORD },
  );
  if (countFiles(out) !== FILES) throw new Error('courier xnat-download did not deliver every file');
  rmSync(out, { recursive: true, force: true });
  return timing;
}

function runTool(command: string, args: string[], env: Record<string, string> = {}): Promise<Timing> {
  return timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(command, args, {
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, ...env },
        });
        child.once('error', reject);
        child.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
        );
      }),
    'children',
  );
}

async function runBaseline(zipUrl: string, dir: string): Promise<{ curl: Timing; unzip: Timing }> {
  const zipFile = join(dir, 'baseline.zip');
  const out = join(dir, 'unzip-out');
  const curl = await runTool('curl', ['-sSf', '-u', `${USER}:${PASSWORD}`, '-o', zipFile, zipUrl]);
  const unzip = await runTool('unzip', ['-q', zipFile, '-d', out]);
  if (countFiles(out) !== FILES) throw new Error('unzip did not extract every file');
  rmSync(zipFile);
  rmSync(out, { recursive: true, force: true });
  return { curl, unzip };
}

function best(timings: Timing[]): Timing {
  return timings.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function countFiles(dir: string): number {
  const run = spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return run.stdout.split('\n').filter(Boolean).length;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'bench-download-'));
  const emulator = await startEmulator();
  try {
    const bytes = await seed(emulator);
    const zipUrl =
      `${emulator.url}/data/projects/${PROJECT}/subjects/${SUBJECT}/experiments/${ACCESSION}` +
      '/scans/ALL/resources/DICOM/files?format=zip';
    const curls: Timing[] = [];
    const unzips: Timing[] = [];
    const couriers: Timing[] = [];
    const commands: Timing[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so neither always meets the machine in the same state.
      const baselineFirst = round % 2 === 0;
      if (baselineFirst) {
        const { curl, unzip } = await runBaseline(zipUrl, dir);
        curls.push(curl);
        unzips.push(unzip);
      }
      const out = join(dir, 'courier-out');
      couriers.push(await runCourier(emulator, dir, round));
      if (countFiles(out) !== FILES) throw new Error('Courier did not deliver every file');
      rmSync(out, { recursive: true, force: true });
      commands.push(await runCommand(emulator, dir, round));
      if (!baselineFirst) {
        const { curl, unzip } = await runBaseline(zipUrl, dir);
        curls.push(curl);
        unzips.push(unzip);
      }
    }
    const curl = best(curls);
    const unzip = best(unzips);
    const courier = best(couriers);
    const command = best(commands);
    const commandRatio = command.seconds / (curl.seconds + unzip.seconds);
    const baseline = curl.seconds + unzip.seconds;
    const ratio = courier.seconds / baseline;
    const cpuRatio = courier.cpu / (curl.cpu + unzip.cpu);
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    const mb = bytes / 1e6;
    const row = (name: string, t: { seconds: number; cpu: number }) =>
      `${name.padEnd(40)}${t.seconds.toFixed(2).padStart(8)} s${(mb / t.seconds).toFixed(0).padStart(7)} MB/s` +
      `${t.cpu.toFixed(2).padStart(9)} s CPU`;
    process.stdout.write(
      [
        `XNAT experiment download: ${FILES} files, ${mb.toFixed(0)} MB, zip ${ZIP}, best of ${ROUNDS} round(s)`,
        row('curl (download)', curl),
        row('unzip (extract)', unzip),
        row('curl + unzip', { seconds: baseline, cpu: curl.cpu + unzip.cpu }),
        row('Courier (download, extract, ledger)', courier),
        `  of which download + safe extraction + listing: ${(courier.staged ?? 0).toFixed(2)} s; ` +
          `delivery (SHA-1 + MD5, move, ledger): ${(courier.seconds - (courier.staged ?? 0)).toFixed(2)} s`,
        row('courier xnat-download (the command)', command),
        `Courier / (curl + unzip): ${ratio.toFixed(2)} wall, ${cpuRatio.toFixed(2)} CPU; ` +
          `the command: ${commandRatio.toFixed(2)} wall, ${(command.cpu / (curl.cpu + unzip.cpu)).toFixed(2)} CPU; ` +
          `peak RSS of this process (Courier, tsx loader included): ${maxRssMb.toFixed(0)} MB`,
        `wall times per round: curl ${curls.map((t) => t.seconds.toFixed(1)).join(', ')}; ` +
          `unzip ${unzips.map((t) => t.seconds.toFixed(1)).join(', ')}; ` +
          `Courier ${couriers.map((t) => t.seconds.toFixed(1)).join(', ')}; ` +
          `the command ${commands.map((t) => t.seconds.toFixed(1)).join(', ')}`,
        '',
      ].join('\n'),
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'download',
        bytes,
        files: FILES,
        courier_s: round(courier.seconds),
        curl_s: round(curl.seconds),
        unzip_s: round(unzip.seconds),
        ratio: round(ratio),
        zip: ZIP,
        cpu_ratio: round(cpuRatio),
        command_s: round(command.seconds),
        command_ratio: round(commandRatio),
        courier_max_rss_mb: Math.round(maxRssMb),
      })}\n`,
    );
  } finally {
    emulator.process.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

await main();
