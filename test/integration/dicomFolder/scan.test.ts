import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/engine';
import { readWorkbook, writeFilesSheet } from '../../../electron/engine/reports/xnatWorkbook';
import type { FilesRow } from '../../../electron/engine/reports/xnatWorkbook';
import { runListingPass } from '../../../electron/engine/sources/dicomFolder/listingPass';
import {
  applyUploadFlags,
  writeBatchToWorkbook,
} from '../../../electron/engine/sources/dicomFolder/workbookSync';
import { DEFAULT_CONFIG } from '../../../electron/engine/reports/xnatWorkbook';
import { configFromWorkbook } from '../../../electron/engine/sources/dicomFolder/sourceConfig';
import { tempDir } from '../../support/tempDir';
import {
  addProblemFiles,
  itemByName,
  items,
  makeTree,
  openEngine,
  scannedBatch,
  writeWorkbook,
} from '../xnat/uploadFixture';

let dir: { path: string; cleanup(): void };
let engine: Engine;
const data = () => join(dir.path, 'data');
const workbook = () => join(dir.path, 'files.xlsx');
const meta = (raw: string) => JSON.parse(raw) as Record<string, unknown>;

beforeEach(async () => {
  dir = tempDir('dicom-scan-');
  engine = openEngine(dir.path);
  await writeWorkbook(workbook(), 'http://127.0.0.1:9', 'P1');
});
afterEach(async () => {
  await engine.close();
  dir.cleanup();
});

describe('scanning a DICOM folder (pass 1)', () => {
  it('places matched files, keeps out what the guards and the reader refuse, and names why', async () => {
    const tree = makeTree(data(), { subjects: 2, visits: 2, datasets: 2, files: 3 });
    const problems = addProblemFiles(data(), 'DOE^PATIENT0-1000');
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: '' });
    const batch = engine.ledger.batches.require(batchId);
    expect(batch.collected).toBe(true);
    const counts = engine.ledger.counts(batchId);
    expect(counts).toMatchObject({ pending: tree.length, skipped: 5, unmatched: 0 });

    const first = itemByName(engine, batchId, tree[0]!.rel);
    expect(first.key).toBe(tree[0]!.rel);
    expect(first.group_key).toBe(`1000/${tree[0]!.date}`);
    expect(first.size).toBeGreaterThan(2048);
    expect(meta(first.meta)).toMatchObject({
      pattern: 'DICOM',
      subject: '1000',
      session: tree[0]!.date,
      dataset: 'Head_CT',
      captured: { SubjectName: 'DOE^PATIENT0', ID: '1000', Directory: 'Head CT', filename: 'scan0000' },
      dicom: { Modality: 'CT', SeriesNumber: '1', StudyDate: tree[0]!.date },
      visit: 1,
      scanType: 'Head_CT',
      upload: true,
    });
    const secondVisit = items(engine, batchId).find((i) => meta(i.meta).session === tree[6]!.date)!;
    expect(meta(secondVisit.meta).visit).toBe(2);

    const skipped = (path: string) => items(engine, batchId).find((i) => i.path === path)!;
    expect(skipped(problems.notDicom)).toMatchObject({ status: 'skipped', reason: 'not-dicom' });
    expect(skipped(problems.notDicom).message).toContain(problems.notDicom);
    expect(skipped(problems.corrupt)).toMatchObject({ status: 'skipped', reason: 'dicom-corrupt' });
    expect(skipped(problems.report)).toMatchObject({ status: 'skipped', reason: 'structured-report' });
    expect(skipped(problems.pdf)).toMatchObject({ status: 'skipped', reason: 'encapsulated-document' });
    expect(skipped(problems.dose)).toMatchObject({ status: 'skipped', reason: 'skipped-image-type' });
    expect(skipped(problems.dose).message).toMatch(/DOSE_INFO/);
    expect(items(engine, batchId).some((i) => i.path === problems.unmatched)).toBe(false);
  });

  it('with --unmatched, lists files no pattern matches and says which cell failed', async () => {
    makeTree(data(), { subjects: 1, files: 2 });
    const problems = addProblemFiles(data(), 'DOE^PATIENT0-1000');
    const batchId = await scannedBatch(engine, {
      dir: data(),
      workbook: workbook(),
      server: '',
      includeUnmatched: true,
    });
    const readme = items(engine, batchId).find((i) => i.path === problems.unmatched)!;
    expect(readme).toMatchObject({ status: 'unmatched', reason: 'no-pattern-match' });
    expect(readme.message).toMatch(/pattern "DICOM", cell 1 "\{SubjectName\}-\{ID\}" on "README\.txt"/);
    expect(meta(readme.meta).unmatched).toEqual([
      expect.objectContaining({ label: 'DICOM', cell: 0, component: 'README.txt' }),
    ]);
  });

  it('stops when cancelled and lists nothing in the ledger (what it read waits for the next scan)', async () => {
    makeTree(data(), { subjects: 3, datasets: 2, files: 100 });
    const batch = engine.ledger.batches.create({
      name: 'cancelled',
      sourceKind: 'dicom-folder',
      sourceConfig: configFromWorkbook(DEFAULT_CONFIG, { dir: data(), workbook: workbook() }),
      targetKind: 'xnat',
      targetConfig: {},
    });
    const controller = new AbortController();
    const seen: number[] = [];
    const run = runListingPass(engine.ledger, engine.adapters, batch.id, {
      signal: controller.signal,
      onProgress: (done) => {
        seen.push(done);
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen[0]).toBe(500);
    expect(engine.ledger.batches.require(batch.id).collected).toBe(false);
    expect(items(engine, batch.id)).toHaveLength(0);
  });
});

describe('the Files sheet', () => {
  it('round-trips: written in xnatuploader’s columns, edited, and read back by the next upload', async () => {
    const tree = makeTree(data(), { subjects: 2, files: 3 });
    addProblemFiles(data(), 'DOE^PATIENT0-1000');
    const batchId = await scannedBatch(engine, { dir: data(), workbook: workbook(), server: '' });
    const label = (m: Record<string, unknown>) => `${String(m.subject)}_CT${String(m.visit)}`;
    expect(await writeBatchToWorkbook(engine.ledger, batchId, workbook(), label)).toBe(tree.length + 5);

    const read = await readWorkbook(workbook());
    expect(read.config.xnat).toMatchObject({ Server: 'http://127.0.0.1:9', Project: 'P1' });
    expect(read.filesColumns.slice(0, 9)).toEqual([
      'Pattern',
      'File',
      'Filename',
      'Upload',
      'Status',
      'Subject',
      'Session',
      'Dataset',
      'SessionLabel',
    ]);
    const row = read.files.find((r) => r.file === tree[1]!.path)!;
    expect(row).toMatchObject({ pattern: 'DICOM', filename: 'scan0001.dcm', upload: true, status: '' });
    expect(row.values).toMatchObject({
      Subject: '1000',
      Dataset: 'Head_CT',
      SessionLabel: '1000_CT1',
      'DICOM:Modality': 'CT',
      'DICOM:SeriesNumber': '1',
      ID: '1000',
      Directory: 'Head CT',
    });
    const report = read.files.find((r) => r.filename === 'report.dcm')!;
    expect(report.upload).toBe(false);
    expect(report.status).toMatch(/structured report/);

    // The archivist deselects one file and one whole dataset in Excel.
    const edited: FilesRow[] = read.files.map((r) =>
      r.file === tree[0]!.path || r.values.Subject === '1001' ? { ...r, upload: false } : r,
    );
    await writeFilesSheet(workbook(), edited);
    expect(await applyUploadFlags(engine.ledger, batchId, workbook(), data())).toEqual({
      deselected: 4,
      reselected: 0,
      keptOut: 0,
    });
    expect(itemByName(engine, batchId, tree[0]!.rel)).toMatchObject({
      status: 'skipped',
      reason: 'upload-off',
    });
    expect(engine.ledger.counts(batchId).pending).toBe(tree.length - 4);

    // …and changes their mind about the single file; asking for a guarded file changes nothing.
    const again = edited.map((r) =>
      r.file === tree[0]!.path || r.filename === 'report.dcm' ? { ...r, upload: true } : r,
    );
    await writeFilesSheet(workbook(), again);
    expect(await applyUploadFlags(engine.ledger, batchId, workbook(), data())).toEqual({
      deselected: 0,
      reselected: 1,
      keptOut: 1,
    });
    expect(itemByName(engine, batchId, tree[0]!.rel)).toMatchObject({ status: 'pending' });
    expect(meta(itemByName(engine, batchId, tree[0]!.rel).meta).upload).toBe(true);
  });

  it('lists the files of a Files sheet made elsewhere, keeping its session labels and Upload flags', async () => {
    const tree = makeTree(data(), { subjects: 1, files: 3 });
    // xnatuploader writes File as the path it walked: relative when its --dir was.
    const rows: FilesRow[] = tree.map((f, i) => ({
      pattern: 'DICOM',
      file: i === 1 ? `data/${f.rel}` : f.path,
      filename: f.path.split('/').pop()!,
      upload: i !== 2,
      status: i === 0 ? 'success' : '',
      values: {
        Subject: f.subject,
        Session: f.date,
        Dataset: 'Head_CT',
        SessionLabel: i === 0 ? 'P1_1000_CT1' : '',
        ID: f.subject,
        Directory: 'Head CT',
      },
    }));
    rows.push({
      pattern: '',
      file: join(data(), 'x.txt'),
      filename: 'x.txt',
      upload: false,
      status: 'unmatched',
      values: {},
    });
    await writeFilesSheet(workbook(), rows);
    const batch = engine.ledger.batches.create({
      name: 'from-sheet',
      sourceKind: 'dicom-folder',
      sourceConfig: configFromWorkbook(DEFAULT_CONFIG, {
        dir: dir.path,
        workbook: workbook(),
        listing: 'files-sheet',
      }),
      targetKind: 'xnat',
      targetConfig: {},
    });
    await runListingPass(engine.ledger, engine.adapters, batch.id);
    const listed = items(engine, batch.id);
    expect(listed.map((i) => i.status)).toEqual(['pending', 'pending', 'pending', 'unmatched']);
    expect(listed[0]!.name).toBe(`data/${tree[0]!.rel}`);
    expect(meta(listed[0]!.meta)).toMatchObject({
      sessionLabel: 'P1_1000_CT1',
      subject: '1000',
      upload: true,
    });
    expect(meta(listed[2]!.meta)).toMatchObject({ upload: false, visit: 1, dicom: { SeriesNumber: '1' } });
    expect(listed[1]!.path).toBe(tree[1]!.path);

    await writeFilesSheet(
      workbook(),
      rows.map((r, i) => (i === 1 ? { ...r, upload: false } : r)),
    );
    // The row given relatively is found; the row that was N already is now skipped too.
    expect(await applyUploadFlags(engine.ledger, batch.id, workbook(), dir.path)).toMatchObject({
      deselected: 2,
    });
    const off = items(engine, batch.id).filter((i) => i.reason === 'upload-off');
    expect(off.map((i) => i.id)).toEqual([listed[1]!.id, listed[2]!.id]);
  });
});
