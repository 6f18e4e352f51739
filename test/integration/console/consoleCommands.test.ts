import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine';
import { PREVIEW_MAX_BYTES } from '../../../shared/commands/console';
import { writeDicomFile } from '../../fixtures/dicomFactory';
import { tempDir } from '../../support/tempDir';

describe('console commands', () => {
  let dir: ReturnType<typeof tempDir>;
  let engine: Engine;
  let batchId: number;
  const ids = new Map<string, number>();

  beforeEach(() => {
    dir = tempDir();
    engine = new Engine({ dbFile: join(dir.path, 'ledger.sqlite'), dataDir: dir.path, mode: 'cli' });
    batchId = engine.ledger.batches.create({
      name: 'b',
      sourceKind: 'folder',
      sourceConfig: { dir: dir.path },
      targetKind: 'folder',
      targetConfig: { dir: join(dir.path, 'out') },
    }).id;
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60)]);
    writeFileSync(join(dir.path, 'photo.jpg'), jpeg);
    writeFileSync(join(dir.path, 'huge.png'), Buffer.alloc(PREVIEW_MAX_BYTES + 1));
    writeFileSync(join(dir.path, 'huge.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), {
      flag: 'r+',
    });
    writeFileSync(join(dir.path, 'notes.txt'), 'plain text');
    writeDicomFile(join(dir.path, 'ct.dcm'), { tags: { PatientID: 'PID-42' } });
    const files = ['photo.jpg', 'huge.png', 'notes.txt', 'ct.dcm', 'gone.png'];
    engine.ledger.addItems(batchId, [
      ...files.map((f) => ({ key: f, path: join(dir.path, f), name: f })),
      { key: 'web', path: 'https://example.org/case/1', name: 'web.png' },
    ]);
    for (const row of engine.ledger.window({
      batchId,
      filter: {},
      sort: { column: 'seq', direction: 'asc' },
      offset: 0,
      limit: 10,
    }).rows)
      ids.set(row.name, row.id);
  });
  afterEach(async () => {
    await engine.close();
    dir.cleanup();
  });

  const preview = async (name: string) => await engine.handlers['items.preview']({ itemId: ids.get(name)! });

  it('previews JPEG and PNG files as data URLs, by their bytes, within the size cap', async () => {
    const jpeg = await preview('photo.jpg');
    expect(jpeg).toMatchObject({ kind: 'image', mime: 'image/jpeg' });
    expect(jpeg.kind === 'image' && jpeg.dataUrl.startsWith('data:image/jpeg;base64,/9j/')).toBe(true);
    expect(await preview('huge.png')).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/larger than the 8 MB/),
    });
  });

  it('shows a DICOM header with tags, keywords and VRs', async () => {
    const dicom = await preview('ct.dcm');
    expect(dicom.kind).toBe('dicom');
    if (dicom.kind !== 'dicom') return;
    expect(dicom.elements).toContainEqual({
      tag: '(0010,0020)',
      keyword: 'PatientID',
      vr: 'LO',
      value: 'PID-42',
    });
  });

  it('explains why there is no preview', async () => {
    expect(await preview('notes.txt')).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/not a JPEG, PNG or DICOM/),
    });
    expect(await preview('gone.png')).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/not there any more/),
    });
    expect(await preview('web.png')).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/not on this computer/),
    });
  });

  it('lists the files of an attention group and refuses to delete a running batch', async () => {
    engine.ledger.db
      .prepare(
        `UPDATE items SET status = 'attention', reason = 'name-conflict' WHERE name IN ('photo.jpg', 'ct.dcm')`,
      )
      .run();
    const group = await engine.handlers['attention.items']({
      batchId,
      reason: 'name-conflict',
      offset: 0,
      limit: 10,
    });
    expect(group.total).toBe(2);
    expect(group.rows.map((r) => r.name)).toEqual(['photo.jpg', 'ct.dcm']);
    engine.ledger.batches.setState(batchId, 'running', 'test');
    expect(() => engine.handlers['batches.delete']({ batchId })).toThrow(/is running; pause or cancel it/);
    engine.ledger.batches.setState(batchId, 'paused', 'test');
    expect(engine.handlers['batches.delete']({ batchId })).toEqual({ deleted: true, items: 6 });
    expect(engine.handlers['batches.list']({})).toEqual([]);
  });
});
