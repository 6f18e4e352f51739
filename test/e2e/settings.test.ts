// Settings → Data folder and Settings → Browser in web mode, as an archivist uses them: a new data folder
// chosen, the ledger copied there, `courier serve` started again for the same user and working there;
// a browser program tested and saved, and a new Radiopaedia batch taking it.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { engineCommand, launchBrowser, serve } from '../support/webUi';

const CHROMIUM = '/usr/bin/chromium';

describe('Settings: data folder and browser (web mode)', () => {
  const dir = tempDir('courier-settings-e2e-');
  // The person's own folders: the per-user data folder is $XDG_CONFIG_HOME/Imaging Courier.
  const user = {
    HOME: join(dir.path, 'home'),
    XDG_CONFIG_HOME: join(dir.path, 'home', '.config'),
    COURIER_DB: '',
  };
  const env: NodeJS.ProcessEnv = { ...process.env, ...user };
  const defaultFolder = join(dir.path, 'home', '.config', 'Imaging Courier');
  const newFolder = join(dir.path, 'archive drive', 'courier');
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  const settings = async () => {
    await page.goto(`${server.url}#/settings`);
    await page.locator('[data-app-state="loaded"]').waitFor();
    return page.getByRole('region', { name: 'Data folder' });
  };
  const shown = async (term: string) =>
    (await page
      .getByRole('region', { name: 'Data folder' })
      .locator(`dt:text-is("${term}") + dd`)
      .textContent()) ?? '';

  beforeAll(async () => {
    requireBuilt();
    const seeded = await courier(['dev-seed', '--items', '40', '--batch', 'before the move'], user);
    expect(seeded.code).toBe(0);
    expect(existsSync(join(defaultFolder, 'ledger.sqlite'))).toBe(true);
    server = await serve(null, env);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.cleanup();
  });

  it('refuses what cannot be a data folder, with the reason', async () => {
    const section = await settings();
    await expect(shown('Folder in use')).resolves.toBe(defaultFolder);
    await expect(shown('Ledger file')).resolves.toBe(join(defaultFolder, 'ledger.sqlite'));
    const field = section.getByLabel('New data folder');
    await field.fill('courier-data');
    await section.getByRole('button', { name: 'Check folder' }).click();
    await section.getByRole('alert').filter({ hasText: "'courier-data' is not a full path" }).waitFor();
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    await field.fill(join(defaultFolder, 'ledger.sqlite'));
    await section.getByRole('button', { name: 'Check folder' }).click();
    await section.getByRole('alert').filter({ hasText: 'is a file, not a folder' }).waitFor();
    await field.fill(join(defaultFolder, 'inside'));
    await section.getByRole('button', { name: 'Check folder' }).click();
    await section.getByRole('alert').filter({ hasText: 'is inside the data folder in use' }).waitFor();
  });

  it('copies the ledger to a new folder, which the next start uses', async () => {
    const section = await settings();
    await section.getByLabel('New data folder').fill(newFolder);
    await section.getByRole('button', { name: 'Check folder' }).click();
    await section
      .getByRole('status')
      .filter({ hasText: `${newFolder} does not exist yet` })
      .waitFor();
    await section.getByRole('button', { name: 'Copy the ledger there' }).click();
    const done = section.getByRole('status').filter({ hasText: 'takes effect at the next start' });
    await done.waitFor();
    await expect(done.textContent()).resolves.toContain(
      `The ledger was copied to ${join(newFolder, 'ledger.sqlite')}.`,
    );
    await expect(shown('From the next start')).resolves.toBe(newFolder);
    // Until then this run keeps its ledger.
    await expect(shown('Folder in use')).resolves.toBe(defaultFolder);
    await section.screenshot({ path: '/tmp/courier-settings-data-folder.png' });

    await server.stop();
    // The old ledger put away: only the copy can show the batch after the restart.
    renameSync(join(defaultFolder, 'ledger.sqlite'), join(defaultFolder, 'ledger.sqlite.old'));
    server = await serve(null, env);
    await settings();
    await expect(shown('Folder in use')).resolves.toBe(newFolder);
    await expect(shown('Ledger file')).resolves.toBe(join(newFolder, 'ledger.sqlite'));
    await page.goto(`${server.url}#/batches`);
    await page.getByRole('link', { name: 'before the move' }).waitFor();
    expect(existsSync(join(defaultFolder, 'ledger.sqlite'))).toBe(false);
  });

  it('tests a browser program, saves it, and a new Radiopaedia batch uses it', async () => {
    await settings();
    const section = page.getByRole('region', { name: 'Browser' });
    const field = section.getByLabel('Browser program');
    await field.fill('/usr/bin');
    await section.getByRole('button', { name: 'Test browser' }).click();
    await section.getByRole('status').filter({ hasText: '/usr/bin is a folder, not a program.' }).waitFor();

    await field.fill(CHROMIUM);
    await section.getByRole('button', { name: 'Test browser' }).click();
    const result = section.locator('.test-result.ok');
    await result.waitFor();
    await expect(result.textContent()).resolves.toMatch(
      /^Chromium \d+\.\d+\.\d+\.\d+: \/usr\/bin\/chromium$/,
    );
    await section.screenshot({ path: '/tmp/courier-settings-browser.png' });
    await section.getByRole('button', { name: 'Save browser' }).click();
    await section
      .getByRole('status')
      .filter({ hasText: 'Saved. New Radiopaedia batches use this browser.' })
      .waitFor();
    await page.reload();
    // The field fills once the saved settings arrive from the engine, a moment after the page loads.
    await expect
      .poll(() => page.getByRole('region', { name: 'Browser' }).getByLabel('Browser program').inputValue())
      .toBe(CHROMIUM);

    await page.goto(`${server.url}#/new`);
    await page.getByRole('link', { name: /Radiopaedia cases/ }).click();
    const form = page.getByRole('form', { name: 'Archive Radiopaedia cases' });
    await form.getByLabel('Case URLs or rIDs').fill('70001');
    await form.getByText('1 case to archive.').waitFor();
    await form.getByLabel('Output folder').fill(join(dir.path, 'rp-out'));
    await form.getByLabel('Batch name').fill('rp-with-saved-browser');
    await form.getByText('Site, pause and browser').click();
    await expect(form.getByLabel('Browser program').getAttribute('placeholder')).resolves.toBe(
      `As in Settings: ${CHROMIUM}`,
    );
    await form.getByLabel('Start at once').uncheck();
    await form.getByRole('button', { name: 'Archive cases' }).click();
    await page.getByRole('heading', { name: /rp-with-saved-browser/ }).waitFor();

    const info = (await engineCommand(server.url, 'settings.dataFolder', {})).value as { ledgerFile: string };
    expect(info.ledgerFile).toBe(join(newFolder, 'ledger.sqlite'));
    const db = new Database(info.ledgerFile, { readonly: true });
    try {
      const config = JSON.parse(
        db
          .prepare("SELECT source_config FROM batches WHERE name = 'rp-with-saved-browser'")
          .pluck()
          .get() as string,
      ) as { browserPath?: string };
      expect(config.browserPath).toBe(CHROMIUM);
    } finally {
      db.close();
    }
  });
});
