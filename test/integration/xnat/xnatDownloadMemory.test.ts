import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { courier, requireBuilt } from '../../support/cli';
import { startDownloadKit } from './downloadBatchKit';
import type { DownloadKit } from './downloadBatchKit';

const FILE_BYTES = 128 * 1024 * 1024;
const FILE_COUNT = 8; // 1 GiB of incompressible bytes, generated while the zip streams
const RSS_LIMIT_MIB = 300;
/** Makes the courier process print its peak resident set size (KiB) as it exits. */
const PEAK_RSS_HOOK =
  "--import=data:text/javascript,process.on('exit',()=>process.stderr.write(" +
  "'peak-rss-kib%20'+process.resourceUsage().maxRSS+String.fromCharCode(10)))";

let kit: DownloadKit;

beforeAll(async () => {
  requireBuilt();
  kit = await startDownloadKit({ zipCompression: 'store' });
  kit.emulator.state.addExperiment('P1', 'SUBJ-1', 'ACC-BIG');
  kit.emulator.state.addScan('P1', 'ACC-BIG', '1');
  for (let i = 0; i < FILE_COUNT; i++) {
    await kit.emulator.state.addFile(
      { project: 'P1', experiment: 'ACC-BIG', scan: '1' },
      'DICOM',
      `big-${i}.dcm`,
      {
        size: FILE_BYTES,
        seed: `big-${i}`,
      },
    );
  }
});

afterAll(async () => {
  await kit?.close();
});

it(`downloads and extracts a 1 GiB experiment zip with the courier process under ${RSS_LIMIT_MIB} MiB of RSS`, async () => {
  const run = await courier(
    [
      '--db',
      path.join(kit.dataDir, 'ledger.sqlite'),
      'xnat-download',
      '--server',
      kit.emulator.url,
      '--project',
      'HUB-001',
      '--accession',
      'ACC-BIG',
      '--out',
      kit.out,
    ],
    { HOME: kit.root, XNAT_USER: 'courier', XNAT_PASSWORD: 'courier-password', NODE_OPTIONS: PEAK_RSS_HOOK },
  );
  const peak = /peak-rss-kib (\d+)/.exec(run.stderr);
  const peakRssMib = Number(peak?.[1] ?? NaN) / 1024;
  expect(run.stderr).toContain(`${FILE_COUNT} done, 0 skipped`);
  expect(run.code).toBe(0);
  const files = kit.emulator.state.storedFiles();
  const stored = new Map(files.map((f) => [`ACC-BIG/scans/1/resources/DICOM/files/${f.path}`, f.md5]));
  expect(await kit.files(kit.out)).toEqual([...stored.keys()].sort());
  expect(kit.emulator.state.stats.zipDownloads).toBe(1);
  const ledger = new Database(path.join(kit.dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    const rows = ledger.prepare('SELECT name, md5, size FROM items ORDER BY name').all() as {
      name: string;
      md5: string;
      size: number;
    }[];
    expect(rows.map((r) => [r.name, r.md5, r.size])).toEqual(
      [...stored].sort().map(([name, md5]) => [name, md5, FILE_BYTES]),
    );
  } finally {
    ledger.close();
  }
  expect(peakRssMib).toBeGreaterThan(50);
  expect(peakRssMib).toBeLessThan(RSS_LIMIT_MIB);
}, 300_000);
