import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../electron/engine/reports/xnatWorkbook';
import { makeTree } from '../integration/xnat/uploadFixture';
import type { TreeFile } from '../integration/xnat/uploadFixture';
import { DEFAULT_USER, startXnatEmulator } from '../servers/xnat';
import type { XnatEmulator } from '../servers/xnat';
import { requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { addConnection, launchBrowser, serve } from '../support/webUi';

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

  beforeAll(async () => {
    requireBuilt();
    // Two subjects, two series each, three images per series; and two files no pattern matches.
    tree = makeTree(data, { subjects: 2, datasets: 2, files: 3 });
    writeFileSync(join(data, 'README.txt'), 'not an image');
    writeFileSync(join(data, 'DOE^PATIENT0-1000', '20200115', 'Head CT', 'notes.txt'), 'notes');
    xnat = await startXnatEmulator({ projects: [{ id: 'P1', name: 'Pilot' }, { id: 'P2' }] });
    server = await serve(join(dir.path, 'ledger.sqlite'));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(server.url);
    await page.locator('[data-app-state="loaded"]').waitFor();
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
});
