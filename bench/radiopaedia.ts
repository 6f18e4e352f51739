/**
 * Radiopaedia benchmark: the fixture's 250-image case (three stacks) archived by a whole Courier batch
 * (browser start, the case page rendered and read once, full-size downloads with the page's cookie, the
 * ledger, the folder target, the JSON sidecar; politeness delay 0) next to a plain HTTP script fetching the
 * same 250 full-size files (case page for the cookie, the stacks JSON, then the downloads with the same
 * concurrency, each written to disk), in the same run. The fixture runs in a child process so both sides
 * talk to the same server.
 *
 *   npx tsx bench/radiopaedia.ts
 *
 * Env: BENCH_IMAGES (default 250), BENCH_IMAGE_BYTES (default 120000, a typical full-size JPEG),
 * BENCH_CONCURRENCY (default 4, the batch default), BENCH_ROUNDS (default 3; the best round counts),
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

const IMAGES = Number(process.env.BENCH_IMAGES ?? 250);
const IMAGE_BYTES = Number(process.env.BENCH_IMAGE_BYTES ?? 120_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The fixture's three-stack case (reference/sources.md §2.2: case 25855, 3 stacks, 250 images). */
const RID = 25855;
const STUDY = RID * 10 + 1;

async function serveFixture(): Promise<void> {
  const { startRadiopaediaFixture } = await import('../test/servers/radiopaedia');
  const fixture = await startRadiopaediaFixture({ largeCaseImages: IMAGES, imageBytes: IMAGE_BYTES });
  process.send?.({ url: fixture.url });
  process.on('disconnect', () => void fixture.close().then(() => process.exit(0)));
}

function startFixtureProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-fixture'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: (m as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`the fixture process ended (${code})`)));
  });
}

/** What a careful script would do: the page for its cookie, the stacks JSON, N downloads at a time to disk. */
async function plainHttp(site: string, outDir: string): Promise<number> {
  const page = await fetch(`${site}/cases/${RID}`);
  await page.text();
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const stacks = (await (await fetch(`${site}/studies/${STUDY}/stacks`)).json()) as {
    images: { id: number; download_image_url: string }[];
  }[];
  const queue = stacks.flatMap((s) => s.images);
  let done = 0;
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const response = await fetch(new URL(job.download_image_url, site), { headers: { cookie } });
      if (!response.ok || response.redirected) throw new Error(`image ${job.id}: ${response.status}`);
      await writeFile(join(outDir, `${job.id}.jpg`), Buffer.from(await response.arrayBuffer()));
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done;
}

/** Where a Courier batch spent its time: until the first download started, and from then to the end. */
interface Phases {
  untilFirstDownload: number;
  downloads: number;
}

/** A Courier batch from the first page load to the sidecar, through the engine and its ledger. */
async function courierBatch(
  site: string,
  workDir: string,
  profileDir: string,
  phases: Phases[],
): Promise<number> {
  const engine = new Engine({ dbFile: join(workDir, 'ledger.sqlite'), dataDir: workDir, mode: 'cli' });
  try {
    const batch = engine.ledger.batches.create({
      name: 'bench',
      sourceKind: 'radiopaedia',
      sourceConfig: { site, cases: [String(RID)], delayMs: 0, profileDir },
      targetKind: 'folder',
      targetConfig: { dir: join(workDir, 'out') },
      settings: { concurrency: CONCURRENCY },
    });
    const started = Date.now();
    const state = await engine.runToEnd(batch.id);
    const ended = Date.now();
    const firstAttempt = engine.ledger.db
      .prepare(`SELECT min(at) FROM events WHERE batch_id = ? AND kind = 'attempt'`)
      .pluck()
      .get(batch.id) as number;
    phases.push({
      untilFirstDownload: (firstAttempt - started) / 1000,
      downloads: (ended - firstAttempt) / 1000,
    });
    const counts = engine.ledger.counts(batch.id);
    if (state !== 'finished' || counts.done !== IMAGES) {
      throw new Error(`the batch ended ${state} with ${JSON.stringify(counts)}`);
    }
    const files = readdirSync(join(workDir, 'out'));
    if (files.length !== IMAGES + 1)
      throw new Error(`expected ${IMAGES} images and a sidecar, found ${files.length}`);
    return counts.done;
  } finally {
    await engine.close();
  }
}

async function timed(run: () => Promise<number>): Promise<{ images: number; seconds: number }> {
  const started = process.hrtime.bigint();
  const images = await run();
  return { images, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main(): Promise<void> {
  const parent = process.env.BENCH_DIR ?? tmpdir();
  const { child, url } = await startFixtureProcess();
  const folders: string[] = [];
  const fresh = (prefix: string) => {
    const dir = mkdtempSync(join(parent, prefix));
    folders.push(dir);
    return dir;
  };
  // One browser profile for every round, as on a workstation: the first run learns the User-Agent.
  const profileDir = fresh('bench-rp-profile-');
  const baseline = () =>
    timed(async () => {
      const out = fresh('bench-rp-plain-');
      const n = await plainHttp(url, out);
      if (readdirSync(out).length !== n || n !== IMAGES) throw new Error('the plain loop lost files');
      return n;
    });
  const phases: Phases[] = [];
  const courier = () => timed(() => courierBatch(url, fresh('bench-rp-courier-'), profileDir, phases));

  try {
    await baseline();
    await courier();
    const plainRuns: number[] = [];
    const courierRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so neither always gets the warmer machine.
      const first = round % 2 === 0 ? baseline : courier;
      const second = round % 2 === 0 ? courier : baseline;
      const a = await first();
      const b = await second();
      const [plainRun, courierRun] = round % 2 === 0 ? [a, b] : [b, a];
      plainRuns.push(plainRun.seconds);
      courierRuns.push(courierRun.seconds);
      for (const dir of folders.splice(1)) rmSync(dir, { recursive: true, force: true });
    }
    const plainBest = Math.min(...plainRuns);
    const courierBest = Math.min(...courierRuns);
    const best = phases.slice(1)[courierRuns.indexOf(courierBest)]!;
    const ratio = courierBest / plainBest;
    const rows = [
      ['', 'seconds (best)', ...plainRuns.map((_, i) => `round ${i + 1}`)],
      ['plain HTTP (fetch)', plainBest.toFixed(2), ...plainRuns.map((r) => r.toFixed(2))],
      ['Courier batch', courierBest.toFixed(2), ...courierRuns.map((r) => r.toFixed(2))],
    ];
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    process.stdout.write(
      `Radiopaedia: case ${RID}, ${IMAGES} full-size images of ${Math.round(IMAGE_BYTES / 1000)} kB in three stacks, ` +
        `concurrency ${CONCURRENCY}, politeness delay 0\n`,
    );
    for (const row of rows) {
      process.stdout.write(`${row.map((cell, col) => cell.padStart(widths[col]!)).join('  ')}\n`);
    }
    process.stdout.write(
      `Courier's best run: ${best.untilFirstDownload.toFixed(2)} s to start the browser and read the case page, ` +
        `${best.downloads.toFixed(2)} s for the downloads, ledger and sidecar ` +
        `(${(best.downloads / plainBest).toFixed(2)}× the whole plain run)\n`,
    );
    process.stdout.write(`Courier / plain: ${ratio.toFixed(2)}×\n`);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'radiopaedia',
        images: IMAGES,
        image_bytes: IMAGE_BYTES,
        concurrency: CONCURRENCY,
        courier_s: Math.round(courierBest * 1000) / 1000,
        baseline_s: Math.round(plainBest * 1000) / 1000,
        ratio: Math.round(ratio * 1000) / 1000,
        courier_until_first_download_s: Math.round(best.untilFirstDownload * 1000) / 1000,
        courier_downloads_s: Math.round(best.downloads * 1000) / 1000,
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
