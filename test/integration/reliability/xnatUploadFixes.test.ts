// Two faults the reliability harness found in `courier upload`, each pinned by a focused test:
// a passing 5xx or reset while checking the project at start ended the whole run (exit 2), and files
// whose names XNAT would hand back in archives that Windows and Courier's own download refuse were sent.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchCounts } from '../../../bench/reliability/courierProcess';
import { exportedItems } from '../../../bench/reliability/faults';
import { buildDicom } from '../../fixtures/dicomFactory';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator } from '../../servers/xnat/index';
import { tempDir } from '../../support/tempDir';
import { makeTree, writeWorkbook } from '../xnat/uploadFixture';
import { installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

const LOGIN = { XNAT_USER: DEFAULT_USER.username, XNAT_PASSWORD: DEFAULT_USER.password };
let courier: CourierInstall;
let xnat: XnatEmulator;
let dir: { path: string; cleanup(): void };

beforeAll(async () => {
  courier = await installCourier();
  xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
  dir = tempDir('xnat-upload-fixes-');
});
afterAll(async () => {
  courier?.remove();
  await xnat?.close();
  dir?.cleanup();
});

async function scanned(data: string, batch: string): Promise<string> {
  const db = join(dir.path, `${batch}.sqlite`);
  const workbook = join(dir.path, `${batch}.xlsx`);
  await writeWorkbook(workbook, xnat.url, 'P1');
  const scan = await courier.run([
    '--db',
    db,
    'scan',
    '--dir',
    data,
    '--workbook',
    workbook,
    '--unmatched',
    '--batch',
    batch,
  ]);
  expect(scan.code, scan.stderr).toBe(0);
  return db;
}

describe('courier upload', () => {
  it('asks again when the project check at start meets a passing 503 or reset, then uploads', async () => {
    const tree = makeTree(join(dir.path, 'retry'), { subjects: 1, files: 4 });
    const db = await scanned(join(dir.path, 'retry'), 'retry');
    const projectCheck = { method: 'GET', path: /^\/data\/projects\/P1$/ };
    xnat.faults.failNext(2, { kind: 'status', status: 503, match: projectCheck });
    xnat.faults.failNext(1, { kind: 'reset', match: projectCheck });
    const run = await courier.run(['--db', db, 'upload', '--batch', 'retry'], LOGIN);
    expect(xnat.faults.fired.status).toBeGreaterThanOrEqual(2);
    expect(xnat.faults.fired.reset).toBeGreaterThanOrEqual(1);
    expect(run.code, run.stderr).toBe(0);
    expect(await batchCounts(courier, db, 'retry')).toMatchObject({ done: tree.length });
  }, 120_000);

  it('still stops at once (exit 2) when the project does not exist', async () => {
    const db = join(dir.path, 'retry.sqlite');
    const run = await courier.run(['--db', db, 'upload', '--batch', 'retry', '--project', 'NOPE'], LOGIN);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('NOPE');
  }, 120_000);

  it('stops files whose names Windows or XNAT archives would refuse, naming why, and sends the rest', async () => {
    const folder = join(dir.path, 'names', 'DOE^NAMES-2000', '20200101', 'Head CT');
    mkdirSync(folder, { recursive: true });
    const names = ['ok.dcm', 'CON.dcm', 'a:b.dcm', 'back\\slash.dcm', 'bell\u0007.dcm', 'what?.dcm'];
    names.forEach((name, i) => {
      const built = buildDicom({
        pixelBytes: 64,
        tags: { SOPInstanceUID: `1.2.3.4.${i}`, SeriesNumber: '7' },
      });
      writeFileSync(join(folder, name), Buffer.concat([built.header, Buffer.alloc(64, i)]));
    });
    const db = await scanned(join(dir.path, 'names'), 'names');
    const run = await courier.run(['--db', db, 'upload', '--batch', 'names'], LOGIN);
    expect(run.code, run.stderr).toBe(1);
    const items = await exportedItems(courier, db, 'names', join(dir.path, 'names.json'));
    const byName = new Map(items.map((i) => [i.path.split('/').pop(), i]));
    expect(byName.get('ok.dcm')?.status).toBe('done');
    for (const name of names.slice(1)) {
      expect(byName.get(name), name).toMatchObject({ status: 'attention', reason: 'unsafe-name' });
      expect(byName.get(name)?.message).toContain(JSON.stringify(name));
    }
    const stored = xnat.state.storedFiles().filter((f) => f.key.includes('/scans/7/'));
    expect(stored.map((f) => f.path.split('/').pop())).toEqual(['ok.dcm']);
  }, 120_000);
});
