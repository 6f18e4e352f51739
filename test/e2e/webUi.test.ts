import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { engineCommand, openApp, serve } from '../support/webUi';

const ROWS = 1_000_000;

describe('web mode, end to end, on a million-row ledger', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    const seeded = await courier(['--db', db, 'dev-seed', '--items', String(ROWS), '--batch', 'study-2024']);
    expect(seeded.code).toBe(0);
    server = await serve(db);
    ({ browser, page } = await openApp(server.url, { width: 1400, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.cleanup();
  });

  it('lists the batch with its counts and opens its table with the first rows in order', async () => {
    await expect(
      page.getByRole('progressbar', { name: 'Progress of study-2024' }).getAttribute('aria-valuemax'),
    ).resolves.toBe(String(ROWS));
    await page.getByRole('link', { name: 'study-2024' }).click();
    await page.getByRole('heading', { name: /study-2024/ }).waitFor();
    const grid = page.getByRole('grid', { name: 'Files' });
    await page.locator(`[role="grid"][aria-label="Files"][aria-rowcount="${ROWS + 1}"]`).waitFor();
    const firstRow = grid.locator('[role="row"][aria-rowindex="2"]');
    await firstRow.getByRole('gridcell').first().filter({ hasText: '1' }).waitFor();
    await expect(firstRow.getByRole('gridcell').nth(1).textContent()).resolves.toBe(
      'SUBJ-0001/SUBJ-0001_CT1/AX T1/IM_000000.dcm',
    );
    await expect(
      page.getByRole('button', { name: /^All 1,000,000$/ }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
  });

  it('filters by status in the engine: only failed rows, with the count from the ledger', async () => {
    await page.getByRole('button', { name: /^Failed 30,000$/ }).click();
    const grid = page.getByRole('grid', { name: 'Files' });
    await page
      .locator('[role="grid"][aria-label="Files"][aria-rowcount="30001"][aria-busy="false"]')
      .waitFor();
    await grid.locator('[role="row"][aria-rowindex="2"] .badge', { hasText: 'Failed' }).waitFor();
    const statuses = await grid.locator('[role="row"] .badge').allTextContents();
    expect(statuses.length).toBeGreaterThan(5);
    expect(new Set(statuses)).toEqual(new Set(['Failed']));
    await page.getByRole('button', { name: /^All / }).click();
    await page.locator(`[role="grid"][aria-label="Files"][aria-rowcount="${ROWS + 1}"]`).waitFor();
  });

  it('scrolls to the last of a million rows, by keyboard and by dragging the scrollbar to the end', async () => {
    const scroller = page.getByRole('grid', { name: 'Files' }).locator('.files-scroll');
    await scroller.focus();
    await page.keyboard.press('End');
    const last = page.locator(`[role="row"][aria-rowindex="${ROWS + 1}"]`);
    await last.getByRole('gridcell').first().filter({ hasText: '1,000,000' }).waitFor();
    await page.keyboard.press('Home');
    await page.locator('[role="row"][aria-rowindex="2"]').waitFor();
    await scroller.evaluate((el) => {
      const box = el as unknown as { scrollTop: number; scrollHeight: number };
      box.scrollTop = box.scrollHeight;
    });
    await last.getByRole('gridcell').first().filter({ hasText: '1,000,000' }).waitFor();
    await expect(last.isVisible()).resolves.toBe(true);
    await page.keyboard.press('Home');
  });

  it('shows a status change made in the engine without a reload', async () => {
    const grid = page.getByRole('grid', { name: 'Files' });
    // Row 6 of the seeded batch is pending; skip it from another client of the engine.
    const row = grid.locator('[role="row"][aria-rowindex="7"]');
    await row.locator('.badge', { hasText: 'Pending' }).waitFor();
    const window = (await engineCommand(server.url, 'items.window', { batchId: 1, offset: 5, limit: 1 })) as {
      value: { rows: { id: number; status: string }[] };
    };
    expect(window.value.rows[0]!.status).toBe('pending');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    await engineCommand(server.url, 'items.decide', {
      batchId: 1,
      itemIds: [window.value.rows[0]!.id],
      action: 'skip',
      note: 'e2e',
    });
    await row.locator('.badge', { hasText: 'Skipped' }).waitFor();
    await expect(page.getByRole('button', { name: /^Skipped 20,001$/ }).isVisible()).resolves.toBe(true);
    expect(navigations).toEqual([]);
  });
});
