import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanStatus } from '../../../shared/commands/xnatUpload';
import type { Engine } from '../../../electron/engine/engine';
import { DEFAULT_CONFIG } from '../../../electron/engine/reports/xnatWorkbook';
import { listingWorkDir } from '../../../electron/engine/sources/dicomFolder/listingPass';
import { closeXnatConnections } from '../../../electron/engine/targets/xnat/xnatConnections';
import { brokenDicom } from '../../fixtures/dicomFactory';
import { startXnatEmulator } from '../../servers/xnat/index';
import { COURIER_BIN, courier, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';
import { bigFolder, items, makeTree, openEngine, writeWorkbook } from '../xnat/uploadFixture';
import type { TreeFile } from '../xnat/uploadFixture';

let dir: { path: string; cleanup(): void };
let engine: Engine;
let open = false;
const data = () => join(dir.path, 'data');
const meta = (raw: string) => JSON.parse(raw) as { visit?: number; scanType?: string; subject?: string };

beforeEach(() => {
  dir = tempDir('xnat-scan-cancel-');
  engine = openEngine(dir.path);
  open = true;
});
afterEach(async () => {
  if (open) await engine.close();
  dir.cleanup();
});

function reopen(): void {
  engine = openEngine(dir.path);
  open = true;
}

async function uploadBatch(name: string, folder = data(), server = 'http://127.0.0.1:9'): Promise<number> {
  const batch = await engine.handlers['batches.create']({
    name,
    source: {
      kind: 'dicom-folder',
      config: { dir: folder, listing: 'folder', includeUnmatched: true, ...DEFAULT_CONFIG },
    },
    target: { kind: 'xnat', config: { server, project: 'P1' } },
    start: false,
  });
  return batch.id;
}

async function scanToEnd(batchId: number): Promise<ScanStatus> {
  let status = await engine.handlers['xnatUpload.scan']({ batchId });
  while (status.state === 'scanning') {
    status = await engine.handlers['xnatUpload.scanStatus']({ batchId, waitMs: 5_000 });
  }
  return status;
}

/**
 * Starts the scan and cancels it at once: the walk looks at files in steps of 500 and sees the cancel at
 * the end of the first step, so exactly the first 500 files (in name order) have been read.
 */
async function scanAndCancel(batchId: number): Promise<ScanStatus> {
  const started = await engine.handlers['xnatUpload.scan']({ batchId });
  expect(started).toMatchObject({ state: 'scanning', project: 'P1', dir: data() });
  return engine.handlers['xnatUpload.cancelScan']({ batchId });
}

/** Subject, visit and scan type of every listed file, by path from the folder. */
function placements(batchId: number): Map<string, string> {
  return new Map(
    items(engine, batchId).map((i) => {
      const m = meta(i.meta);
      return [i.key, `${i.status} ${m.subject} ${m.visit} ${m.scanType}`];
    }),
  );
}

describe('cancelling the scan of a DICOM folder → XNAT batch', () => {
  it('stops the scan, keeps the headers read so far, and the next scan continues from them', async () => {
    // 2 subjects × 2 visits × 2 datasets × 70 files: the cancel falls inside the second subject.
    const tree = makeTree(data(), { subjects: 2, visits: 2, datasets: 2, files: 70 });
    // A whole second as its time, so that it can be given back exactly after its bytes change.
    const same = tree[4]!;
    const time = new Date('2024-05-01T10:00:00Z');
    utimesSync(same.path, time, time);
    const batchId = await uploadBatch('to cancel');
    const cancelled = await scanAndCancel(batchId);
    expect(cancelled).toMatchObject({ state: 'cancelled', seen: 500, kept: 500, total: null });
    expect(cancelled.error).toContain('the headers of 500 file(s) are kept');
    // Nothing half-placed in the ledger: files are listed once the whole folder is read.
    expect(items(engine, batchId)).toHaveLength(0);
    expect(engine.ledger.batches.require(batchId).collected).toBe(false);
    const summary = await engine.handlers['batches.get']({ batchId });
    expect(summary.note).toContain('Scan cancelled after 500 file(s) looked at');

    // Among the files read: one changed since (read again), one whose bytes changed but whose size and
    // time did not (taken from what the scan kept, which shows the header is not read a second time).
    const changed = tree[3]!;
    writeFileSync(changed.path, brokenDicom('text'));
    const original = readFileSync(same.path);
    writeFileSync(same.path, Buffer.alloc(original.length, 0x41));
    utimesSync(same.path, time, time);

    // The state survives a restart.
    await engine.close();
    open = false;
    reopen();
    expect(await engine.handlers['xnatUpload.scanStatus']({ batchId, waitMs: 0 })).toMatchObject({
      state: 'cancelled',
      seen: 500,
      kept: 500,
    });

    const again = await engine.handlers['xnatUpload.scan']({ batchId });
    expect(again).toMatchObject({ state: 'scanning', kept: 500 });
    let status = again;
    while (status.state === 'scanning') {
      status = await engine.handlers['xnatUpload.scanStatus']({ batchId, waitMs: 5_000 });
    }
    expect(status).toMatchObject({ state: 'scanned', seen: tree.length, total: tree.length, kept: 0 });
    expect(engine.ledger.counts(batchId)).toMatchObject({ pending: tree.length - 1, skipped: 1 });
    const listed = placements(batchId);
    expect(listed.get(changed.rel)).toMatch(/^skipped /);
    expect(listed.get(same.rel)).toBe('pending 1000 1 Head_CT');
    expect(readdirSync(listingWorkDir(engine.ledger, batchId))).toEqual([]);

    // Placed exactly where one uninterrupted scan places them (visits need every StudyDate of a subject).
    writeFileSync(same.path, original);
    const clean = await uploadBatch('clean');
    expect(await scanToEnd(clean)).toMatchObject({ state: 'scanned' });
    const expected = placements(clean);
    for (const [key, placed] of listed) if (key !== changed.rel) expect(placed, key).toBe(expected.get(key));
    const visits = [...expected.values()].filter((p) => p.startsWith('pending '));
    expect(new Set(visits.map((p) => p.split(' ').slice(1, 3).join(' ')))).toEqual(
      new Set(['1000 1', '1000 2', '1001 1', '1001 2']),
    );
  });

  it('is a no-op once the scan is over, and cancelling again just answers the state', async () => {
    makeTree(data(), { subjects: 1, files: 3 });
    const batchId = await uploadBatch('small');
    expect(await scanToEnd(batchId)).toMatchObject({ state: 'scanned', seen: 3 });
    expect(await engine.handlers['xnatUpload.cancelScan']({ batchId })).toMatchObject({
      state: 'scanned',
      total: 3,
    });
    expect(engine.ledger.counts(batchId).pending).toBe(3);
  });

  it('says when a scan failed, and when Imaging Courier stopped during one, after a restart', async () => {
    const missing = await uploadBatch('missing', join(dir.path, 'nowhere'));
    const failed = await scanToEnd(missing);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^The scan of .*nowhere stopped: The folder .*nowhere does not exist\.$/);

    makeTree(data(), { subjects: 2, datasets: 2, files: 150 });
    const stopped = await uploadBatch('stopped');
    expect(await engine.handlers['xnatUpload.scan']({ batchId: stopped })).toMatchObject({
      state: 'scanning',
    });
    // The app closes while the scan is under way (the walk then finds its ledger closed).
    await engine.close();
    open = false;
    reopen();
    expect(await engine.handlers['xnatUpload.scanStatus']({ batchId: missing, waitMs: 0 })).toMatchObject({
      state: 'failed',
      error: failed.error,
    });
    const interrupted = await engine.handlers['xnatUpload.scanStatus']({ batchId: stopped, waitMs: 0 });
    expect(interrupted).toMatchObject({ state: 'interrupted', kept: 0 });
    expect(interrupted.error).toContain('under way when Imaging Courier stopped');
    expect(await scanToEnd(stopped)).toMatchObject({ state: 'scanned', total: 600 });
  });

  it('refuses to start the batch while its folder is being scanned, and starts it once the scan ends', async () => {
    makeTree(data(), { subjects: 2, visits: 2, datasets: 2, files: 70 });
    const batchId = await uploadBatch('busy');
    expect((await engine.handlers['xnatUpload.scan']({ batchId })).state).toBe('scanning');
    const refused = await Promise.resolve()
      .then(() => engine.handlers['batches.start']({ batchId }))
      .then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      );
    expect(refused?.code).toBe('batch-busy');
    expect(refused?.message).toContain(
      `Batch 'busy' cannot start yet: its folder ${data()} is being scanned`,
    );
    expect(engine.runner?.isActive(batchId) ?? false).toBe(false);
    expect((await engine.handlers['xnatUpload.cancelScan']({ batchId })).state).toBe('cancelled');
    await engine.handlers['batches.start']({ batchId });
    expect(engine.runner?.isActive(batchId)).toBe(true);
  });

  it('an upload started straight after a cancelled scan lists the rest and places every file right', async () => {
    const xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
    try {
      const tree = makeTree(data(), { subjects: 2, visits: 2, datasets: 2, files: 70 });
      const batchId = await uploadBatch('run', data(), xnat.url);
      expect(await scanAndCancel(batchId)).toMatchObject({ state: 'cancelled', kept: 500 });
      expect(existsSync(join(listingWorkDir(engine.ledger, batchId), 'dicom-scan-checkpoint.jsonl'))).toBe(
        true,
      );
      expect(await engine.runToEnd(batchId)).toBe('finished');
      expect(engine.ledger.counts(batchId)).toMatchObject({ done: tree.length, failed: 0 });
      const stored = new Set(xnat.state.storedFiles().map((f) => f.key));
      for (const f of tree) {
        const visit = tree.some((g) => g.subject === f.subject && g.date < f.date) ? 2 : 1;
        expect(stored.has(storedKeyOf(f, visit)), f.rel).toBe(true);
      }
      expect(stored.size).toBe(tree.length);
    } finally {
      await closeXnatConnections();
      await xnat.close();
    }
  });

  it('Ctrl-C stops courier scan (no terminal: at once); the same --batch continues it to the end', async () => {
    requireBuilt();
    const total = bigFolder(join(dir.path, 'big'), { subjects: 10, datasets: 30, files: 100 });
    const folder = join(dir.path, 'big', 'data');
    const workbook = join(dir.path, 'big.xlsx');
    await writeWorkbook(workbook, 'http://127.0.0.1:9', 'P1');
    // A ledger of its own: the command runs beside this test's engine.
    const db = join(dir.path, 'cli', 'ledger.sqlite');
    const args = ['--db', db, 'scan', '--dir', folder, '--workbook', workbook, '--batch', 'big'];
    const first = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [COURIER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += String(d);
        if (!sent && stderr.includes('Scanning:')) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stderr }));
    });
    expect(first.code).not.toBe(0);
    expect(first.stderr).toMatch(
      /The scan was cancelled; the headers of the [\d,]+ file\(s\) read so far are kept/,
    );
    expect(first.stderr).toContain('To continue it, run courier scan or courier upload with --batch big.');

    const second = await courier(args);
    expect(second.stderr).toContain(`big: ${total} file(s) to upload in 10 subject(s)`);
    expect(second.code).toBe(0);
  });
});

function storedKeyOf(f: TreeFile, visit: number): string {
  return `P1/${f.subject}/${f.subject}_CT${visit}/scans/${f.series}/DICOM/${f.path.split('/').pop()!}`;
}
