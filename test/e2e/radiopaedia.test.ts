// The "Radiopaedia cases" flow in web mode, end to end: cases typed into the form (with the politeness
// note and validation), the batch run by `courier serve` against the fixture site in Debian Chromium,
// progress per case on the batch page, and the images and JSON records on disk.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRadiopaediaFixture } from '../servers/radiopaedia';
import type { RadiopaediaFixture } from '../servers/radiopaedia';
import { requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { engineCommand, openApp, serve } from '../support/webUi';

describe('Radiopaedia cases through the GUI (web mode)', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const out = join(dir.path, 'archive');
  let fixture: RadiopaediaFixture;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    // A machine without a display, as these test machines are: the visible window cannot open.
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    fixture = await startRadiopaediaFixture({ renderDelayMs: 50, imageBytes: 20_000 });
    server = await serve(db);
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 950 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fixture?.close();
    dir.cleanup();
  });

  it('says how it treats the site, rejects what is not a case, and archives a case with its record', async () => {
    await page.goto(`${server.url.split('#')[0]}#/new`);
    await page.getByRole('link', { name: /Radiopaedia cases/ }).click();
    const form = page.getByRole('form', { name: 'Archive Radiopaedia cases' });
    const note = form.getByRole('note', { name: 'Politeness towards Radiopaedia' });
    await expect(note.textContent()).resolves.toMatch(
      /one case page at a time.*at least 2 seconds.*User-Agent/s,
    );

    await form.getByText('Site, pause and browser').click();
    await form.getByLabel('Site').fill(fixture.url);
    const cases = form.getByLabel('Case URLs or rIDs');
    await cases.fill(`${fixture.url}/cases/70001\nhello world`);
    await form
      .getByRole('alert')
      .filter({ hasText: 'Not a Radiopaedia case URL or rID: “hello world”' })
      .waitFor();
    await expect(form.getByRole('button', { name: 'Archive cases' }).isDisabled()).resolves.toBe(true);

    await cases.fill(`${fixture.url}/cases/70001\nrID: 70001\n70007`);
    await form.getByText('2 cases to archive; 1 repeated line(s) left out.').waitFor();
    await expect(form.getByLabel('Pause between page loads (seconds)').inputValue()).resolves.toBe('2');
    await form.getByLabel('Output folder').fill(out);
    await form.getByLabel('Batch name').fill('rp-gui');
    await page.screenshot({ path: '/tmp/rp-form.png', fullPage: true });
    await form.getByRole('button', { name: 'Archive cases' }).click();

    await page.getByRole('heading', { name: /rp-gui/ }).waitFor();
    const perCase = page.getByRole('list', { name: 'Progress per case' });
    const medullo = perCase.getByRole('progressbar', { name: 'Progress of Medulloblastoma (rID 70001)' });
    await page
      .locator(
        '[role="progressbar"][aria-label="Progress of Medulloblastoma (rID 70001)"][aria-valuenow="10"]',
      )
      .waitFor({ timeout: 90_000 });
    await expect(medullo.getAttribute('aria-valuemax')).resolves.toBe('10');
    // The case behind sign-in waits for a person, with its own line.
    await perCase.getByText(/need a decision or retry/).waitFor({ timeout: 60_000 });
    await page
      .getByRole('heading', { name: /rp-gui/ })
      .getByText('Finished')
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: '/tmp/rp-batch.png', fullPage: true });

    const files = readdirSync(out).sort();
    const images = files.filter((f) => /\.(jpg|png)$/.test(f));
    expect(images).toHaveLength(10);
    expect(files).toContain('Medulloblastoma (Radiopaedia 70001-700011 Coronal T1 C+ 3).jpg');
    const first = fixture.imagesOf(70001)[0]!;
    const firstFile = images.find((f) => f.includes('Axial T1 1)'))!;
    expect(readFileSync(join(out, firstFile)).equals(fixture.originalBytes(first.id))).toBe(true);
    const record = JSON.parse(readFileSync(join(out, 'Radiopaedia case 70001.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(record)).toContain('Medulloblastoma');
    expect(JSON.stringify(record)).toContain('creativecommons.org/licenses/by-nc-sa/3.0');

    // The table lists every image of the case by its NC Commons name.
    const grid = page.getByRole('grid', { name: 'Files' });
    await grid.getByText('Medulloblastoma (Radiopaedia 70001-700011 Axial T1 1).jpg').waitFor();
  });

  it('"Open in browser" on the case behind sign-in asks the engine for its visible window, which says plainly there is no display', async () => {
    await page.getByRole('grid', { name: 'Files' }).getByText('Radiopaedia case 70007.json').click();
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('button', { name: 'Open in browser Radiopaedia case 70007.json' }).click();
    await drawer
      .getByRole('status')
      .filter({
        hasText:
          /cases\/70007 cannot be shown in Imaging Courier's browser window: this machine has no display/,
      })
      .waitFor();
    await page.screenshot({ path: '/tmp/rp-open-in-browser.png', fullPage: true });
    const events = (await engineCommand(server.url, 'items.window', {
      batchId: 1,
      filter: { statuses: ['attention'] },
      offset: 0,
      limit: 10,
    })) as { value: { rows: { path: string; actions: string[] }[] } };
    expect(events.value.rows.map((r) => r.path)).toEqual([`${fixture.url}/cases/70007`]);
  });
});
