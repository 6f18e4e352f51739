/**
 * UI benchmark, web mode: `courier serve` on a 1,000,000-item ledger while a writer process changes
 * 500 item statuses per second through the ledger API (as a `courier` command beside the app would).
 * Measures in headless Chromium: first table paint after navigating to the batch, the frame rate while
 * scrolling (requestAnimationFrame deltas, including a scrollbar jump to the end), and the longest
 * main-thread task (PerformanceObserver 'longtask') while scrolling and while updates arrive.
 * Baseline, same browser, same run: a plain page of 2,000 static rows scrolled the same way.
 *
 *   npm run bench -- ui
 *
 * Env: BENCH_ITEMS (default 1,000,000), BENCH_UPDATES_PER_S (default 500), BENCH_DIR (parent of the
 * temp folder). Needs the built app (`npm run build`). Goals: first paint < 1 s; no task > 100 ms.
 * The last line printed is one JSON object with the figures.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Ledger } from '../electron/engine/ledger/ledger';
import type { ItemOutcome } from '../electron/engine/ledger/ledger';
import type { ItemStatus } from '../shared/status';
import { courier, requireBuilt } from '../test/support/cli';
import { launchBrowser, serve } from '../test/support/webUi';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const RATE = Number(process.env.BENCH_UPDATES_PER_S ?? 500);
const PAINT_RUNS = 7;

/** Child process: changes `rate` statuses per second in ten ticks, until killed; reports what it did. */
function runWriter(db: string, rate: number, items: number): void {
  const ledger = Ledger.open(db, { role: 'reader' });
  const perTick = Math.max(1, Math.round(rate / 10));
  const cycle: ItemStatus[] = ['done', 'failed', 'running', 'done', 'attention', 'pending'];
  let n = 0;
  const started = Date.now();
  const tick = () => {
    const outcomes: ItemOutcome[] = [];
    for (let i = 0; i < perTick; i++, n++) {
      // Half the changes land in the first screens of the table, half anywhere in the batch.
      const itemId = n % 2 === 0 ? (n % 60) + 1 : ((n * 7919) % items) + 1;
      const status = cycle[n % cycle.length]!;
      outcomes.push({ itemId, status, reason: status === 'failed' ? 'http-503' : null, attempts: 1 });
    }
    ledger.record(1, outcomes);
  };
  const timer = setInterval(tick, 100);
  const report = setInterval(
    () => process.stdout.write(`${JSON.stringify({ updates: n, ms: Date.now() - started })}\n`),
    1_000,
  );
  process.on('SIGTERM', () => {
    clearInterval(timer);
    clearInterval(report);
    process.stdout.write(`${JSON.stringify({ updates: n, ms: Date.now() - started })}\n`);
    ledger.close();
    process.exit(0);
  });
}

function startWriter(db: string): { child: ChildProcess; rate(): number } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--writer', db], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env },
  });
  let last = { updates: 0, ms: 1 };
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += String(d);
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) last = JSON.parse(line) as typeof last;
  });
  return { child, rate: () => (last.updates * 1000) / last.ms };
}

interface ScrollRun {
  frames: number;
  fps: number;
  p95FrameMs: number;
  maxFrameMs: number;
  jumpToEndMs: number;
  start: number;
  end: number;
}

/**
 * Runs in the page (plain JavaScript: this file is type-checked without the DOM library). Records long
 * tasks from the start ([startTime, duration] pairs) and defines the measurements the benchmark calls.
 */
const IN_PAGE = String.raw`
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const nextFrame = () => new Promise((r) => requestAnimationFrame(r));

  window.__longestTask = (a, b) =>
    window.__longTasks.filter(([s]) => s >= a && s <= b).reduce((m, [, d]) => Math.max(m, d), 0);

  // Time from changing the route to the frame after the first row of the files table has text.
  window.__firstTablePaint = async (id) => {
    location.hash = '#/batches';
    while (document.querySelector('[role="grid"]')) await nextFrame();
    const t0 = performance.now();
    location.hash = '#/batches/' + id;
    for (;;) {
      const cell = document.querySelector('[role="grid"] [role="row"][aria-rowindex="2"] [role="gridcell"]');
      if (cell && cell.textContent.trim()) break;
      await nextFrame();
    }
    await nextFrame();
    return performance.now() - t0;
  };

  // Scrolls by 120 px every frame for ms, then drags the scrollbar to the end in one move.
  window.__scrollRun = async (selector, lastRowSelector, ms) => {
    const el = document.querySelector(selector);
    const deltas = [];
    el.scrollTop = 0;
    const start = performance.now();
    let prev = await nextFrame();
    for (;;) {
      const t = await nextFrame();
      deltas.push(t - prev);
      prev = t;
      el.scrollTop += 120;
      if (t - start >= ms) break;
    }
    const jump = performance.now();
    el.scrollTop = el.scrollHeight;
    let jumpToEnd = -1;
    for (;;) {
      const t = await nextFrame();
      deltas.push(t - prev);
      prev = t;
      const row = lastRowSelector ? document.querySelector(lastRowSelector) : el;
      if (row && row.textContent.trim() && jumpToEnd < 0) jumpToEnd = t - jump;
      if (t - jump >= 1500 && (jumpToEnd >= 0 || t - jump >= 10000)) break;
    }
    const sorted = deltas.sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    return {
      frames: sorted.length,
      fps: 1000 / mean,
      p95FrameMs: sorted[Math.floor(sorted.length * 0.95)],
      maxFrameMs: sorted[sorted.length - 1],
      jumpToEndMs: jumpToEnd,
      start,
      end: performance.now(),
    };
  };
`;

async function inPage<T>(page: Page, call: string): Promise<T> {
  return (await page.evaluate(call)) as T;
}

const firstTablePaint = (page: Page, batchId: number) =>
  inPage<number>(page, `__firstTablePaint(${batchId})`);
const longestTaskBetween = (page: Page, from: number, to: number) =>
  inPage<number>(page, `__longestTask(${from}, ${to})`);
const scrollRun = (page: Page, selector: string, lastRowSelector: string | null, ms: number) =>
  inPage<ScrollRun>(
    page,
    `__scrollRun(${JSON.stringify(selector)}, ${JSON.stringify(lastRowSelector)}, ${ms})`,
  );
const now = (page: Page) => inPage<number>(page, 'performance.now()');

async function main(): Promise<void> {
  requireBuilt();
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'courier-bench-ui-'));
  const db = join(dir, 'ledger.sqlite');
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let writer: ReturnType<typeof startWriter> | undefined;
  const browser = await launchBrowser();
  try {
    const t = Date.now();
    const seeded = await courier(['--db', db, 'dev-seed', '--items', String(ITEMS), '--batch', 'study-2024']);
    if (seeded.code !== 0) throw new Error(seeded.stderr);
    console.log(`seeded ${ITEMS.toLocaleString('en')} items in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    server = await serve(db);
    writer = startWriter(db);

    // Baseline: the same browser scrolling a plain page of static rows.
    const plain = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await plain.setContent(
      `<div id="s" style="height:800px;overflow:auto">${Array.from({ length: 2000 }, (_, i) => `<div style="height:32px;border-bottom:1px solid #ddd">row ${i} <b>name</b> <i>status</i></div>`).join('')}</div>`,
    );
    await plain.evaluate(IN_PAGE);
    const baseline = await scrollRun(plain, '#s', null, 3_000);
    await plain.close();

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(IN_PAGE);
    await page.goto(server.url);
    await page.locator('[data-app-state="loaded"]').waitFor();
    await page.getByRole('link', { name: 'study-2024' }).waitFor();

    const paints: number[] = [];
    for (let i = 0; i < PAINT_RUNS; i++) paints.push(await firstTablePaint(page, 1));
    const sortedPaints = [...paints].sort((a, b) => a - b);

    // Updates arriving while the table sits still on its first screen.
    const watchFrom = await now(page);
    await page.waitForTimeout(5_000);
    const watchTo = await now(page);
    const longestWhileUpdating = await longestTaskBetween(page, watchFrom, watchTo);

    const scroll = await scrollRun(
      page,
      '[role="grid"][aria-label="Files"] .files-scroll',
      `[role="grid"] [role="row"][aria-rowindex="${ITEMS + 1}"] [role="gridcell"]`,
      4_000,
    );
    const longestWhileScrolling = await longestTaskBetween(page, scroll.start, scroll.end);
    const achievedRate = writer.rate();

    const row = (name: string, value: string, goal = '') =>
      console.log(`${name.padEnd(52)} ${value.padStart(12)}  ${goal}`);
    console.log('');
    row(
      `first table paint, median of ${PAINT_RUNS} (ms)`,
      sortedPaints[Math.floor(PAINT_RUNS / 2)]!.toFixed(0),
      '< 1000',
    );
    row('first table paint, slowest (ms)', sortedPaints[PAINT_RUNS - 1]!.toFixed(0));
    row('scroll frame rate, courier (fps)', scroll.fps.toFixed(1));
    row('scroll frame rate, plain page baseline (fps)', baseline.fps.toFixed(1));
    row(
      'scroll frame, p95 / slowest (ms)',
      `${scroll.p95FrameMs.toFixed(0)} / ${scroll.maxFrameMs.toFixed(0)}`,
    );
    row('scrollbar jump to row 1,000,000: rows shown after (ms)', scroll.jumpToEndMs.toFixed(0));
    row('longest task while scrolling (ms; 0 = none > 50)', longestWhileScrolling.toFixed(0), '< 100');
    row('longest task while updates arrive (ms; 0 = none > 50)', longestWhileUpdating.toFixed(0), '< 100');
    row('status changes written per second', achievedRate.toFixed(0), `target ${RATE}`);
    console.log(
      JSON.stringify({
        bench: 'ui',
        items: ITEMS,
        updates_per_s: Math.round(achievedRate),
        first_paint_ms_median: Math.round(sortedPaints[Math.floor(PAINT_RUNS / 2)]!),
        first_paint_ms_max: Math.round(sortedPaints[PAINT_RUNS - 1]!),
        courier_scroll_fps: Number(scroll.fps.toFixed(1)),
        baseline_scroll_fps: Number(baseline.fps.toFixed(1)),
        ratio: Number((scroll.fps / baseline.fps).toFixed(2)),
        scroll_frame_p95_ms: Math.round(scroll.p95FrameMs),
        scroll_frame_max_ms: Math.round(scroll.maxFrameMs),
        jump_to_end_ms: Math.round(scroll.jumpToEndMs),
        longest_task_scrolling_ms: Math.round(longestWhileScrolling),
        longest_task_updating_ms: Math.round(longestWhileUpdating),
      }),
    );
  } finally {
    await browser.close();
    if (writer) {
      const exited = new Promise((r) => writer!.child.once('exit', r));
      writer.child.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--writer') runWriter(process.argv[3]!, RATE, ITEMS);
else await main();
