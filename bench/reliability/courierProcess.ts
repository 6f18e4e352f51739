/**
 * The `courier` command as users run it, from a private build of the current sources (the same esbuild
 * options as scripts/build.mjs), so a rebuild of the shared dist/ cannot pull it from under a long run.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeWorkbook } from '../../test/integration/xnat/uploadFixture';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CourierRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the harness had to kill it because it outlived `timeoutMs`. */
  timedOut: boolean;
}

export interface CourierInstall {
  bin: string;
  /** Starts `courier ARGS`; the caller waits for it or kills it. */
  start(args: string[], env?: Record<string, string>): RunningCourier;
  /** Runs `courier ARGS` to its end (killed with SIGKILL after `timeoutMs`). */
  run(args: string[], env?: Record<string, string>, timeoutMs?: number): Promise<CourierRun>;
  remove(): void;
}

export interface RunningCourier {
  child: ChildProcess;
  done: Promise<CourierRun>;
  output(): { stdout: string; stderr: string };
}

/** Builds bin/courier.mjs + dist/cli.mjs into a temp folder (node_modules linked). */
export async function installCourier(): Promise<CourierInstall> {
  const into = mkdtempSync(join(tmpdir(), 'courier-reliability-install-'));
  mkdirSync(join(into, 'bin'));
  copyFileSync(join(root, 'bin', 'courier.mjs'), join(into, 'bin', 'courier.mjs'));
  symlinkSync(join(root, 'node_modules'), join(into, 'node_modules'), 'dir');
  await build({
    entryPoints: { cli: join(root, 'electron', 'cliMain.ts') },
    outdir: join(into, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    logLevel: 'warning',
    external: ['electron', 'better-sqlite3', 'playwright-core', 'exceljs'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const bin = join(into, 'bin', 'courier.mjs');
  const start = (args: string[], env: Record<string, string> = {}): RunningCourier => {
    // Node runs the command itself (no wrapper process), so a SIGKILL hits the process holding the ledger.
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
    const done = new Promise<CourierRun>((resolveRun, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolveRun({ code, signal, stdout, stderr, timedOut: false }));
    });
    return { child, done, output: () => ({ stdout, stderr }) };
  };
  return {
    bin,
    start,
    async run(args, env = {}, timeoutMs = 300_000) {
      const running = start(args, env);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        running.child.kill('SIGKILL');
      }, timeoutMs);
      const result = await running.done;
      clearTimeout(timer);
      return { ...result, timedOut };
    },
    remove: () => rmSync(into, { recursive: true, force: true }),
  };
}

/**
 * Pass 1 of a folder → XNAT upload as users run it: a workbook naming the server and project P1, then
 * `courier scan` of `data` into batch `batch` of the ledger `db` (with `--unmatched` when asked).
 */
export async function scanForUpload(
  courier: CourierInstall,
  options: { db: string; workbook: string; data: string; server: string; batch: string; unmatched?: boolean },
): Promise<CourierRun> {
  await writeWorkbook(options.workbook, options.server, 'P1');
  return courier.run([
    '--db',
    options.db,
    'scan',
    '--dir',
    options.data,
    '--workbook',
    options.workbook,
    ...(options.unmatched ? ['--unmatched'] : []),
    '--batch',
    options.batch,
  ]);
}

/** `courier status --batch NAME --json` counts of one batch. */
export async function batchCounts(
  courier: CourierInstall,
  db: string,
  batch: string,
): Promise<Record<string, number>> {
  const r = await courier.run(['--db', db, 'status', '--batch', batch, '--json']);
  if (r.code !== 0) throw new Error(`courier status failed (${r.code}): ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as { batches: { name: string; counts: Record<string, number> }[] };
  return parsed.batches.find((b) => b.name === batch)?.counts ?? {};
}
