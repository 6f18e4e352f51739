import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../electron/engine/reports/xnatWorkbook';
import { bigFolder, makeTree } from '../integration/xnat/uploadFixture';
import type { TreeFile } from '../integration/xnat/uploadFixture';
import { DEFAULT_USER, startXnatEmulator } from '../servers/xnat';
import type { XnatEmulator } from '../servers/xnat';
import { requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { addConnection, openApp, serve } from '../support/webUi';

/** `series/name:md5` of a file, as the emulator stores it under `…/scans/<series>/DICOM/<name>`. */
function storedId(key: string, md5: string): string {
  const m = /\/scans\/([^/]+)\/DICOM\/([^/]+)$/.exec(key);
  if (!m) throw new Error(`unexpected stored key ${key}`);
  return `${m[1]}/${m[2]}:${md5}`;
}
const treeId = (f: TreeFile) => `${f.series}/${f.rel.split('/').pop()}:${f.md5}`;

describe('web mode: a DICOM folder to XNAT, from the folder to the verified upload', () => {
  const dir = tempDir('xnat-upload-e2e-');
  const data = join(dir.path, 'data');
  const shots = process.env.COURIER_SCREENSHOTS ?? dir.path;
  let xnat: XnatEmulator;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  let tree: TreeFile[];
  const shot = (name: string) =>
    page.screenshot({ path: join(shots, `xnat-upload-${name}.png`), fullPage: true });
  const newUpload = async (folder: string, project: string, name: string) => {
    await page.getByRole('link', { name: 'New batch' }).first().click();
    await page.getByRole('link', { name: /DICOM folder → XNAT/ }).click();
    const form = page.getByRole('form', { name: 'DICOM folder to XNAT' });
    await form.getByLabel('Folder of DICOM files').fill(folder);
    await form.getByLabel('Project', { exact: true }).selectOption(project);
    await page.getByRole('table', { name: 'Pattern preview' }).getByRole('row').nth(1).waitFor();
    await form.getByLabel('Batch name').fill(name);
    await form.getByRole('button', { name: 'Scan the folder' }).click();
    await page.waitForURL(/#\/batches\/\d+\/review$/);
    return Number(/#\/batches\/(\d+)\/review$/.exec(page.url())![1]);
  };
  const card = (name: string) =>
    page
      .getByRole('list', { name: 'Batches' })
      .getByRole('listitem')
      .filter({
        has: page.getByRole('link', { name, exact: true }),
      });

  beforeAll(async () => {
    requireBuilt();
    // Two subjects, two series each, three images per series; and two files no pattern matches.
    tree = makeTree(data, { subjects: 2, datasets: 2, files: 3 });
    writeFileSync(join(data, 'README.txt'), 'not an image');
    writeFileSync(join(data, 'DOE^PATIENT0-1000', '20200115', 'Head CT', 'notes.txt'), 'notes');
    xnat = await startXnatEmulator({ projects: [{ id: 'P1', name: 'Pilot' }, { id: 'P2' }] });
    server = await serve(join(dir.path, 'ledger.sqlite'));
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await xnat?.close();
    dir.cleanup();
  });

  it('previews the patterns on the real paths, scans, leaves out what was unticked and uploads the rest', async () => {
    const saved = await addConnection(page, {
      kind: 'xnat',
      label: 'Research XNAT',
      url: xnat.url,
      username: DEFAULT_USER.username,
      password: DEFAULT_USER.password,
    });
    expect(saved.ok).toBe(true);

    await page.getByRole('link', { name: 'New batch' }).first().click();
    await page.getByRole('link', { name: /DICOM folder → XNAT/ }).click();
    const form = page.getByRole('form', { name: 'DICOM folder to XNAT' });
    await form.getByLabel('Folder of DICOM files').fill(data);
    await form.getByLabel('Project', { exact: true }).selectOption('P1');

    // The live preview: matching paths with the value each cell captured, the others with the failing cell.
    const preview = page.getByRole('table', { name: 'Pattern preview' });
    const first = preview.getByRole('row').filter({ hasText: tree[0]!.rel });
    await first.waitFor();
    await expect(first.textContent()).resolves.toMatch(/SubjectName = DOE\^PATIENT0.*ID = 1000/);
    await expect(first.textContent()).resolves.toContain('Directory = Head CT');
    const readme = preview.getByRole('row').filter({ hasText: 'README.txt' });
    await expect(readme.textContent()).resolves.toMatch(
      /No match.*Pattern “DICOM”: cell 1 \{SubjectName\}-\{ID\} on README\.txt: "-" not found after \{SubjectName\}/,
    );
    const notes = preview.getByRole('row').filter({ hasText: 'notes.txt' });
    await expect(notes.textContent()).resolves.toMatch(
      /cell 4 \{filename\}\.dcm on notes\.txt: "\.dcm" not found/,
    );
    await shot('1-configure');
    await preview.screenshot({ path: join(shots, 'xnat-upload-1-preview.png') });

    // Editing a pattern re-runs the preview at once: without the `.dcm` cell nothing matches.
    const cells = form.getByLabel('Cells of pattern 1');
    const original = await cells.inputValue();
    await cells.fill('{SubjectName}-{ID}/**/{Directory}/{filename}.png');
    await preview
      .getByRole('row')
      .filter({ hasText: tree[0]!.rel })
      .filter({ hasText: 'No match' })
      .waitFor();
    await cells.fill(original);
    await first.filter({ hasText: 'Pattern DICOM' }).waitFor();

    // The workbook round trip: export the form, change it, import the workbook back.
    const workbook = join(dir.path, 'pilot.xlsx');
    await form.getByLabel('Workbook path').fill(workbook);
    await form.getByRole('button', { name: 'Export' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `Wrote ${workbook}.` })
      .waitFor();
    expect((await readWorkbook(workbook)).config.xnat).toMatchObject({ Server: xnat.url, Project: 'P1' });
    await cells.fill('{Subject}/{filename}.dcm');
    await form.getByRole('button', { name: 'Import' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `Read the Configuration sheet of ${workbook}.` })
      .waitFor();
    await expect(cells.inputValue()).resolves.toBe(original);

    await form.getByLabel('Batch name').fill('pilot upload');
    await form.getByRole('button', { name: 'Scan the folder' }).click();

    const review = page.getByRole('region', { name: 'Review' });
    await review.getByRole('status').filter({ hasText: '12 files to send in 2 subjects' }).waitFor();
    await expect(review.getByRole('status').textContent()).resolves.toContain('2 matched no pattern');
    await shot('2-review');

    // Leave out one whole dataset, and one file of another.
    const leftOut = review.getByRole('checkbox', { name: 'Upload dataset 1001 / 20200215 / Series_1' });
    await leftOut.click();
    await review
      .getByRole('status')
      .filter({ hasText: '9 files to send in 2 subjects, 3 left out' })
      .waitFor();
    await review.getByRole('button', { name: 'Show files of 1000 / 20200115 / Head_CT' }).click();
    const oneFile = tree.find((f) => f.rel.endsWith('Head CT/scan0001.dcm') && f.subject === '1000')!;
    await review.getByRole('checkbox', { name: `Upload file ${oneFile.rel}` }).click();
    await review
      .getByRole('status')
      .filter({ hasText: '8 files to send in 2 subjects, 4 left out' })
      .waitFor();
    await expect(
      review
        .getByRole('checkbox', { name: 'Upload subject 1001' })
        .evaluate((e) => (e as unknown as { indeterminate: boolean }).indeterminate),
    ).resolves.toBe(true);
    await shot('3-review-deselected');

    await review.getByRole('button', { name: 'Upload 8 files to P1' }).click();
    await page.getByRole('heading', { name: /pilot upload/ }).waitFor();
    await page
      .locator('[role="progressbar"][aria-label="Datasets sent"][aria-valuenow="3"][aria-valuemax="3"]')
      .waitFor();
    await page
      .getByRole('heading', { name: /pilot upload/ })
      .filter({ hasText: 'Finished' })
      .waitFor();
    const current = page.getByRole('progressbar', { name: 'Files of the current dataset' });
    await expect(current.getAttribute('aria-valuenow')).resolves.toBe(
      await current.getAttribute('aria-valuemax'),
    );
    await shot('4-uploaded');

    const skippedNames = new Set([
      ...tree.filter((f) => f.subject === '1001' && f.rel.includes('/Series 1/')).map(treeId),
      treeId(oneFile),
    ]);
    expect(skippedNames.size).toBe(4);
    const expected = tree.map(treeId).filter((id) => !skippedNames.has(id));
    const stored = xnat.state.storedFiles().map((f) => storedId(f.key, f.md5));
    expect(stored.sort()).toEqual(expected.sort());
    for (const f of xnat.state.storedFiles()) expect(f.digest).toBe(f.md5);
    for (const id of skippedNames) expect(stored).not.toContain(id);
  });

  it('finds a batch left between its scan and its upload after a restart, with its choices kept, and uploads it', async () => {
    const later = join(dir.path, 'later');
    const tree2 = makeTree(later, { subjects: 2, datasets: 2, files: 2 });
    const batchId = await newUpload(later, 'P2', 'later upload');
    const review = page.getByRole('region', { name: 'Review', exact: true });
    await review.getByRole('status').filter({ hasText: '8 files to send in 2 subjects' }).waitFor();
    await review.getByRole('checkbox', { name: 'Upload dataset 1001 / 20200215 / Series_1' }).click();
    await review
      .getByRole('status')
      .filter({ hasText: '6 files to send in 2 subjects, 2 left out' })
      .waitFor();

    // The operator leaves; the list says plainly that the batch waits for its review.
    await page.getByRole('link', { name: 'Batches', exact: true }).first().click();
    await card('later upload').getByText('Scanned — waiting for review').waitFor();

    // Imaging Courier stops and starts again: nothing of the review lives in the window or the engine.
    await server.stop();
    server = await serve(join(dir.path, 'ledger.sqlite'));
    await page.goto(server.url);
    await page.locator('[data-app-state="loaded"]').waitFor();
    const waiting = card('later upload');
    await waiting.getByText('Scanned — waiting for review').waitFor();
    await expect(
      waiting.getByRole('link', { name: 'Review and upload later upload' }).getAttribute('href'),
    ).resolves.toBe(`#/batches/${batchId}/review`);
    // The upload starts from the review: no Start beside it that would send the files as they stand.
    expect(await waiting.getByRole('button', { name: 'Start later upload' }).count()).toBe(0);
    await waiting.getByRole('button', { name: 'Delete later upload' }).waitFor();
    await shot('5-list-waiting-for-review');

    // In web mode a password lasts until the app closes: the archivist enters it again.
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Edit Research XNAT' }).click();
    const edit = page.getByRole('form', { name: 'Edit connection' });
    await edit.getByLabel('Password', { exact: true }).fill(DEFAULT_USER.password);
    await edit.getByRole('button', { name: 'Save and test' }).click();
    await page
      .getByRole('list', { name: 'Saved connections' })
      .getByRole('listitem')
      .filter({ hasText: 'Research XNAT' })
      .locator('[role="status"].ok')
      .waitFor();
    await page.getByRole('link', { name: 'Batches', exact: true }).first().click();

    await waiting.getByRole('link', { name: 'later upload', exact: true }).click();
    const entry = page.getByRole('region', { name: 'Scanned — waiting for review' });
    await entry.getByText('6 files selected to send').waitFor();
    await page
      .getByRole('heading', { name: /later upload/ })
      .getByText('Scanned — waiting for review')
      .waitFor();
    expect(await page.getByRole('button', { name: 'Start later upload' }).count()).toBe(0);
    await shot('6-batch-waiting-for-review');
    await entry.getByRole('link', { name: 'Review and upload' }).click();
    await page.waitForURL(new RegExp(`#/batches/${batchId}/review$`));
    await review
      .getByRole('status')
      .filter({ hasText: '6 files to send in 2 subjects, 2 left out' })
      .waitFor();
    await expect(
      review.getByRole('checkbox', { name: 'Upload dataset 1001 / 20200215 / Series_1' }).isChecked(),
    ).resolves.toBe(false);
    await expect(
      review.getByRole('checkbox', { name: 'Upload dataset 1000 / 20200115 / Series_1' }).isChecked(),
    ).resolves.toBe(true);
    await shot('7-review-reopened');

    // XNAT answers the check of one dataset slowly: its files are sent, and the batch says they wait for it.
    const listing = { method: 'GET', path: /\/P2\/.*\/scans\/1\/resources\/DICOM\/files$/ };
    xnat.faults.failNext(1, { kind: 'stall', stallMs: 0, match: listing });
    xnat.faults.failNext(1, { kind: 'stall', stallMs: 3_000, match: listing });
    await review.getByRole('button', { name: 'Upload 6 files to P2' }).click();
    await page.getByText(/^[12] sent, waiting for their check$/).waitFor();
    await shot('7b-waiting-for-check');
    await page
      .getByRole('heading', { name: /later upload/ })
      .filter({ hasText: 'Finished' })
      .waitFor();
    expect(await page.getByText(/sent, waiting for their check/).count()).toBe(0);
    const expected = tree2
      .filter((f) => !(f.subject === '1001' && f.rel.includes('/Series 1/')))
      .map(treeId)
      .sort();
    const stored = xnat.state
      .storedFiles()
      .filter((f) => f.key.startsWith('P2/'))
      .map((f) => storedId(f.key, f.md5));
    expect(stored.sort()).toEqual(expected);
    for (const f of xnat.state.storedFiles()) expect(f.digest).toBe(f.md5);
  });

  it('cancels a long scan after asking, shows it cancelled, and continues it to the full count', async () => {
    const big = join(dir.path, 'big');
    const total = bigFolder(big, { subjects: 20, datasets: 40, files: 100 });
    await newUpload(join(big, 'data'), 'P1', 'big scan');
    const scanning = page.getByRole('region', { name: /^Scanning / });
    await scanning.getByRole('progressbar', { name: 'Scan progress' }).waitFor();
    await shot('8-scanning');

    // Cancel asks first; saying no leaves the scan running.
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await scanning.getByRole('button', { name: 'Cancel scan' }).click();
    expect(asked).toContain('Nothing has been sent');
    expect(asked).toContain('scanning again later continues from them');
    await expect(scanning.getByRole('button', { name: 'Cancel scan' }).isVisible()).resolves.toBe(true);

    page.once('dialog', (dialog) => void dialog.accept());
    await scanning.getByRole('button', { name: 'Cancel scan' }).click();
    const cancelled = page.getByRole('region', { name: 'Scan cancelled' });
    const said = cancelled.getByRole('status');
    await said.filter({ hasText: 'continuing reads only the rest' }).waitFor();
    const counted = /stopped after ([\d,]+) files looked at/.exec((await said.textContent()) ?? '');
    const seen = Number(counted?.[1]?.replace(/,/g, ''));
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(total);
    await shot('9-scan-cancelled');

    // The list and the batch's page say the same; the scan continues from the batch's page.
    await page.getByRole('link', { name: 'Batches', exact: true }).first().click();
    await card('big scan').getByText('Scan cancelled').waitFor();
    await shot('10-list-scan-cancelled');
    await card('big scan').getByRole('link', { name: 'big scan', exact: true }).click();
    const stopped = page.getByRole('region', { name: 'Scan cancelled' });
    await stopped.getByRole('button', { name: 'Continue scan' }).click();
    const entry = page.getByRole('region', { name: 'Scanned — waiting for review' });
    await entry
      .getByText(`${total.toLocaleString('en-US')} files selected to send`)
      .waitFor({ timeout: 120_000 });
    await entry.getByRole('link', { name: 'Review and upload' }).click();
    await page
      .getByRole('region', { name: 'Review', exact: true })
      .getByRole('status')
      .filter({ hasText: `${total.toLocaleString('en-US')} files to send in 20 subjects` })
      .waitFor();
  });
});
