/**
 * ISIC download benchmark: a whole Courier batch (search paging, ledger, parallel downloads into a
 * folder, metadata.csv and licences) next to a plain parallel fetch loop (page through the search,
 * download every file with the same concurrency, write it to disk), against the ISIC fixture API in the
 * same run. The fixture runs in a child process so both sides share the same server.
 *
 *   npx tsx bench/isic.ts                 # 10,000 images
 *   BENCH_IMAGES=2000 npx tsx bench/isic.ts
 *
 * Also printed: the CPU time per image of each side and of the fixture's process during each side's run.
 *
 * Env: BENCH_IMAGES, BENCH_CONCURRENCY (default 8), BENCH_ROUNDS (default 2; the best round counts),
 * BENCH_DIR (parent of the temp folders). The last line printed is one JSON object with the figures.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../electron/engine/engine';
import { processCpuMs } from './processCpu';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARM_UP = Math.min(300, IMAGES);

interface Urls {
  apiUrl: string;
  filesUrl: string;
}

async function serveFixture(): Promise<void> {
  const { startIsicFixture } = await import('../test/servers/isic');
  const fixture = await startIsicFixture({ images: IMAGES });
  process.send?.({ apiUrl: fixture.apiUrl, filesUrl: fixture.filesUrl } satisfies Urls);
  process.on('disconnect', () => void fixture.close().then(() => process.exit(0)));
}

function startFixtureProcess(): Promise<{ child: ChildProcess; urls: Urls }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-fixture'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (urls) => resolve({ child, urls: urls as Urls }));
    child.once('exit', (code) => reject(new Error(`the fixture process ended (${code})`)));
  });
}

interface ImagePage {
  results: { isic_id: string; files: { full: { url: string } } }[];
  next: string | null;
}

/** What a careful script would do: page through the search and keep N downloads going, each written to disk. */
async function plainFetchLoop(apiUrl: string, limit: number, outDir: string): Promise<number> {
  const queue: { id: string; url: string }[] = [];
  let listingDone = false;
  let waiting: (() => void)[] = [];
  const wakeWorkers = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  let downloaded = 0;
  const listing = (async () => {
    let next: string | null = `${apiUrl}images/search/?limit=100`;
    let listed = 0;
    while (next && listed < limit) {
      const page = (await (await fetch(next)).json()) as ImagePage;
      for (const image of page.results.slice(0, limit - listed)) {
        queue.push({ id: image.isic_id, url: image.files.full.url });
      }
      listed += page.results.length;
      next = page.next;
      wakeWorkers();
    }
    listingDone = true;
    wakeWorkers();
  })();
  const worker = async () => {
    for (;;) {
      const job = queue.shift();
      if (!job) {
        if (listingDone) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const response = await fetch(job.url);
      if (!response.ok) throw new Error(`${job.url}: ${response.status}`);
      await writeFile(join(outDir, `${job.id}.jpg`), Buffer.from(await response.arrayBuffer()));
      downloaded++;
    }
  };
  await Promise.all([listing, ...Array.from({ length: CONCURRENCY }, worker)]);
  return downloaded;
}

/** A Courier batch from listing to the last licence file, through the engine and its ledger. */
async function courierBatch(apiUrl: string, limit: number, workDir: string): Promise<number> {
  const engine = new Engine({ dbFile: join(workDir, 'ledger.sqlite'), dataDir: workDir, mode: 'cli' });
  try {
    const batch = engine.ledger.batches.create({
      name: 'bench',
      sourceKind: 'isic',
      sourceConfig: { apiUrl, limit },
      targetKind: 'folder',
      targetConfig: { dir: join(workDir, 'out') },
      settings: { concurrency: CONCURRENCY },
    });
    const state = await engine.runToEnd(batch.id);
    const counts = engine.ledger.counts(batch.id);
    if (state !== 'finished' || counts.done !== limit) {
      throw new Error(`the batch ended ${state} with ${JSON.stringify(counts)}`);
    }
    return counts.done;
  } finally {
    await engine.close();
  }
}

interface Run {
  perSecond: number;
  /** CPU time of this process per image (the fixture runs in another): what each image costs Courier itself. */
  cpuMsPerImage: number;
  /** CPU time of the fixture's process per image meanwhile (null where it cannot be read). */
  fixtureCpuMsPerImage: number | null;
}

async function timed(fixturePid: number | undefined, run: () => Promise<number>): Promise<Run> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const fixtureBefore = processCpuMs(fixturePid);
  const images = await run();
  const used = process.cpuUsage(cpu);
  const fixtureAfter = processCpuMs(fixturePid);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    perSecond: images / seconds,
    cpuMsPerImage: (used.user + used.system) / 1000 / images,
    fixtureCpuMsPerImage:
      fixtureBefore === null || fixtureAfter === null ? null : (fixtureAfter - fixtureBefore) / images,
  };
}

const round2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

async function main(): Promise<void> {
  const parent = process.env.BENCH_DIR ?? tmpdir();
  const { child, urls } = await startFixtureProcess();
  const folders: string[] = [];
  const fresh = (prefix: string) => {
    const dir = mkdtempSync(join(parent, prefix));
    folders.push(dir);
    return dir;
  };
  const baseline = (limit: number) =>
    timed(child.pid, () => {
      const out = fresh('bench-isic-plain-');
      return plainFetchLoop(urls.apiUrl, limit, out).then((n) => {
        if (readdirSync(out).length !== n) throw new Error('the plain loop lost files');
        return n;
      });
    });
  const courier = (limit: number) =>
    timed(child.pid, () => courierBatch(urls.apiUrl, limit, fresh('bench-isic-courier-')));

  try {
    await baseline(WARM_UP);
    await courier(WARM_UP);
    const plainRuns: Run[] = [];
    const courierRuns: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so neither always gets the warmer machine.
      const first = round % 2 === 0 ? baseline : courier;
      const second = round % 2 === 0 ? courier : baseline;
      const a = await first(IMAGES);
      const b = await second(IMAGES);
      const [plainRun, courierRun] = round % 2 === 0 ? [a, b] : [b, a];
      plainRuns.push(plainRun);
      courierRuns.push(courierRun);
      for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
    }
    const best = (runs: Run[]) => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const plainBest = best(plainRuns);
    const courierBest = best(courierRuns);
    const ratio = courierBest.perSecond / plainBest.perSecond;
    const row = (name: string, b: Run, runs: Run[]) => [
      name,
      b.perSecond.toFixed(0),
      b.cpuMsPerImage.toFixed(2),
      b.fixtureCpuMsPerImage?.toFixed(2) ?? 'n/a',
      ...runs.map((r) => r.perSecond.toFixed(0)),
    ];
    const rows = [
      [
        '',
        'images/s (best)',
        'CPU ms/image',
        'fixture CPU ms/image',
        ...plainRuns.map((_, i) => `round ${i + 1}`),
      ],
      row('plain fetch loop', plainBest, plainRuns),
      row('Courier batch', courierBest, courierRuns),
    ];
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    process.stdout.write(
      `ISIC download: ${IMAGES} images of 2–6 KiB from the fixture API, concurrency ${CONCURRENCY}\n`,
    );
    for (const row of rows) {
      process.stdout.write(`${row.map((cell, col) => cell.padStart(widths[col]!)).join('  ')}\n`);
    }
    // Both sides share this machine's cores with the fixture: where the cores are what limits both runs,
    // the ratio of the rates comes close to the ratio of the CPU time an image costs (client and fixture).
    const both = (r: Run) =>
      r.fixtureCpuMsPerImage === null ? null : r.cpuMsPerImage + r.fixtureCpuMsPerImage;
    const courierBoth = both(courierBest);
    const plainBoth = both(plainBest);
    const cpuRatio = courierBoth && plainBoth ? plainBoth / courierBoth : null;
    if (cpuRatio !== null) {
      process.stdout.write(
        `CPU per image, client and fixture: plain ${plainBoth!.toFixed(2)} ms, Courier ${courierBoth!.toFixed(2)} ms (plain's over Courier's: ${cpuRatio.toFixed(2)})\n`,
      );
    }
    process.stdout.write(`Courier / plain: ${(ratio * 100).toFixed(0)} %\n`);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'isic',
        images: IMAGES,
        concurrency: CONCURRENCY,
        courier_images_per_s: Math.round(courierBest.perSecond),
        baseline_images_per_s: Math.round(plainBest.perSecond),
        ratio: Math.round(ratio * 1000) / 1000,
        courier_cpu_ms_per_image: Math.round(courierBest.cpuMsPerImage * 100) / 100,
        baseline_cpu_ms_per_image: Math.round(plainBest.cpuMsPerImage * 100) / 100,
        fixture_cpu_ms_per_image_courier: round2(courierBest.fixtureCpuMsPerImage),
        fixture_cpu_ms_per_image_baseline: round2(plainBest.fixtureCpuMsPerImage),
        cpu_ratio: round2(cpuRatio),
      })}\n`,
    );
  } finally {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    child.disconnect();
  }
}

if (process.argv.includes('--serve-fixture')) {
  await serveFixture();
} else {
  mkdirSync(process.env.BENCH_DIR ?? tmpdir(), { recursive: true });
  await main();
}
