import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { openApp, serve } from '../support/webUi';

const ROWS = 3_000;

describe('reports and limits in web mode', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    expect(
      (await courier(['--db', db, 'dev-seed', '--items', String(ROWS), '--batch', 'ward <7> & co'])).code,
    ).toBe(0);
    server = await serve(db);
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 900 }));
    await page.getByRole('link', { name: 'ward <7> & co' }).click();
    await page.getByRole('heading', { name: /ward <7> & co/ }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.cleanup();
  });

  const openMenu = async () => {
    const toggle = page.getByRole('button', { name: 'Report of ward <7> & co' });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    return page.getByRole('group', { name: 'Report formats for ward <7> & co' });
  };

  it('downloads the batch as CSV with every file, and as XLSX and JSON', async () => {
    const menu = await openMenu();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      menu.getByRole('button', { name: /^Download CSV/ }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^ward_7_co-1-\d{8}-\d{6}\.csv$/);
    const rows = parse(readFileSync((await csv.path())!), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(ROWS);
    await page
      .getByRole('status')
      .filter({ hasText: /CSV export of ward <7> & co is downloading/ })
      .waitFor();

    for (const [label, ext] of [
      ['XLSX', 'xlsx'],
      ['JSON', 'json'],
    ] as const) {
      const m = await openMenu();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        m.getByRole('button', { name: new RegExp(`^Download ${label}`) }).click(),
      ]);
      expect(download.suggestedFilename().endsWith(`.${ext}`)).toBe(true);
      if (ext === 'json') {
        expect(JSON.parse(readFileSync((await download.path())!, 'utf8'))).toHaveLength(ROWS);
      }
    }
  });

  it('opens the HTML report in a new tab, ready to print, with the figures of the ledger', async () => {
    const menu = await openMenu();
    // In a browser, printing is the browser's own Print; Print to PDF is the desktop app's.
    await expect(menu.getByRole('button', { name: /Print to PDF/ }).count()).resolves.toBe(0);
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      menu.getByRole('button', { name: /^Open HTML report/ }).click(),
    ]);
    await popup.waitForURL(/\/reports\/ward_7_co-1-.*\.html$/);
    await popup.getByRole('heading', { level: 1, name: 'ward <7> & co' }).waitFor();
    await expect(popup.getByRole('row', { name: /^Total/ }).textContent()).resolves.toContain('3,000');
    await popup.getByRole('img', { name: /Files finished over time/ }).waitFor();
    await popup.setViewportSize({ width: 1000, height: 900 });
    await popup.screenshot({ path: '/tmp/courier-html-report.png', fullPage: true });
    await popup.emulateMedia({ media: 'print' });
    await popup.screenshot({ path: '/tmp/courier-html-report-print.png', fullPage: false });
    // The report's page carries no script and the host serves it under a policy that runs none.
    await expect(popup.locator('script').count()).resolves.toBe(0);
    await popup.close();
  });

  it('serves reports only with the token and only from the reports folder', async () => {
    const origin = new URL(server.url).origin;
    const anonymous = await browser.newContext();
    const denied = await anonymous.request.get(`${origin}/reports/anything.html`);
    expect(denied.status()).toBe(401);
    await anonymous.close();
    const token = new URL(server.url).searchParams.get('token')!;
    for (const path of [
      '/reports/..%2Fledger.sqlite',
      '/reports/%2e%2e/ledger.sqlite',
      '/reports/ledger.sqlite',
      '/reports/missing.csv',
    ]) {
      const r = await page.request.get(`${origin}${path}?token=${token}`);
      expect([403, 404]).toContain(r.status());
    }
  });

  it('saves per-host limits in Settings → Limits and shows them again after a reload', async () => {
    await page.goto(`${server.url}#/settings`);
    await page.getByRole('heading', { name: 'Limits' }).waitFor();
    await page.getByLabel('Files a new batch sends at the same time').fill('6');
    await page.getByRole('button', { name: 'Add host' }).click();
    await page.getByRole('textbox', { name: 'Host 1' }).fill('https://XNAT.example.org/app');
    await page.getByRole('spinbutton', { name: 'Requests at the same time to xnat.example.org' }).fill('2');
    await page
      .getByRole('spinbutton', { name: 'Pause between requests to xnat.example.org, in milliseconds' })
      .fill('1500');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Limits saved.' }).waitFor();
    await page.reload();
    await page.getByRole('textbox', { name: 'Host 1' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Host 1' }).inputValue()).resolves.toBe(
      'xnat.example.org',
    );
    await expect(page.getByLabel('Files a new batch sends at the same time').inputValue()).resolves.toBe('6');
    await expect(
      page
        .getByRole('spinbutton', { name: 'Pause between requests to xnat.example.org, in milliseconds' })
        .inputValue(),
    ).resolves.toBe('1500');
    const section = page.locator('section.limits');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await section.screenshot({ path: `/tmp/courier-limits-${scheme}.png` });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('refuses a bad limit with a sentence next to the field and saves nothing', async () => {
    await page.getByRole('spinbutton', { name: 'Requests at the same time to xnat.example.org' }).fill('0');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('Requests at the same time must be a whole number from 1 to 64.').waitFor();
    await page.getByRole('status').filter({ hasText: 'Nothing was saved' }).waitFor();
    await page.reload();
    await expect(
      page.getByRole('spinbutton', { name: 'Requests at the same time to xnat.example.org' }).inputValue(),
    ).resolves.toBe('2');
  });
});
