import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/engine';
import { DEFAULT_CONFIG, readWorkbook, writeFilesSheet } from '../../../electron/engine/reports/xnatWorkbook';
import { runListingPass } from '../../../electron/engine/sources/dicomFolder/listingPass';
import { configFromWorkbook } from '../../../electron/engine/sources/dicomFolder/sourceConfig';
import {
  applyUploadFlags,
  writeBatchToWorkbook,
} from '../../../electron/engine/sources/dicomFolder/workbookSync';
import { LimitSettingsStore } from '../../../electron/engine/runner/limitSettings';
import { closeXnatConnections } from '../../../electron/engine/targets/xnat/xnatConnections';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator } from '../../servers/xnat/index';
import { COURIER_BIN, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';
import {
  addProblemFiles,
  itemByName,
  items,
  makeTree,
  openEngine,
  scannedBatch,
  until,
  writeWorkbook,
} from './uploadFixture';
import type { TreeFile } from './uploadFixture';

let xnat: XnatEmulator;
let dir: { path: string; cleanup(): void };
let engine: Engine;
let engineOpen = false;
const data = () => join(dir.path, 'data');
const workbook = () => join(dir.path, 'files.xlsx');
const storedKey = (f: TreeFile, visit = 1) =>
  `P1/${f.subject}/${f.subject}_CT${visit}/scans/${f.series}/DICOM/${f.path.split('/').pop()!}`;

beforeEach(async () => {
  xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
  dir = tempDir('xnat-upload-');
  engine = openEngine(dir.path);
  engineOpen = true;
  await writeWorkbook(workbook(), xnat.url, 'P1');
});
afterEach(async () => {
  await closeXnatConnections();
  if (engineOpen) await engine.close();
  await xnat.close();
  dir.cleanup();
});

/** Every file is on XNAT exactly once, with the local MD5 as its digest. */
function expectAllStoredOnce(tree: TreeFile[]): void {
  const stored = new Map(xnat.state.storedFiles().map((f) => [f.key, f]));
  expect(stored.size).toBe(tree.length);
  for (const file of tree) {
    const there = stored.get(storedKey(file));
    expect(there, file.rel).toMatchObject({ md5: file.md5, digest: file.md5, puts: 1, writes: 1 });
  }
}

describe('uploading a scanned folder to XNAT', () => {
  it('sends every file once, verified, into hierarchy objects created once each', async () => {
    const tree = makeTree(data(), { subjects: 2, datasets: 2, files: 4 });
    addProblemFiles(data(), 'DOE^PATIENT0-1000');
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: tree.length, skipped: 5, failed: 0 });
    expectAllStoredOnce(tree);

    const item = itemByName(engine, batchId, tree[5]!.rel);
    expect(item.md5).toBe(tree[5]!.md5);
    expect(item.target).toBe(
      `${xnat.url}/data/projects/P1/subjects/1000/experiments/1000_CT1/scans/2/resources/DICOM/files/scan0001.dcm`,
    );
    const experiment = xnat.state.projects.get('P1')!.experiments.get('1000_CT1')!;
    expect(experiment).toMatchObject({ xsiType: 'xnat:ctSessionData', date: '2020-01-15' });
    expect(experiment.scans.get('2')).toMatchObject({ scanType: 'Series_1', xsiType: 'xnat:ctScanData' });

    // Subjects, experiments, scans and resources: one PUT each, though four files were in flight at once.
    const creations = xnat.state.requestLog.filter((r) => r.method === 'PUT' && !r.path.includes('/files/'));
    const perPath = new Map<string, number>();
    for (const r of creations) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
    expect([...perPath.values()].every((n) => n === 1)).toBe(true);
    expect(perPath.size).toBe(2 + 2 + 4 + 4);
  });

  it('checks the files of a resource together: one listing read for many uploads, each file verified', async () => {
    const tree = makeTree(data(), { subjects: 1, files: 96 });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: tree.length, failed: 0 });
    expectAllStoredOnce(tree);
    expect(items(engine, batchId).every((i) => i.message === null)).toBe(true);
    // The listing read before sending, then the checks: files that wait for their check give their slot to
    // the next upload, so one listing serves many. Holding the slot until the check, four uploads at a time
    // could never share a listing among more than four files; here that read 50 listings.
    const listings = xnat.state.requestLog.filter((r) => r.method === 'GET' && r.path.endsWith('/files'));
    expect(listings.length).toBeLessThan(tree.length / 4);
  });

  it("keeps every request within the host's limit, the checks read outside the files' slots too", async () => {
    const tree = makeTree(data(), { subjects: 1, datasets: 2, files: 24, pixelBytes: 256 * 1024 });
    // Listings answered slowly, so that a check read while files are sent would be seen beside them.
    const listing = { method: 'GET', path: /\/files$/ };
    xnat.faults.failNext(1_000, { kind: 'stall', stallMs: 30, match: listing });
    new LimitSettingsStore(engine.ledger.db).save({
      defaultConcurrency: 4,
      anyHost: { concurrency: 2, minIntervalMs: 0 },
      hosts: [],
    });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expectAllStoredOnce(tree);
    expect(xnat.state.stats.mostInFlight).toBe(2);
  });

  it('never sends twice: a second batch over the same folder finds every file already there', async () => {
    const tree = makeTree(data(), { subjects: 1, datasets: 2, files: 5 });
    const first = await scannedBatch(engine, {
      dir: data(),
      workbook: workbook(),
      server: xnat.url,
      name: 'one',
    });
    await engine.runToEnd(first);
    const putsBefore = xnat.state.stats.filePuts;
    const second = await scannedBatch(engine, {
      dir: data(),
      workbook: workbook(),
      server: xnat.url,
      name: 'two',
    });
    await engine.runToEnd(second);
    expect(xnat.state.stats.filePuts).toBe(putsBefore);
    expect(items(engine, second).every((i) => i.status === 'done' && i.reason === 'already-there')).toBe(
      true,
    );
    expectAllStoredOnce(tree);
  });

  it('ends with every file done when XNAT answers 5xx or drops connections now and then', async () => {
    const tree = makeTree(data(), { subjects: 2, files: 6 });
    xnat.faults.failNext(3, { kind: 'status', status: 503, match: { method: 'PUT', path: '/files/' } });
    xnat.faults.failNext(2, { kind: 'reset', match: { method: 'PUT', path: '/files/' } });
    xnat.faults.failNext(1, {
      kind: 'status',
      status: 502,
      match: { method: 'PUT', path: /\/experiments\/[^/]+$/ },
    });
    xnat.faults.failNext(1, { kind: 'reset', match: { method: 'GET', path: /\/files$/ } });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(xnat.faults.pendingRules).toBe(0);
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: tree.length, failed: 0 });
    expect(items(engine, batchId).filter((i) => i.attempts > 1).length).toBeGreaterThanOrEqual(4);
    expectAllStoredOnce(tree);
  });

  it('logs in again when the session expires in the middle of the batch', async () => {
    const tree = makeTree(data(), { subjects: 1, datasets: 2, files: 6 });
    xnat.faults.failNext(1, { kind: 'expire-session', match: { method: 'PUT', path: 'scan0003.dcm' } });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    await engine.runToEnd(batchId);
    expect(xnat.faults.fired['expire-session']).toBe(1);
    expect(xnat.state.stats.unauthorized).toBeGreaterThan(0);
    expect(xnat.state.stats.sessionsCreated).toBe(2);
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: tree.length, failed: 0 });
    expect(items(engine, batchId).every((i) => i.attempts === 1)).toBe(true);
    expectAllStoredOnce(tree);
  });

  it('sends a file again when XNAT lists a wrong digest for it, replacing the damaged copy', async () => {
    const tree = makeTree(data(), { subjects: 1, files: 4 });
    xnat.faults.failNext(1, { kind: 'wrong-digest', match: { method: 'PUT', path: 'scan0002.dcm' } });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(xnat.faults.fired['wrong-digest']).toBe(1);
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: 4, failed: 0, attention: 0 });
    expect(itemByName(engine, batchId, 'scan0002.dcm')).toMatchObject({
      status: 'done',
      md5: tree[2]!.md5,
      attempts: 2,
    });
    // The second PUT replaced the copy XNAT listed wrongly: a repair, not a second file.
    expect(xnat.state.storedFile(storedKey(tree[2]!))).toMatchObject({
      md5: tree[2]!.md5,
      digest: tree[2]!.md5,
      puts: 2,
      writes: 2,
      repairs: 1,
    });
  });

  it('stops a file in attention when its digest is still wrong after the last attempt, naming both digests', async () => {
    const tree = makeTree(data(), { subjects: 1, files: 4 });
    xnat.faults.failNext(100, { kind: 'wrong-digest', match: { method: 'PUT', path: 'scan0002.dcm' } });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    const bad = itemByName(engine, batchId, 'scan0002.dcm');
    const stored = xnat.state.storedFile(storedKey(tree[2]!))!;
    expect(bad).toMatchObject({ status: 'attention', reason: 'digest-mismatch', attempts: 5 });
    expect(bad.message).toContain('scan0002.dcm');
    expect(bad.message).toContain(tree[2]!.md5);
    expect(bad.message).toContain(stored.digest);
    expect(bad.message).toContain('still so after 5 attempts');
    expect(engine.ledger.detail(bad.id).item.actions).toEqual(expect.arrayContaining(['retry', 'skip']));
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: 3, attention: 1, failed: 0 });
    // Five PUTs, each replacing the copy listed wrongly before it: still one file.
    expect(stored).toMatchObject({ md5: tree[2]!.md5, puts: 5, writes: 5, repairs: 4 });

    // Retried by a person once XNAT lists it right: the damaged copy is the batch's own, replaced without asking.
    xnat.faults.clear();
    engine.ledger.decide({ batchId, itemIds: [bad.id], action: 'retry', actor: 'test' });
    await engine.runToEnd(batchId);
    expect(itemByName(engine, batchId, 'scan0002.dcm')).toMatchObject({ status: 'done', md5: tree[2]!.md5 });
    expect(xnat.state.storedFile(storedKey(tree[2]!))).toMatchObject({
      digest: tree[2]!.md5,
      writes: 6,
      repairs: 5,
    });
  });

  it('looks again at its own copy when the check after a damaged upload failed, and replaces it', async () => {
    const tree = makeTree(data(), { subjects: 1, files: 1 });
    const listing = { method: 'GET', path: /\/resources\/DICOM\/files$/ };
    // The listing read before sending goes through (a stall of 0 ms takes it); the one checking the upload fails.
    xnat.faults.failNext(1, { kind: 'stall', stallMs: 0, match: listing });
    xnat.faults.failNext(1, { kind: 'status', status: 503, match: listing });
    xnat.faults.failNext(1, { kind: 'wrong-digest', match: { method: 'PUT', path: 'scan0000.dcm' } });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(xnat.faults.pendingRules).toBe(0);
    // Not a name conflict for a person: the damaged copy was this batch's own.
    expect(itemByName(engine, batchId, 'scan0000.dcm')).toMatchObject({ status: 'done', md5: tree[0]!.md5 });
    expect(xnat.state.storedFile(storedKey(tree[0]!))).toMatchObject({
      digest: tree[0]!.md5,
      writes: 2,
      repairs: 1,
    });
  });

  it('treats a file already on XNAT as done, and asks before replacing a different one', async () => {
    const tree = makeTree(data(), { subjects: 1, files: 3 });
    const owner = { project: 'P1', experiment: '1000_CT1', scan: '1' };
    xnat.state.addExperiment('P1', '1000', '1000_CT1', { xsiType: 'xnat:ctSessionData' });
    xnat.state.addScan('P1', '1000_CT1', '1');
    await xnat.state.addFile(owner, 'DICOM', 'scan0000.dcm', readFileSync(tree[0]!.path));
    await xnat.state.addFile(owner, 'DICOM', 'scan0001.dcm', Buffer.from('another file of that name'));
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    await engine.runToEnd(batchId);

    expect(itemByName(engine, batchId, 'scan0000.dcm')).toMatchObject({
      status: 'done',
      reason: 'already-there',
    });
    expect(xnat.state.storedFile(storedKey(tree[0]!))).toMatchObject({ puts: 0, writes: 1 });
    const conflict = itemByName(engine, batchId, 'scan0001.dcm');
    expect(conflict).toMatchObject({ status: 'attention', reason: 'name-conflict' });
    expect(conflict.message).toContain(tree[1]!.md5);

    const decision = engine.ledger.decide({
      batchId,
      itemIds: [conflict.id],
      action: 'approve',
      actor: 'test',
    });
    expect(decision.applied).toBe(1);
    await engine.runToEnd(batchId);
    expect(itemByName(engine, batchId, 'scan0001.dcm')).toMatchObject({ status: 'done', md5: tree[1]!.md5 });
    expect(xnat.state.storedFile(storedKey(tree[1]!))).toMatchObject({ md5: tree[1]!.md5, writes: 2 });
  });

  it('honours Upload = N from the workbook, and a Files sheet’s own N', async () => {
    const tree = makeTree(data(), { subjects: 2, files: 3 });
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: xnat.url });
    await writeBatchToWorkbook(engine.ledger, batchId, workbook(), () => '');
    const sheet = await readWorkbook(workbook());
    await writeFilesSheet(
      workbook(),
      sheet.files.map((r) => (r.values.Subject === '1001' ? { ...r, upload: false } : r)),
    );
    await applyUploadFlags(engine.ledger, batchId, workbook(), data());
    await engine.runToEnd(batchId);
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: 3, skipped: 3 });
    expect(xnat.state.storedFiles().map((f) => f.subject)).toEqual(['1000', '1000', '1000']);

    // A sheet continued from elsewhere: its N rows reach the target, which leaves them out.
    const fromSheet = engine.ledger.batches.create({
      name: 'sheet',
      sourceKind: 'dicom-folder',
      sourceConfig: configFromWorkbook(DEFAULT_CONFIG, {
        dir: dir.path,
        workbook: workbook(),
        listing: 'files-sheet',
      }),
      targetKind: 'xnat',
      targetConfig: { server: xnat.url, project: 'P1' },
    });
    await runListingPass(engine.ledger, engine.adapters, fromSheet.id);
    await engine.runToEnd(fromSheet.id);
    const skipped = items(engine, fromSheet.id).filter((i) => i.status === 'skipped');
    expect(skipped.map((i) => i.reason)).toEqual(['upload-off', 'upload-off', 'upload-off']);
    expect(skipped.map((i) => i.path).sort()).toEqual(
      tree
        .filter((f) => f.subject === '1001')
        .map((f) => f.path)
        .sort(),
    );
    expect(xnat.state.storedFiles()).toHaveLength(3);
  });

  it('resumes after the uploading process is killed, and stores nothing twice', async () => {
    requireBuilt();
    const tree = makeTree(data(), { subjects: 1, datasets: 3, files: 20, pixelBytes: 16_384 });
    const batchId = await scannedBatch(engine, {
      dir: data(),
      workbook: workbook(),
      server: xnat.url,
      name: 'kill',
    });
    await engine.close();
    engineOpen = false;
    // Scan 3: its first listing (before sending) answers; the next ones (the checks after the PUTs) hang.
    // Its 20 files reach XNAT, giving their slots to the next while they wait, but cannot be recorded:
    // once the other 40 are recorded done, the uploader is killed.
    const listing = { method: 'GET', path: /\/scans\/3\/resources\/DICOM\/files$/ };
    xnat.faults.failNext(1, { kind: 'stall', stallMs: 0, match: listing });
    xnat.faults.failNext(1_000, { kind: 'stall', stallMs: Infinity, match: listing });
    const first = uploadProcess('kill');
    const watcher = new Database(join(dir.path, 'ledger.sqlite'), { readonly: true });
    const done = watcher.prepare("SELECT n FROM batch_counts WHERE batch_id = ? AND status = 'done'").pluck();
    await until(
      () =>
        xnat.faults.fired.stall >= 2 && xnat.state.storedFiles().length === 60 && done.get(batchId) === 40,
      'the files of scan 3 sent and waiting for their check, the others done',
    );
    watcher.close();
    first.kill('SIGKILL');
    await once(first, 'exit');
    expect(xnat.state.storedFiles()).toHaveLength(60);

    xnat.faults.clear();
    const second = uploadProcess('kill');
    const [code] = (await once(second, 'exit')) as [number];
    expect(code).toBe(0);

    engine = openEngine(dir.path);
    engineOpen = true;
    expect(engine.ledger.counts(batchId)).toMatchObject({ done: tree.length, running: 0, failed: 0 });
    const recovered = engine.ledger.db
      .prepare("SELECT count(*) FROM events WHERE kind = 'recovered'")
      .pluck()
      .get();
    expect(recovered).toBe(20);
    const foundThere = items(engine, batchId).filter((i) => i.reason === 'already-there');
    expect(foundThere).toHaveLength(20);
    expectAllStoredOnce(tree);
  });
});

/** `courier upload --batch NAME` in a process of its own, as a user runs it. */
function uploadProcess(batch: string) {
  return spawn(
    process.execPath,
    [
      COURIER_BIN,
      '--db',
      join(dir.path, 'ledger.sqlite'),
      'upload',
      '--batch',
      batch,
      '--server',
      xnat.url,
      '--project',
      'P1',
      '--concurrency',
      '4',
    ],
    {
      env: { ...process.env, XNAT_USER: DEFAULT_USER.username, XNAT_PASSWORD: DEFAULT_USER.password },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
