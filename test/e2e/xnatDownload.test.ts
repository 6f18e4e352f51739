import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startXnatEmulator } from '../servers/xnat';
import type { XnatEmulator } from '../servers/xnat';
import { requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { addConnection, openApp, serve } from '../support/webUi';

const dicom = (n: number) => Buffer.alloc(30_000 + n, n);

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('web mode: Download from XNAT', () => {
  const dir = tempDir('xnat-download-e2e-');
  const shots = process.env.COURIER_SCREENSHOTS ?? dir.path;
  let xnat: XnatEmulator;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    xnat = await startXnatEmulator({
      projects: [
        { id: 'CHEST', name: 'Chest CT', secondaryId: 'HUB-CHEST' },
        { id: 'BRAIN', name: 'Brain MR' },
      ],
    });
    const state = xnat.state;
    state.addExperiment('CHEST', 'SUBJ-7', 'ACC-0042', { xsiType: 'xnat:ctSessionData', date: '2021-05-06' });
    state.addScan('CHEST', 'ACC-0042', '1', { type: 'HEAD' });
    state.addScan('CHEST', 'ACC-0042', '2', { type: 'NECK' });
    const e = { project: 'CHEST', experiment: 'ACC-0042' };
    await state.addFile({ ...e, scan: '1' }, 'DICOM', '1-001.dcm', dicom(1));
    await state.addFile({ ...e, scan: '1' }, 'DICOM', '1-002.dcm', dicom(2));
    await state.addFile({ ...e, scan: '2' }, 'DICOM', 'series/2-001.dcm', dicom(3));
    await state.addFile({ ...e, scan: '2' }, 'NIFTI', 'neck.nii.gz', 'nifti bytes');
    state.addAssessor('CHEST', 'ACC-0042', 'ACC-0042_QC');
    await state.addFile({ ...e, assessor: 'ACC-0042_QC' }, 'REPORT', 'qc.json', '{"ok":true}');
    for (let i = 1; i <= 30; i++) {
      const label = `ACC-1${String(i).padStart(3, '0')}`;
      state.addExperiment('CHEST', `SUBJ-${i}`, label, { xsiType: 'xnat:ctSessionData' });
    }
    server = await serve(join(dir.path, 'ledger.sqlite'));
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 1000 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await xnat?.close();
    dir.cleanup();
  });

  it('says in the form when the saved password is wrong', async () => {
    const bad = await addConnection(page, {
      kind: 'xnat',
      label: 'Typo XNAT',
      url: xnat.url,
      username: DEFAULT_USER.username,
      password: 'not-the-password',
    });
    expect(bad.ok).toBe(false);
    await page.goto(`${server.url.split('#')[0]}#/new/xnat-download`);
    const form = page.getByRole('form', { name: 'Download from XNAT' });
    await form.getByLabel('Connection (XNAT server)').selectOption({ label: `Typo XNAT — ${xnat.url}` });
    const alert = form.getByRole('alert').filter({ hasText: 'refused the user name and password' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain(xnat.url);
    await expect(form.getByLabel('Project').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: join(shots, 'xnat-download-bad-password.png'), fullPage: true });
    await page.goto(`${server.url.split('#')[0]}#/settings`);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete Typo XNAT' }).click();
    await page.getByRole('button', { name: 'Delete Typo XNAT' }).waitFor({ state: 'detached' });
  });

  it('finds the experiment, shows its scans, downloads its DICOM files into the folder', async () => {
    const good = await addConnection(page, {
      kind: 'xnat',
      label: 'Research XNAT',
      url: xnat.url,
      username: DEFAULT_USER.username,
      password: DEFAULT_USER.password,
    });
    expect(good.ok).toBe(true);

    await page.getByRole('link', { name: 'New batch' }).first().click();
    await page.getByRole('link', { name: /Download from XNAT/ }).click();
    await page.getByRole('heading', { name: 'Download from XNAT' }).waitFor();
    const form = page.getByRole('form', { name: 'Download from XNAT' });
    // The only XNAT connection is chosen at once; the projects this account can read follow.
    await form.getByText('2 projects this account can read.').waitFor();
    await form.getByLabel('Project').selectOption({ label: 'CHEST — Chest CT, secondary ID HUB-CHEST' });

    // The first listing is limited: 25 of the project's 31 experiments, and more on request.
    await form.getByText('Showing 25 of 31 matching experiments (of 31)', { exact: false }).waitFor();
    await expect(form.getByRole('table', { name: 'Experiments' }).getByRole('row').count()).resolves.toBe(26);
    await form.getByRole('button', { name: 'Show more' }).click();
    await form.getByText('31 matching experiments (of 31 in the project).').waitFor();

    await form.getByLabel('Label contains').fill('acc-00*2');
    await form.getByRole('button', { name: 'Find experiments' }).click();
    await form.getByText('1 matching experiment (of 31 in the project).').waitFor();
    await page.screenshot({ path: join(shots, 'xnat-download-search.png'), fullPage: true });
    await form.getByRole('radio', { name: 'Experiment ACC-0042' }).check();

    const scans = form.getByRole('table', { name: 'Scans' });
    await scans.waitFor();
    await expect(scans.getByRole('row').nth(2).textContent()).resolves.toBe('2NECKDICOM, NIFTI');
    await expect(form.getByRole('table', { name: 'Assessors' }).textContent()).resolves.toContain('REPORT');
    const resource = form.getByLabel('Resource type');
    await expect(resource.inputValue()).resolves.toBe('DICOM');
    await expect(resource.locator('option').first().textContent()).resolves.toBe(
      'DICOM — 3 files, 88 KB, on 2 scans',
    );

    const out = join(dir.path, 'downloads');
    await form.getByLabel('Output folder').fill(out);
    await page.screenshot({ path: join(shots, 'xnat-download-form.png'), fullPage: true });
    await form.getByRole('button', { name: 'Create batch' }).click();

    await page.waitForURL(/#\/batches\/\d+$/);
    await page.getByRole('heading', { name: 'xnat-ACC-0042 Finished' }).waitFor();
    const grid = page.getByRole('grid', { name: 'Files' });
    await grid
      .getByRole('gridcell', { name: 'ACC-0042/scans/2/resources/DICOM/files/series/2-001.dcm', exact: true })
      .waitFor();
    await page.screenshot({ path: join(shots, 'xnat-download-batch.png'), fullPage: true });

    const files = 'ACC-0042/scans/1/resources/DICOM/files';
    expect(filesBelow(out)).toEqual([
      `${files}/1-001.dcm`,
      `${files}/1-002.dcm`,
      'ACC-0042/scans/2/resources/DICOM/files/series/2-001.dcm',
    ]);
    expect(readFileSync(join(out, files, '1-001.dcm')).equals(dicom(1))).toBe(true);
    expect(readFileSync(join(out, files, '1-002.dcm')).equals(dicom(2))).toBe(true);
    expect(statSync(join(out, 'ACC-0042/scans/2/resources/DICOM/files/series/2-001.dcm')).size).toBe(
      dicom(3).length,
    );
  });

  it('downloads the assessors’ resources when the archivist picks them', async () => {
    await page.goto(`${server.url.split('#')[0]}#/new/xnat-download`);
    const form = page.getByRole('form', { name: 'Download from XNAT' });
    await form.getByLabel('Connection (XNAT server)').selectOption({ label: `Research XNAT — ${xnat.url}` });
    await form.getByLabel('Project').selectOption('CHEST');
    await form.getByLabel('Label contains').fill('ACC-0042');
    await form.getByRole('button', { name: 'Find experiments' }).click();
    await form.getByRole('radio', { name: 'Experiment ACC-0042' }).check();
    await form.getByRole('radio', { name: 'Assessors (1)' }).check();
    await expect(form.getByLabel('Resource type').inputValue()).resolves.toBe('REPORT');
    const out = join(dir.path, 'reports');
    await form.getByLabel('Output folder').fill(out);
    await form.getByLabel('Batch name').fill('QC reports');
    await form.getByRole('button', { name: 'Create batch' }).click();
    await page.getByRole('heading', { name: 'QC reports Finished' }).waitFor();
    const files = filesBelow(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ACC-0042\/assessors\/.*\/REPORT\/files\/qc\.json$/);
    expect(readFileSync(join(out, files[0]!), 'utf8')).toBe('{"ok":true}');
  });
});
