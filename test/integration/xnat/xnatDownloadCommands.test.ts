import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine';
import { labelMatcher } from '../../../electron/engine/commands/xnatDownload';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat';
import type { XnatEmulator } from '../../servers/xnat';
import { tempDir } from '../../support/tempDir';

describe('xnatDownload commands against the emulator, through a saved connection', () => {
  const dir = tempDir('xnat-download-commands-');
  let xnat: XnatEmulator;
  let engine: Engine;
  let good: string;
  let bad: string;

  beforeAll(async () => {
    xnat = await startXnatEmulator({
      users: [DEFAULT_USER, { username: 'guest', password: 'guest-password' }],
      projects: [
        { id: 'CHEST', name: 'Chest CT', secondaryId: 'HUB-CHEST' },
        { id: 'BRAIN', name: 'Brain MR' },
      ],
    });
    const s = xnat.state;
    s.addExperiment('CHEST', 'SUBJ-7', 'ACC-0042', { xsiType: 'xnat:ctSessionData', date: '2021-05-06' });
    s.addScan('CHEST', 'ACC-0042', '1', { type: 'HEAD' });
    s.addScan('CHEST', 'ACC-0042', '2', { type: 'NECK' });
    const e = { project: 'CHEST', experiment: 'ACC-0042' };
    await s.addFile({ ...e, scan: '1' }, 'DICOM', 'a.dcm', Buffer.alloc(100, 1));
    await s.addFile({ ...e, scan: '2' }, 'DICOM', 'b.dcm', Buffer.alloc(50, 2));
    await s.addFile({ ...e, scan: '2' }, 'NIFTI', 'n.nii.gz', Buffer.alloc(7, 3));
    s.addAssessor('CHEST', 'ACC-0042', 'ACC-0042_QC');
    await s.addFile({ ...e, assessor: 'ACC-0042_QC' }, 'REPORT', 'qc.json', '{}');
    for (const label of ['ACC-0100', 'acc-0101', 'OTHER-1']) {
      s.addExperiment('CHEST', 'SUBJ-8', label, { xsiType: 'xnat:mrSessionData', date: '2022-01-02' });
    }
    engine = new Engine({ dbFile: join(dir.path, 'ledger.sqlite'), dataDir: dir.path, mode: 'cli' });
    const save = engine.handlers['connections.save'];
    good = (
      await save({
        kind: 'xnat',
        label: 'XNAT',
        url: xnat.url,
        ...DEFAULT_USER,
        username: DEFAULT_USER.username,
      })
    ).id;
    bad = (await save({ kind: 'xnat', label: 'Typo', url: xnat.url, username: 'courier', password: 'nope' }))
      .id;
  });
  afterAll(async () => {
    await engine?.close();
    await xnat?.close();
    dir.cleanup();
  });

  it('lists the readable projects, sorted, with secondary IDs', async () => {
    const projects = await engine.handlers['xnatDownload.projects']({ connectionId: good });
    expect(projects).toEqual([
      { id: 'BRAIN', secondaryId: 'BRAIN', name: 'Brain MR' },
      { id: 'CHEST', secondaryId: 'HUB-CHEST', name: 'Chest CT' },
    ]);
  });

  it('reports a wrong password in words that name the server', async () => {
    await expect(engine.handlers['xnatDownload.projects']({ connectionId: bad })).rejects.toMatchObject({
      code: 'xnat-auth',
      message: expect.stringContaining(xnat.url) as string,
    });
  });

  it('finds experiments by part of the label, case-insensitively, limited, with the totals', async () => {
    const list = await engine.handlers['xnatDownload.experiments']({
      connectionId: good,
      project: 'CHEST',
      search: 'acc-01',
      limit: 1,
    });
    expect(list.matched).toBe(2);
    expect(list.total).toBe(4);
    expect(list.experiments).toEqual([
      {
        id: expect.any(String) as string,
        label: 'ACC-0100',
        subject: 'SUBJ-8',
        date: '2022-01-02',
        xsiType: 'xnat:mrSessionData',
      },
    ]);
    const all = await engine.handlers['xnatDownload.experiments']({
      connectionId: good,
      project: 'CHEST',
      limit: 50,
    });
    expect(all.experiments.map((x) => x.label)).toEqual(['ACC-0042', 'ACC-0100', 'acc-0101', 'OTHER-1']);
  });

  it('says when the project does not exist', async () => {
    await expect(
      engine.handlers['xnatDownload.experiments']({ connectionId: good, project: 'NOPE', limit: 5 }),
    ).rejects.toMatchObject({ code: 'xnat-project-not-found' });
  });

  it('describes an experiment: scans, assessors and the resource types with their files and sizes', async () => {
    const contents = await engine.handlers['xnatDownload.scans']({
      connectionId: good,
      project: 'CHEST',
      experiment: 'ACC-0042',
    });
    expect(contents.experiment).toMatchObject({ label: 'ACC-0042', subject: 'SUBJ-7', date: '2021-05-06' });
    expect(contents.scans.map((s) => [s.id, s.type, s.resources])).toEqual([
      ['1', 'HEAD', ['DICOM']],
      ['2', 'NECK', ['DICOM', 'NIFTI']],
    ]);
    expect(contents.resources.scan).toEqual([
      { label: 'DICOM', owners: 2, files: 2, bytes: 150 },
      { label: 'NIFTI', owners: 1, files: 1, bytes: 7 },
    ]);
    expect(contents.assessors.map((a) => [a.label, a.resources])).toEqual([['ACC-0042_QC', ['REPORT']]]);
    expect(contents.resources.assessor).toEqual([{ label: 'REPORT', owners: 1, files: 1, bytes: 2 }]);
  });

  it('says when the experiment does not exist', async () => {
    await expect(
      engine.handlers['xnatDownload.scans']({ connectionId: good, project: 'CHEST', experiment: 'ACC-9' }),
    ).rejects.toMatchObject({ code: 'xnat-experiment-not-found' });
  });
});

describe('labelMatcher', () => {
  it('matches a part of the label, ignores case, and reads * as any characters', () => {
    expect(labelMatcher('')('anything')).toBe(true);
    expect(labelMatcher('cc-00')('ACC-0042')).toBe(true);
    expect(labelMatcher('acc*42')('ACC-0042')).toBe(true);
    expect(labelMatcher('acc*43')('ACC-0042')).toBe(false);
    expect(labelMatcher('a.c')('ABC')).toBe(false);
  });
});
