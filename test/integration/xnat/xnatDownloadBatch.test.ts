import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/engine';
import { buildZip } from '../../unit/zip/zipFixtures';
import type { FixtureEntry } from '../../unit/zip/zipFixtures';
import { md5, rejectionOf, startDownloadKit } from './downloadBatchKit';
import type { DownloadKit } from './downloadBatchKit';

let kit: DownloadKit;
const dicom = (n: number) => Buffer.alloc(40_000 + n, n);
const FILES = 'ACC-0042/scans/1/resources/DICOM/files/';

beforeEach(async () => {
  kit = await startDownloadKit();
  const state = kit.emulator.state;
  state.addExperiment('P1', 'SUBJ-1', 'ACC-0042', { xsiType: 'xnat:ctSessionData', date: '2021-05-06' });
  state.addScan('P1', 'ACC-0042', '1', { type: 'HEAD' });
  state.addScan('P1', 'ACC-0042', '2', { type: 'NECK' });
  const e = { project: 'P1', experiment: 'ACC-0042' };
  await state.addFile({ ...e, scan: '1' }, 'DICOM', '1-001.dcm', dicom(1));
  await state.addFile({ ...e, scan: '1' }, 'DICOM', '1-002.dcm', dicom(2));
  await state.addFile({ ...e, scan: '2' }, 'DICOM', 'series/2-001.dcm', dicom(3));
  await state.addFile({ ...e, scan: '2' }, 'NIFTI', 'neck.nii.gz', 'nifti bytes');
  state.addAssessor('P1', 'ACC-0042', 'ACC-0042_QC');
  await state.addFile({ ...e, assessor: 'ACC-0042_QC' }, 'REPORT', 'qc.json', '{"ok":true}');
});

afterEach(async () => {
  await kit.close();
});

const workDir = (batchId: number) => path.join(kit.dataDir, 'work', `batch-${batchId}`);
const filesUnder = (dir: string) => kit.files(dir);

describe('xnat-download batch', () => {
  it("lists every file of the experiment in the ledger and writes them in XNAT's entry layout", async () => {
    const engine = kit.openEngine();
    const id = kit.createBatch(engine, {});
    expect(await engine.runToEnd(id)).toBe('finished');

    const items = kit.items(engine, id);
    const subject = kit.emulator.state.experiment('P1', 'ACC-0042')!.subject.id;
    const expected = [
      ['1', '1-001.dcm', dicom(1)],
      ['1', '1-002.dcm', dicom(2)],
      ['2', 'series/2-001.dcm', dicom(3)],
    ] as const;
    expect(items).toHaveLength(3);
    expected.forEach(([scan, file, bytes], i) => {
      const key = `scans/${scan}/resources/DICOM/files/${file}`;
      const item = items[i]!;
      expect(item).toMatchObject({
        key,
        name: `ACC-0042/${key}`,
        path: `${kit.emulator.url}/data/projects/P1/subjects/${subject}/experiments/ACC-0042/${key}`,
        group_key: scan,
        status: 'done',
        size: bytes.length,
        md5: md5(bytes),
        target: path.join(kit.out, 'ACC-0042', ...key.split('/')),
      });
      expect(item.sha1).toMatch(/^[0-9a-f]{40}$/);
      expect(JSON.parse(item.meta)).toEqual({
        scanId: scan,
        resource: 'DICOM',
        md5: md5(bytes),
        project: 'P1',
        subject,
        experiment: 'ACC-0042',
      });
    });
    for (const [scan, file, bytes] of expected) {
      const onDisk = await readFile(path.join(kit.out, FILES.replace('/1/', `/${scan}/`), file));
      expect(onDisk.equals(bytes)).toBe(true);
    }
    expect(await filesUnder(kit.out)).toEqual(
      expected.map(([scan, file]) => `ACC-0042/scans/${scan}/resources/DICOM/files/${file}`).sort(),
    );
    // The zip and the staged copies are gone once every file is settled.
    expect(await kit.tree(workDir(id))).toEqual([]);
    expect(kit.emulator.state.stats.zipDownloads).toBe(1);
  });

  it('finds the project by secondary ID or alias; ALL takes every resource; assessors work too', async () => {
    const engine = kit.openEngine();
    const all = kit.createBatch(engine, { project: 'HUB-001', resource: 'ALL' }, 'all');
    expect(await engine.runToEnd(all)).toBe('finished');
    const allItems = kit.items(engine, all);
    expect(allItems.map((i) => [i.key, JSON.parse(i.meta).resource])).toEqual([
      ['scans/1/resources/DICOM/files/1-001.dcm', 'DICOM'],
      ['scans/1/resources/DICOM/files/1-002.dcm', 'DICOM'],
      ['scans/2/resources/DICOM/files/series/2-001.dcm', 'DICOM'],
      ['scans/2/resources/NIFTI/files/neck.nii.gz', 'NIFTI'],
    ]);
    expect(allItems.every((i) => i.status === 'done')).toBe(true);

    const qc = kit.createBatch(engine, { project: 'P1-ALIAS', type: 'assessor', resource: 'REPORT' }, 'qc');
    expect(await engine.runToEnd(qc)).toBe('finished');
    const [report] = kit.items(engine, qc);
    expect(report).toMatchObject({
      key: 'assessors/ACC-0042_QC/resources/REPORT/files/qc.json',
      group_key: 'ACC-0042_QC',
      status: 'done',
      md5: md5('{"ok":true}'),
    });
    expect(JSON.parse(report!.meta)).toMatchObject({ assessor: 'ACC-0042_QC', resource: 'REPORT' });
    expect(
      await readFile(
        path.join(kit.out, 'ACC-0042/assessors/ACC-0042_QC/resources/REPORT/files/qc.json'),
        'utf8',
      ),
    ).toBe('{"ok":true}');
  });

  it.each([
    [
      'project',
      { project: 'NOPE' },
      'xnat-project-not-found',
      "XNAT answered 404: project 'NOPE' not found (checked IDs, aliases and secondary IDs visible to user 'courier')",
    ],
    [
      'experiment',
      { accession: 'ACC-9999' },
      'xnat-experiment-not-found',
      "XNAT answered 404: experiment 'ACC-9999' not found in project 'P1'",
    ],
    [
      'resource type',
      { resource: 'SEG' },
      'xnat-resource-not-found',
      "XNAT answered 404: no scan of experiment 'ACC-0042' in project 'P1' has files in a 'SEG' resource",
    ],
  ])(
    'a missing %s stops the batch with a 404 that says what is missing',
    async (_what, config, code, message) => {
      const engine = kit.openEngine();
      const id = kit.createBatch(engine, config);
      const error = await rejectionOf(engine.runToEnd(id));
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      const batch = engine.ledger.batches.require(id);
      expect(batch.state).toBe('paused');
      expect(engine.summary(batch).note).toContain(message);
      expect(kit.items(engine, id)).toEqual([]);
      expect(await kit.tree(kit.out)).toEqual([]);
      expect(await filesUnder(workDir(id))).toEqual([]);
    },
  );

  it('a wrong password stops the batch with a 401 before anything is downloaded', async () => {
    const engine = kit.openEngine({ user: 'courier', password: 'wrong' });
    const id = kit.createBatch(engine, {});
    const error = await rejectionOf(engine.runToEnd(id));
    expect(error.code).toBe('xnat-auth');
    expect(error.message).toContain(
      "refused the user name and password (or alias token) for 'courier' (401)",
    );
    expect(kit.emulator.state.stats.zipDownloads).toBe(0);
    expect(await kit.tree(kit.out)).toEqual([]);
  });

  it('a download cut off halfway starts over cleanly, and leftovers of an earlier crash are cleared', async () => {
    const engine = kit.openEngine();
    const id = kit.createBatch(engine, {});
    // What a run killed during the download would leave behind.
    const leftovers = path.join(workDir(id), 'xnat-download');
    await mkdir(path.join(leftovers, '.staged.extracting-abc', 'ACC-0042'), { recursive: true });
    await writeFile(path.join(leftovers, 'experiment.zip.part'), 'half a zip');
    await writeFile(path.join(leftovers, '.staged.extracting-abc', 'ACC-0042', 'stale.dcm'), 'stale');
    kit.emulator.faults.failNext(1, { kind: 'truncate', afterBytes: 30_000, match: { path: '/scans/ALL/' } });

    expect(await engine.runToEnd(id)).toBe('finished');
    expect(kit.emulator.faults.fired.truncate).toBe(1);
    expect(kit.emulator.state.stats.zipDownloads).toBe(2);
    expect(engine.ledger.counts(id)).toMatchObject({ done: 3, failed: 0 });
    expect(await filesUnder(kit.out)).toHaveLength(3);
    expect(await kit.tree(workDir(id))).toEqual([]);
  });

  it('a cancel ends at once while the server never answers the log-in, and nothing is listed', async () => {
    let loggingIn!: () => void;
    const loginArrived = new Promise<void>((resolve) => (loggingIn = resolve));
    const silent = createServer(() => loggingIn());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const engine = kit.openEngine();
      const server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const id = kit.createBatch(engine, { server });
      const finished = engine.runToEnd(id);
      await loginArrived;
      await engine.handlers['batches.cancel']({ batchId: id });
      await expect(finished).resolves.toBe('cancelled');
      expect(engine.ledger.batches.require(id)).toMatchObject({ state: 'cancelled', collected: false });
      expect(kit.items(engine, id)).toHaveLength(0);
    } finally {
      silent.close();
    }
  });

  it('after an interruption, a re-run delivers the rest from the extracted files without downloading again', async () => {
    const e = { project: 'P1', experiment: 'ACC-0042', scan: '3' };
    kit.emulator.state.addScan('P1', 'ACC-0042', '3');
    for (let i = 0; i < 400; i++) {
      await kit.emulator.state.addFile(e, 'DICOM', `many/${String(i).padStart(3, '0')}.dcm`, `file ${i}`);
    }
    const first = kit.openEngine();
    const id = kit.createBatch(first, {});
    let stopping: Promise<void> | undefined;
    first.ledger.onChange((batchId) => {
      if (batchId === id && !stopping && first.ledger.counts(id).done > 0) stopping = kit.closeEngine(first);
    });
    expect(await first.runToEnd(id)).toBe('running');
    await stopping;

    const second = kit.openEngine();
    const before = second.ledger.counts(id);
    expect(before.done).toBeGreaterThan(0);
    expect(before.done).toBeLessThan(403);
    expect(await second.runToEnd(id)).toBe('finished');
    expect(second.ledger.counts(id)).toMatchObject({ done: 403, failed: 0, interrupted: 0 });
    expect(kit.emulator.state.stats.zipDownloads).toBe(1);
    expect(await filesUnder(kit.out)).toHaveLength(403);
    expect(
      await readFile(path.join(kit.out, 'ACC-0042/scans/3/resources/DICOM/files/many/399.dcm'), 'utf8'),
    ).toBe('file 399');
  });

  it('a re-run skips files already there with the same content; a changed file waits for a decision', async () => {
    const engine = kit.openEngine();
    const first = kit.createBatch(engine, {}, 'first');
    expect(await engine.runToEnd(first)).toBe('finished');
    const target = path.join(kit.out, FILES, '1-001.dcm');
    const before = await stat(target);

    const second = kit.createBatch(engine, {}, 'second');
    expect(await engine.runToEnd(second)).toBe('finished');
    const again = kit.items(engine, second);
    expect(again.map((i) => [i.status, i.reason])).toEqual(Array(3).fill(['done', 'already-there']));
    expect(again.map((i) => i.md5)).toEqual(kit.items(engine, first).map((i) => i.md5));
    const after = await stat(target);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);

    await writeFile(target, 'edited locally');
    const third = kit.createBatch(engine, {}, 'third');
    expect(await engine.runToEnd(third)).toBe('finished');
    const conflict = kit.items(engine, third).find((i) => i.key.endsWith('1-001.dcm'))!;
    expect(conflict).toMatchObject({ status: 'attention', reason: 'name-conflict' });
    expect(engine.ledger.counts(third)).toMatchObject({ done: 2, attention: 1 });
    // The staged copy waits for the decision: approving it needs no new download.
    expect(existsSync(path.join(workDir(third), 'xnat-download'))).toBe(true);
    engine.ledger.decide({ batchId: third, itemIds: [conflict.id], action: 'approve', actor: 'test' });
    expect(await engine.runToEnd(third)).toBe('finished');
    expect((await readFile(target)).equals(dicom(1))).toBe(true);
    expect(kit.emulator.state.stats.zipDownloads).toBe(3);
    expect(await kit.tree(workDir(third))).toEqual([]);
  });

  it('a file whose staged copy is gone is fetched again on its own and checked against its MD5', async () => {
    const engine = kit.openEngine();
    const target = path.join(kit.out, FILES, '1-002.dcm');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, 'something else');
    const id = kit.createBatch(engine, {});
    expect(await engine.runToEnd(id)).toBe('finished');
    const conflict = kit.items(engine, id).find((i) => i.status === 'attention')!;
    await rm(workDir(id), { recursive: true, force: true });

    engine.ledger.decide({ batchId: id, itemIds: [conflict.id], action: 'approve', actor: 'test' });
    expect(await engine.runToEnd(id)).toBe('finished');
    expect(kit.items(engine, id).find((i) => i.id === conflict.id)).toMatchObject({
      status: 'done',
      md5: md5(dicom(2)),
    });
    expect((await readFile(target)).equals(dicom(2))).toBe(true);
    expect(kit.emulator.state.stats.zipDownloads).toBe(1);
    expect(
      kit.emulator.state.requestLog.some(
        (r) =>
          r.method === 'GET' &&
          r.path.endsWith('/scans/1/resources/DICOM/files/1-002.dcm') &&
          r.status === 200,
      ),
    ).toBe(true);
  });
});

describe('hostile zips from the server', () => {
  const ok: FixtureEntry = { name: `${FILES}ok.dcm`, data: 'fine' };
  const slip = `${FILES}${'../'.repeat(11)}courier-slip.txt`;
  it.each<[string, FixtureEntry[], string, string]>([
    ['zip slip', [ok, { name: slip, data: 'escaped' }], 'zip-unsafe-path', slip],
    [
      'an absolute path',
      [ok, { name: '/tmp/courier-absolute.txt', data: 'x' }],
      'zip-unsafe-path',
      '/tmp/courier-absolute.txt',
    ],
    [
      'a symbolic link',
      [ok, { name: `${FILES}link.dcm`, data: '/etc/passwd', mode: 0o120777 }],
      'zip-special-file',
      `${FILES}link.dcm`,
    ],
    [
      'a zip bomb',
      [ok, { name: `${FILES}bomb.dcm`, data: Buffer.alloc(20 * 1024 * 1024) }],
      'zip-bomb',
      `${FILES}bomb.dcm`,
    ],
    [
      'a zip bomb that lies about its size',
      [ok, { name: `${FILES}liar.dcm`, data: Buffer.alloc(8 * 1024 * 1024), declaredSize: 1000 }],
      'zip-bomb',
      `${FILES}liar.dcm`,
    ],
    [
      'duplicate names',
      [ok, { name: `${FILES}a.dcm`, data: '1' }, { name: `${FILES}a.dcm`, data: '2' }],
      'zip-duplicate-entry',
      `${FILES}a.dcm`,
    ],
    [
      'names that collide once Unicode is normalised',
      [ok, { name: `${FILES}caf\u00e9.dcm`, data: '1' }, { name: `${FILES}cafe\u0301.dcm`, data: '2' }],
      'zip-name-collision',
      `${FILES}cafe\u0301.dcm`,
    ],
  ])(
    '%s is refused, naming the entry, with nothing written outside (or inside) the output folder',
    async (_what, entries, code, entry) => {
      kit.emulator.faults.failNext(1, {
        kind: 'replace-zip',
        body: await buildZip(entries),
        match: { path: '/scans/ALL/' },
      });
      const engine: Engine = kit.openEngine();
      const id = kit.createBatch(engine, {});
      const error = await rejectionOf(engine.runToEnd(id));
      expect(kit.emulator.faults.fired['replace-zip']).toBe(1);
      expect(error.code).toBe(code);
      expect(error.message).toContain(`Zip entry ${JSON.stringify(entry)} was refused`);
      expect(kit.items(engine, id)).toEqual([]);
      expect(await kit.tree(kit.out)).toEqual([]);
      // The whole sandbox holds only the ledger and an empty work folder: no zip, no extracted byte.
      const sandbox = (await filesUnder(kit.root)).filter((p) => !p.startsWith('data/ledger.sqlite'));
      expect(sandbox).toEqual([]);
      expect(existsSync('/tmp/courier-absolute.txt')).toBe(false);
      expect(existsSync(path.join(path.dirname(kit.root), 'courier-slip.txt'))).toBe(false);
    },
  );
});
