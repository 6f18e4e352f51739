import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../../support/cli';
import { startDownloadKit } from './downloadBatchKit';
import type { DownloadKit } from './downloadBatchKit';

let kit: DownloadKit;
const dicom = (n: number) => Buffer.alloc(30_000 + n, n);

beforeAll(async () => {
  requireBuilt();
  kit = await startDownloadKit();
  const state = kit.emulator.state;
  state.addExperiment('P1', 'SUBJ-1', 'ACC-0042');
  state.addScan('P1', 'ACC-0042', '1');
  const scan = { project: 'P1', experiment: 'ACC-0042', scan: '1' };
  await state.addFile(scan, 'DICOM', '1-001.dcm', dicom(1));
  await state.addFile(scan, 'DICOM', '1-002.dcm', dicom(2));
});

afterAll(async () => {
  await kit?.close();
});

interface RunOptions {
  env?: Record<string, string>;
  out?: string;
  /** Runs that go on at the same time get ledgers of their own. */
  ledger?: string;
  server?: string;
}

/** `courier --db … xnat-download --server … --out …` plus `args`, with the login in the environment. */
function download(args: string[], options: RunOptions = {}) {
  return courier(
    [
      '--db',
      path.join(kit.dataDir, `${options.ledger ?? 'ledger'}.sqlite`),
      'xnat-download',
      '--server',
      options.server ?? kit.emulator.url,
      '--out',
      options.out ?? kit.out,
      ...args,
    ],
    { HOME: kit.root, XNAT_USER: 'courier', XNAT_PASSWORD: 'courier-password', ...options.env },
  );
}

const FILE = 'ACC-0042/scans/1/resources/DICOM/files/1-001.dcm';

describe('courier xnat-download', () => {
  it('exits 0 when every file arrived, and a re-run of the same batch is a no-op that also exits 0', async () => {
    const run = await download(['--project', 'HUB-001', '--accession', 'ACC-0042', '--batch', 'acc42']);
    expect(run.stderr).toContain('acc42: 2 done, 0 skipped');
    expect(run.code).toBe(0);
    expect((await readFile(path.join(kit.out, FILE))).equals(dicom(1))).toBe(true);

    const again = await download(['--project', 'HUB-001', '--accession', 'ACC-0042', '--batch', 'acc42']);
    expect(again.code).toBe(0);
    expect(kit.emulator.state.stats.zipDownloads).toBe(1);
  });

  it.concurrent.each<[string, string[], RunOptions, string | RegExp]>([
    ['a missing project', ['--project', 'NOPE', '--accession', 'ACC-0042'], {}, "project 'NOPE' not found"],
    [
      'a wrong password',
      ['--project', 'P1', '--accession', 'ACC-0042'],
      { env: { XNAT_PASSWORD: 'wrong' } },
      "refused the user name and password (or alias token) for 'courier' (401)",
    ],
    [
      'a server that cannot be reached',
      ['--project', 'P1', '--accession', 'ACC-0042'],
      { server: 'http://127.0.0.1:9' },
      /courier: logging in to XNAT at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
    ],
    ['an unsafe accession number', ['--project', 'P1', '--accession', '../up'], {}, 'plain folder name'],
  ])('exits 2 for %s, saying what is wrong', async (what, args, options, message) => {
    const run = await download(args, { ...options, ledger: what.replaceAll(' ', '-') });
    if (typeof message === 'string') expect(run.stderr).toContain(message);
    else expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
  });

  it('exits 1 when a file needs a decision (other content already at the destination)', async () => {
    const out = path.join(kit.root, 'other-out');
    const taken = path.join(out, 'ACC-0042/scans/1/resources/DICOM/files/1-002.dcm');
    await mkdir(path.dirname(taken), { recursive: true });
    await writeFile(taken, 'not the same');
    const run = await download(['--project', 'P1', '--accession', 'ACC-0042'], { out, ledger: 'conflict' });
    expect(run.stderr).toMatch(/1 done, .* 1 need attention/);
    expect(run.code).toBe(1);
  });
});
