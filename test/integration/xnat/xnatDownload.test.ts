import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  DownloadProgress,
  ExperimentZipRequest,
} from '../../../electron/engine/clients/xnat/xnatClient';
import { safeExtract } from '../../../electron/engine/sources/xnat/safeExtract';
import { rejectionOf, startFixture } from './xnatFixture';
import type { XnatFixture } from './xnatFixture';

let fx: XnatFixture;
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const dicom = (n: number) => Buffer.alloc(50_000 + n, n);

beforeEach(async () => {
  fx = await startFixture();
  const state = fx.emulator.state;
  state.addExperiment('P1', 'SUBJ-1', 'ACC-0042', { xsiType: 'xnat:ctSessionData', date: '2021-05-06' });
  state.addScan('P1', 'ACC-0042', '1', { type: 'HEAD' });
  state.addScan('P1', 'ACC-0042', '2', { type: 'NECK' });
  const e = { project: 'P1', experiment: 'ACC-0042' };
  await state.addFile({ ...e, scan: '1' }, 'DICOM', '1-001.dcm', dicom(1));
  await state.addFile({ ...e, scan: '1' }, 'DICOM', '1-002.dcm', dicom(2));
  await state.addFile({ ...e, scan: '2' }, 'DICOM', '2-001.dcm', dicom(3));
  await state.addFile({ ...e, scan: '2' }, 'NIFTI', 'neck.nii.gz', 'nifti bytes');
  state.addAssessor('P1', 'ACC-0042', 'ACC-0042_QC');
  await state.addFile({ ...e, assessor: 'ACC-0042_QC' }, 'REPORT', 'qc.json', '{"ok":true}');
});

afterEach(async () => {
  await fx.close();
});

/** The flow: project by secondary ID → experiment by label → its subject → the zip. */
async function resolveRequest(
  resource: string,
  kind: 'scan' | 'assessor' = 'scan',
): Promise<ExperimentZipRequest> {
  const project = await fx.client.findProject('HUB-001');
  const experiment = await fx.client.findExperiment(project.id, 'ACC-0042');
  return { project: project.id, subject: experiment.subjectId, experiment: experiment.label, kind, resource };
}

async function downloadAndExtract(request: ExperimentZipRequest, folderName: string) {
  const zipFile = path.join(fx.dir, `${folderName}.zip`);
  const progress: DownloadProgress[] = [];
  const { bytes } = await fx.client.downloadExperimentZip(request, zipFile, {
    onProgress: (p) => progress.push(p),
    progressIntervalMs: 0,
  });
  const { files } = await safeExtract({ zipPath: zipFile, parentDir: fx.dir, folderName });
  return { bytes, progress, files };
}

describe('zip download', () => {
  it("streams the scans' DICOM resource in XNAT's entry layout, with progress", async () => {
    const request = await resolveRequest('DICOM');
    expect(request).toEqual({
      project: 'P1',
      subject: 'XNAT_S00001',
      experiment: 'ACC-0042',
      kind: 'scan',
      resource: 'DICOM',
    });
    const { bytes, progress, files } = await downloadAndExtract(request, 'ACC-0042');
    expect(files.map((f) => [f.path, f.size, f.md5]).sort()).toEqual([
      ['ACC-0042/scans/1/resources/DICOM/files/1-001.dcm', dicom(1).length, md5(dicom(1))],
      ['ACC-0042/scans/1/resources/DICOM/files/1-002.dcm', dicom(2).length, md5(dicom(2))],
      ['ACC-0042/scans/2/resources/DICOM/files/2-001.dcm', dicom(3).length, md5(dicom(3))],
    ]);
    const last = progress.at(-1);
    expect(last).toMatchObject({ bytes, done: true, totalBytes: null, etaSeconds: 0 });
    expect(last?.bytesPerSecond).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p, i) => i === 0 || p.bytes >= (progress[i - 1]?.bytes ?? 0))).toBe(true);
    const zipRequest = fx.emulator.state.requestLog.find(
      (r) => r.path.endsWith('/files') && r.status === 200,
    );
    expect(zipRequest?.path).toBe(
      '/data/projects/P1/subjects/XNAT_S00001/experiments/ACC-0042/scans/ALL/resources/DICOM/files',
    );
    expect(await readdir(fx.dir)).not.toContain('ACC-0042.zip.part');
  });

  it('ALL takes every resource; assessors come from …/assessors/ALL/…', async () => {
    const all = await downloadAndExtract(await resolveRequest('ALL'), 'all');
    expect(all.files.map((f) => f.path)).toContain('ACC-0042/scans/2/resources/NIFTI/files/neck.nii.gz');
    expect(all.files).toHaveLength(4);
    const assessors = await downloadAndExtract(await resolveRequest('REPORT', 'assessor'), 'qc');
    expect(assessors.files).toEqual([
      {
        path: 'ACC-0042/assessors/ACC-0042_QC/resources/REPORT/files/qc.json',
        size: 11,
        md5: md5('{"ok":true}'),
      },
    ]);
  });

  it('a resource type no scan has is a 404 saying so', async () => {
    const error = await rejectionOf(
      fx.client.downloadExperimentZip(await resolveRequest('SEG'), path.join(fx.dir, 'x.zip')),
    );
    expect(error.code).toBe('xnat-resource-not-found');
    expect(error.message).toBe(
      "XNAT answered 404: no scan of experiment 'ACC-0042' in project 'P1' has files in a 'SEG' resource",
    );
    expect(await readdir(fx.dir)).toEqual([]);
  });

  it('a missing experiment or project is named before any download', async () => {
    expect((await rejectionOf(fx.client.findExperiment('P1', 'ACC-9999'))).code).toBe(
      'xnat-experiment-not-found',
    );
    expect((await rejectionOf(fx.client.findProject('HUB-404'))).code).toBe('xnat-project-not-found');
  });

  it('an interrupted download leaves no file, is retryable, and the next attempt starts cleanly', async () => {
    fx.emulator.faults.failNext(1, { kind: 'truncate', afterBytes: 40_000, match: { path: '/scans/ALL/' } });
    const request = await resolveRequest('DICOM');
    const zipFile = path.join(fx.dir, 'cut.zip');
    const error = await rejectionOf(fx.client.downloadExperimentZip(request, zipFile));
    expect(error).toMatchObject({ code: 'download-interrupted', retryable: true });
    expect(error.message).toContain('before the end of the zip');
    expect(await readdir(fx.dir)).toEqual([]);
    expect(fx.emulator.faults.fired.truncate).toBe(1);
    const { files } = await downloadAndExtract(request, 'cut');
    expect(files).toHaveLength(3);
  });

  it('a 5xx on the download is retryable', async () => {
    fx.emulator.faults.failNext(1, { kind: 'status', status: 502, match: { path: '/scans/ALL/' } });
    const error = await rejectionOf(
      fx.client.downloadExperimentZip(await resolveRequest('DICOM'), path.join(fx.dir, 'y.zip')),
    );
    expect(error).toMatchObject({ code: 'http-502', retryable: true });
  });

  it('cancelling stops the download and removes the partial file', async () => {
    await fx.emulator.state.addFile(
      { project: 'P1', experiment: 'ACC-0042', scan: '1' },
      'DICOM',
      'big.dcm',
      { size: 64 * 1024 * 1024, seed: 'big' },
    );
    const controller = new AbortController();
    const zipFile = path.join(fx.dir, 'cancel.zip');
    const error = await rejectionOf(
      fx.client.downloadExperimentZip(await resolveRequest('DICOM'), zipFile, {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.bytes > 1_000_000) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
    expect(await readdir(fx.dir)).toEqual([]);
  });
});
