/**
 * Fuzzed DICOM headers: mutated files read one by one by the scanner's header reader in a child process
 * with a per-file time cap (a file over the cap is a hang, a dead child a crash, an exception that is not
 * the reader's own error an escape), then the whole folder through `courier scan`: every file must be
 * listed, and every file not queued for upload must carry a reason.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeWorkbook } from '../../test/integration/xnat/uploadFixture';
import { tempDir } from '../../test/support/tempDir';
import type { CourierInstall } from './courierProcess';
import { mutatedHeader } from './dicomMutations';
import type { MutationKind } from './dicomMutations';
import { exportedItems } from './faults';
import { PartRecorder, seededRandom } from './report';
import type { PartResult } from './report';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'fuzzWorker.ts');

interface Reading {
  class: string;
  escaped?: string;
}

/** The header-reading child: one request at a time, killed and replaced when a file takes too long. */
class HeaderChild {
  private child: { process: ChildProcess; ready: Promise<void> } | null = null;
  private waiting: ((r: Reading | 'died') => void) | null = null;
  /** How long the last file took, from hand-over to answer. */
  lastMs = 0;

  private start(): { process: ChildProcess; ready: Promise<void> } {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') return markReady();
      const done = this.waiting;
      this.waiting = null;
      done?.(JSON.parse(line) as Reading);
    });
    child.stderr!.resume();
    child.once('exit', () => {
      markReady();
      if (this.child?.process === child) this.child = null;
      const done = this.waiting;
      this.waiting = null;
      done?.('died');
    });
    return { process: child, ready };
  }

  /** The reading of one file, 'hang' past the cap, 'died' when the child crashed on it. */
  async read(path: string, capMs: number): Promise<Reading | 'hang' | 'died'> {
    const child = (this.child ??= this.start());
    // The cap counts from the moment the file is handed over, not the child's start-up.
    await child.ready;
    const started = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.child = null;
        child.process.kill('SIGKILL');
        resolve('hang');
      }, capMs);
      this.waiting = (r) => {
        this.lastMs = performance.now() - started;
        clearTimeout(timer);
        resolve(r);
      };
      child.process.stdin!.write(`${path}\n`);
    });
  }

  stop(): void {
    this.child?.process.kill('SIGKILL');
    this.child = null;
  }
}

export async function fuzzDicom(
  courier: CourierInstall,
  sizes: { mutations: number; capMs: number; seed?: number },
): Promise<PartResult> {
  const rec = new PartRecorder('fuzz-dicom', `${sizes.mutations} mutated DICOM headers through the scanner`);
  const dir = tempDir('reliability-fuzz-');
  const reader = new HeaderChild();
  try {
    const random = seededRandom(sizes.seed ?? 10_000);
    const root = join(dir.path, 'data');
    const files: { path: string; mutations: MutationKind[] }[] = [];
    const mutationCounts: Record<string, number> = {};
    for (let i = 0; i < sizes.mutations; i++) {
      const folder = join(root, 'DOE^FUZZ-1000', '20200101', `Fuzz ${Math.floor(i / 500)}`);
      if (i % 500 === 0) mkdirSync(folder, { recursive: true });
      const { bytes, mutations } = mutatedHeader(i, random);
      const path = join(folder, `f${String(i).padStart(5, '0')}.dcm`);
      writeFileSync(path, bytes);
      files.push({ path, mutations });
      for (const m of mutations) mutationCounts[m] = (mutationCounts[m] ?? 0) + 1;
    }
    rec.note(
      `Mutations applied: ${Object.entries(mutationCounts)
        .map(([m, n]) => `${m} ×${n}`)
        .join(', ')}.`,
    );

    const classes: Record<string, number> = {};
    const hangs: string[] = [];
    const crashes: string[] = [];
    const escapes: string[] = [];
    let slowestMs = 0;
    for (const f of files) {
      const r = await reader.read(f.path, sizes.capMs);
      if (r !== 'hang') slowestMs = Math.max(slowestMs, reader.lastMs);
      if (r === 'hang') hangs.push(f.path);
      else if (r === 'died') crashes.push(f.path);
      else if (r.class === 'escaped') escapes.push(`${f.path}: ${r.escaped}`);
      else classes[r.class] = (classes[r.class] ?? 0) + 1;
    }
    reader.stop();
    rec.figure('files', files.length);
    for (const [c, n] of Object.entries(classes)) rec.figure(`reader_${c.replace(/-/g, '_')}`, n);
    rec.figure('hangs', hangs.length);
    rec.figure('crashes', crashes.length);
    rec.figure('escaped_exceptions', escapes.length);
    rec.figure('slowest_file_ms', Math.round(slowestMs));
    rec.check(
      `no file took longer than ${sizes.capMs} ms (no hang)`,
      hangs.length === 0,
      hangs.slice(0, 3).join(', '),
    );
    rec.check('no file crashed the reader', crashes.length === 0, crashes.slice(0, 3).join(', '));
    rec.check(
      'every file is classified (readable, a guard, or a named error)',
      escapes.length === 0,
      escapes.slice(0, 3).join(' | '),
    );

    // The whole folder through the scanner as users run it.
    const db = join(dir.path, 'ledger.sqlite');
    const workbook = join(dir.path, 'fuzz.xlsx');
    await writeWorkbook(workbook, 'http://127.0.0.1:9', 'P1');
    const scan = await courier.run(
      ['--db', db, 'scan', '--dir', root, '--workbook', workbook, '--unmatched', '--batch', 'fuzz'],
      {},
      15 * 60_000,
    );
    rec.check(
      'courier scan finishes (exit 0)',
      scan.code === 0 && !scan.timedOut,
      `exit ${scan.code}${scan.timedOut ? ' (timed out)' : ''}: ${scan.stderr.slice(-300)}`,
    );
    const items = await exportedItems(courier, db, 'fuzz', join(dir.path, 'export.json'));
    const unexplained = items.filter((i) => i.status !== 'pending' && (!i.reason || !i.message));
    const scanClasses: Record<string, number> = {};
    for (const i of items) {
      const key =
        i.status === 'pending' ? 'to_upload' : `${i.status}_${(i.reason ?? '?').replace(/-/g, '_')}`;
      scanClasses[key] = (scanClasses[key] ?? 0) + 1;
    }
    for (const [c, n] of Object.entries(scanClasses)) rec.figure(`scan_${c}`, n);
    rec.check(
      `the scan lists all ${files.length} files`,
      items.length === files.length,
      `${items.length} listed`,
    );
    rec.check(
      'every file the scan keeps out carries a reason and a message',
      unexplained.length === 0,
      unexplained
        .slice(0, 3)
        .map((i) => i.path)
        .join(', '),
    );
  } catch (error) {
    rec.fail(error);
  } finally {
    reader.stop();
    dir.cleanup();
  }
  return rec.result();
}
