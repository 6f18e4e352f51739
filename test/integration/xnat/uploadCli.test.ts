import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  readWorkbook,
  writeConfigurationWorkbook,
  writeFilesSheet,
} from '../../../electron/engine/reports/xnatWorkbook';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator } from '../../servers/xnat/index';
import { courier, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';
import { makeTree } from './uploadFixture';
import type { TreeFile } from './uploadFixture';

describe('courier init, scan and upload', () => {
  const dir = tempDir('xnat-cli-');
  const db = join(dir.path, 'ledger.sqlite');
  const workbook = join(dir.path, 'files.xlsx');
  const data = join(dir.path, 'data');
  const login = { XNAT_USER: DEFAULT_USER.username, XNAT_PASSWORD: DEFAULT_USER.password };
  const run = (args: string[], env: Record<string, string> = login) => courier(['--db', db, ...args], env);
  let xnat: XnatEmulator;
  let tree: TreeFile[];

  beforeAll(async () => {
    requireBuilt();
    xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
    tree = makeTree(data, { subjects: 2, files: 3 });
  });
  afterAll(async () => {
    await xnat.close();
    dir.cleanup();
  });

  it('init writes the Configuration workbook and will not overwrite one by accident', async () => {
    const first = await run(['init', '--workbook', workbook]);
    expect(first.code).toBe(0);
    expect((await readWorkbook(workbook)).config).toEqual(DEFAULT_CONFIG);
    const again = await run(['init', '--workbook', workbook]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; give --force/);
  });

  it('scan refuses a configuration it cannot use, saying what is wrong (exit 2)', async () => {
    const bad = join(dir.path, 'bad.xlsx');
    await writeConfigurationWorkbook(bad, {
      ...DEFAULT_CONFIG,
      mappings: { ...DEFAULT_CONFIG.mappings, Subject: ['Patient'] },
    });
    const result = await run(['scan', '--dir', data, '--workbook', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Subject: the mapping for Subject uses "Patient", which no path pattern captures/,
    );
  });

  it('scan lists the folder into a batch and writes the Files sheet (exit 0)', async () => {
    await writeConfigurationWorkbook(workbook, {
      ...DEFAULT_CONFIG,
      xnat: { ...DEFAULT_CONFIG.xnat, Server: xnat.url, Project: 'P1' },
    });
    const result = await run(['scan', '--dir', data, '--workbook', workbook, '--batch', 'cli']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /cli: 6 file\(s\) to upload in 2 subject\(s\), 2 session\(s\), 2 dataset\(s\)/,
    );
    const sheet = await readWorkbook(workbook);
    expect(sheet.files).toHaveLength(6);
    expect(sheet.files.every((r) => r.upload && r.values.SessionLabel?.endsWith('_CT1'))).toBe(true);
  });

  it('upload stops with exit 2 on usage errors and refused logins, before sending anything', async () => {
    const neither = await run(['upload']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/either --batch NAME or --workbook FILE/);
    const refused = await run(['upload', '--batch', 'cli'], { XNAT_USER: 'courier', XNAT_PASSWORD: 'wrong' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the user name and password/);
    const dry = await run(['upload', '--batch', 'cli', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/subject 1000 \/ experiment 1000_CT1 \(xnat:ctSessionData, date 20200115\)/);
    expect(dry.stdout).toMatch(/6 file\(s\)/);
    expect(xnat.state.stats.filePuts).toBe(0);
  });

  it('upload honours Upload = N, exits 1 when a file fails, and says when the workbook is locked', async () => {
    const sheet = await readWorkbook(workbook);
    await writeFilesSheet(
      workbook,
      sheet.files.map((r) => (r.file === tree[5]!.path ? { ...r, upload: false } : r)),
    );
    // One file XNAT refuses (it fails for good in this run); one whose first copy XNAT lists with a wrong
    // digest (sent again in this run, replacing the damaged copy).
    xnat.faults.failNext(1, { kind: 'status', status: 400, match: { method: 'PUT', path: 'scan0001.dcm' } });
    xnat.faults.failNext(1, { kind: 'wrong-digest', match: { method: 'PUT', path: 'scan0002.dcm' } });
    const lock = join(dir.path, '~$files.xlsx');
    writeFileSync(lock, '');
    const result = await run(['upload', '--workbook', workbook]);
    rmSync(lock);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/open in a spreadsheet program/);
    expect(result.stderr).toMatch(/4 done, 1 skipped.*1 failed/);
    expect(xnat.faults.fired['wrong-digest']).toBe(1);
    expect(xnat.state.storedFiles()).toHaveLength(4);
  });

  it('a second upload retries what failed, writes the statuses and asks XNAT to process the sessions (exit 0)', async () => {
    const result = await run(['upload', '--workbook', workbook, '--after-upload', 'all']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/1 file\(s\) that failed before will be tried again/);
    const rows = (await readWorkbook(workbook)).files;
    expect(rows.map((r) => r.status)).toEqual(['success', 'success', 'success', 'success', 'success', '']);
    expect(rows[5]!.upload).toBe(false);
    const experiment = xnat.state.projects.get('P1')!.experiments.get('1000_CT1')!;
    expect(experiment.actions).toEqual(['pullDataFromHeaders', 'fixScanTypes', 'triggerPipelines']);
    const stored = xnat.state.storedFiles();
    expect(stored.every((f) => f.digest === f.md5)).toBe(true);
    // The copy that arrived damaged was this batch's own, so it was replaced; nothing else was written twice.
    expect(stored.map((f) => [f.writes, f.repairs]).sort()).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [2, 1],
    ]);
  });
});
