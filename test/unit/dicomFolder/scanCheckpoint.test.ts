import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ItemDraft } from '../../../electron/engine/ledger/ledger';
import { DEFAULT_CONFIG } from '../../../electron/engine/reports/xnatWorkbook';
import { ScanCheckpoint } from '../../../electron/engine/sources/dicomFolder/scanCheckpoint';
import { dicomFolderConfig } from '../../../electron/engine/sources/dicomFolder/sourceConfig';
import type { DicomFolderConfig } from '../../../electron/engine/sources/dicomFolder/sourceConfig';
import { tempDir } from '../../support/tempDir';

let dir: { path: string; cleanup(): void } | undefined;
afterEach(() => dir?.cleanup());

function setup(): { work: string; files: string; config: DicomFolderConfig } {
  dir = tempDir('scan-checkpoint-');
  const files = join(dir.path, 'files');
  mkdirSync(files);
  const config = dicomFolderConfig.parse({ dir: files, listing: 'folder', ...DEFAULT_CONFIG });
  return { work: join(dir.path, 'work', 'batch-1'), files, config };
}

/** A draft with a long, non-ASCII description: lines cross the blocks the checkpoint is written and read in. */
function draftFor(path: string, key: string, i: number): ItemDraft {
  return {
    key,
    path,
    name: key,
    group: `S${i % 7}/20200115`,
    size: 10,
    meta: {
      subject: `S${i % 7}`,
      dicom: { StudyDescription: `Übersicht Schädel ${'é'.repeat(400 + (i % 13))}` },
    },
  };
}

describe('the checkpoint of a cancelled scan', () => {
  it('keeps every draft across many blocks, and gives each back only while its file is unchanged', () => {
    const { work, files, config } = setup();
    const drafts: ItemDraft[] = [];
    for (let i = 0; i < 3000; i++) {
      const path = join(files, `f${i}.dcm`);
      writeFileSync(path, 'x'.repeat(10));
      drafts.push(draftFor(path, `f${i}.dcm`, i));
    }
    // Files no header was read for are not kept.
    drafts.push({
      key: 'README.txt',
      path: join(files, 'README.txt'),
      name: 'README.txt',
      reason: 'no-pattern-match',
    });
    expect(ScanCheckpoint.open(work, config).save(drafts)).toBe(3000);
    expect(statSync(join(work, 'dicom-scan-checkpoint.jsonl')).size).toBeGreaterThan(2 * (1 << 20));
    expect(readdirSync(work)).toEqual(['dicom-scan-checkpoint.jsonl']);
    expect(ScanCheckpoint.count(work)).toBe(3000);

    writeFileSync(join(files, 'f7.dcm'), 'changed, and longer');
    const again = ScanCheckpoint.open(work, config);
    expect(again.size).toBe(3000);
    expect(again.take('f2999.dcm', join(files, 'f2999.dcm'))).toEqual(drafts[2999]);
    expect(again.take('f7.dcm', join(files, 'f7.dcm'))).toBeUndefined();
    expect(again.take('gone.dcm', join(files, 'gone.dcm'))).toBeUndefined();

    // Other settings (another pattern) do not use it; removing it leaves nothing behind.
    const other = { ...config, paths: [{ label: 'DICOM', cells: ['{Subject}', '{filename}.dcm'] }] };
    expect(ScanCheckpoint.open(work, other).size).toBe(0);
    ScanCheckpoint.remove(work);
    expect(ScanCheckpoint.count(work)).toBe(0);
    expect(ScanCheckpoint.open(work, config).size).toBe(0);
  });

  it('adds to what an earlier cancel kept, so a second cancel before that point loses nothing', () => {
    const { work, files, config } = setup();
    const drafts = [0, 1, 2].map((i) => {
      const path = join(files, `f${i}.dcm`);
      writeFileSync(path, 'x'.repeat(10));
      return draftFor(path, `f${i}.dcm`, i);
    });
    ScanCheckpoint.open(work, config).save(drafts);
    const second = ScanCheckpoint.open(work, config);
    const taken = second.take('f0.dcm', drafts[0]!.path);
    expect(taken).toEqual(drafts[0]);
    const path = join(files, 'f3.dcm');
    writeFileSync(path, 'x'.repeat(10));
    expect(second.save([taken!, draftFor(path, 'f3.dcm', 3)])).toBe(4);
    expect(ScanCheckpoint.open(work, config).take('f2.dcm', drafts[2]!.path)).toEqual(drafts[2]);
  });

  it('is ignored when damaged', () => {
    const { work, config } = setup();
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'dicom-scan-checkpoint.jsonl'), '{"version":1,"config":');
    expect(ScanCheckpoint.count(work)).toBe(0);
    expect(ScanCheckpoint.open(work, config).size).toBe(0);
  });
});
