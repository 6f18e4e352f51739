import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/engine';
import { DEFAULT_CONFIG } from '../../../electron/engine/reports/xnatWorkbook';
import { storeUploadSettings } from '../../../electron/engine/targets/xnat/uploadSetup';
import { xnatTargetConfig } from '../../../electron/engine/targets/xnat/targetConfig';
import { tempDir } from '../../support/tempDir';
import { addProblemFiles, makeTree, openEngine } from '../xnat/uploadFixture';

let dir: { path: string; cleanup(): void };
let engine: Engine;
const data = () => join(dir.path, 'data');

beforeEach(() => {
  dir = tempDir('xnat-upload-commands-');
  engine = openEngine(dir.path);
});
afterEach(async () => {
  await engine.close();
  dir.cleanup();
});

async function scanned(): Promise<number> {
  const batch = await engine.handlers['batches.create']({
    name: 'gui',
    source: {
      kind: 'dicom-folder',
      config: { dir: data(), listing: 'folder', includeUnmatched: true, ...DEFAULT_CONFIG },
    },
    target: { kind: 'xnat', config: { server: 'http://127.0.0.1:9', project: 'P1' } },
    start: false,
  });
  let status = await engine.handlers['xnatUpload.scan']({ batchId: batch.id });
  while (status.state === 'scanning') {
    status = await engine.handlers['xnatUpload.scanStatus']({ batchId: batch.id, waitMs: 5_000 });
  }
  expect(status).toMatchObject({ state: 'scanned', error: null });
  return batch.id;
}

describe('the commands of the DICOM folder → XNAT form', () => {
  it('samples a few paths from every folder, bounded, relative and /-separated', async () => {
    makeTree(data(), { subjects: 3, datasets: 2, files: 5 });
    writeFileSync(join(data(), '.DS_Store'), '');
    const sample = await engine.handlers['xnatUpload.samplePaths']({ dir: data(), limit: 100 });
    expect(sample.paths).not.toContain('.DS_Store');
    // Three of the five images of each of the six series: every series shows up.
    expect(sample.paths).toHaveLength(18);
    expect(sample.paths).toContain('DOE^PATIENT2-1002/20200315/Series 1/scan0002.dcm');
    expect(sample.truncated).toBe(true);
    expect(sample.total).toBe(30);
    const small = await engine.handlers['xnatUpload.samplePaths']({ dir: data(), limit: 4 });
    expect(small).toMatchObject({ truncated: true });
    expect(small.paths).toHaveLength(4);
    await expect(
      engine.handlers['xnatUpload.samplePaths']({ dir: join(dir.path, 'nowhere'), limit: 5 }),
    ).rejects.toThrow(/does not exist/);
  });

  it('reviews by subject, session and dataset; leaving out and bringing back are operator decisions', async () => {
    makeTree(data(), { subjects: 2, datasets: 2, files: 2 });
    addProblemFiles(data(), 'DOE^PATIENT0-1000');
    const batchId = await scanned();
    const review = await engine.handlers['xnatUpload.review']({ batchId });
    expect(review.totals).toMatchObject({ selected: 8, deselected: 0, keptOut: 5, unmatched: 1 });
    expect(review.subjects.map((s) => s.subject)).toEqual(['1000', '1001']);
    // The Extras folder's session holds only files the guards kept out: nothing to send there.
    expect(review.subjects[0]!.sessions.find((x) => x.session === '20200101')).toMatchObject({
      selected: 0,
      keptOut: 3,
    });
    const session = review.subjects[0]!.sessions.find((x) => x.session === '20200115')!;
    expect(session).toMatchObject({ session: '20200115', experiment: '1000_CT1', selected: 4 });
    expect(session.datasets.map((d) => [d.dataset, d.seriesNumber, d.selected])).toEqual([
      ['Head_CT', '1', 2],
      ['Series_1', '2', 2],
    ]);

    const off = await engine.handlers['xnatUpload.select']({
      batchId,
      upload: false,
      group: { subject: '1001' },
    });
    expect(off).toEqual({ changed: 4, refused: 0 });
    const after = await engine.handlers['xnatUpload.review']({ batchId });
    expect(after.subjects[1]).toMatchObject({ selected: 0, deselected: 4 });
    const decisions = engine.ledger.db.prepare('SELECT count(*) FROM decisions').pluck().get() as number;
    expect(decisions).toBe(4);

    // The scan's guards are not the operator's to undo here; what the operator left out is.
    const files = await engine.handlers['xnatUpload.reviewFiles']({
      batchId,
      subject: '1000',
      session: '20200101',
      dataset: 'Extras',
      offset: 0,
      limit: 100,
    });
    expect(files.files.every((f) => !f.selected && !f.changeable)).toBe(true);
    const guarded = await engine.handlers['xnatUpload.select']({
      batchId,
      upload: true,
      itemIds: files.files.map((f) => f.id),
    });
    expect(guarded.changed).toBe(0);
    const back = await engine.handlers['xnatUpload.select']({
      batchId,
      upload: true,
      group: { subject: '1001', session: '20200215', dataset: 'Head_CT' },
    });
    expect(back.changed).toBe(2);
    expect((await engine.handlers['xnatUpload.review']({ batchId })).totals).toMatchObject({
      selected: 6,
      deselected: 2,
    });
  });

  it('stores the upload settings through the batch store', async () => {
    makeTree(data(), { subjects: 1, files: 1 });
    const batchId = await scanned();
    const batch = engine.ledger.batches.require(batchId);
    const target = xnatTargetConfig.parse({ server: 'http://127.0.0.1:9', project: 'P2' });
    storeUploadSettings(engine.ledger, batch, target, 3);
    const stored = engine.ledger.batches.require(batchId);
    expect(stored.targetConfig).toMatchObject({ project: 'P2' });
    expect(stored.settings.concurrency).toBe(3);
    expect(stored.version).toBeGreaterThan(batch.version);
  });

  it('reads and writes the Configuration sheet; an existing workbook is replaced only when asked', async () => {
    mkdirSync(data(), { recursive: true });
    const path = join(dir.path, 'wb.xlsx');
    const config = {
      ...DEFAULT_CONFIG,
      paths: [{ label: 'Flat', cells: ['{Subject}', '{filename}.dcm'] }],
      mappings: { Subject: ['Subject'], Session: ['DICOM:StudyDate'], Dataset: ['DICOM:SeriesDescription'] },
    };
    await engine.handlers['xnatUpload.writeWorkbook']({ path, config, replace: false });
    expect(await engine.handlers['xnatUpload.readWorkbook']({ path })).toEqual(config);
    await expect(
      engine.handlers['xnatUpload.writeWorkbook']({ path, config, replace: false }),
    ).rejects.toThrow(/already exists/);
    const bytes = await engine.handlers['xnatUpload.workbookBytes']({ config });
    expect(Buffer.from(bytes.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
  });
});
