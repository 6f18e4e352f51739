import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../electron/engine/reports/xnatWorkbook';
import { makeTree } from '../integration/xnat/uploadFixture';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { engineCommand, openApp, serve } from '../support/webUi';

const SEEDED = 200_000;
/** 2 subjects × 2 datasets × 3 files of DICOM. */
const STUCK_FILES = 12;

interface Summary {
  state: string;
  counts: Record<string, number>;
}

/**
 * The app while an archive stops answering: an XNAT address whose server accepts connections and never
 * says a word. The batch sending there holds its files in flight; everything else must go on answering,
 * and Cancel must free the stuck files without waiting for the server.
 */
describe('web mode while a server never answers', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const src = join(dir.path, 'scans');
  const held = new Set<Socket>();
  let silent: Server;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  let stuckId: number;

  const summary = async (batchId: number) =>
    ((await engineCommand(server.url, 'batches.get', { batchId })) as { value: Summary }).value;

  beforeAll(async () => {
    requireBuilt();
    silent = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const seeded = await courier([
      '--db',
      db,
      'dev-seed',
      '--items',
      String(SEEDED),
      '--batch',
      'study-2024',
    ]);
    expect(seeded.code).toBe(0);
    expect(makeTree(src, { subjects: 2, datasets: 2, files: 3 })).toHaveLength(STUCK_FILES);
    server = await serve(db, { ...process.env, XNAT_USER: 'archivist', XNAT_PASSWORD: 'not-used' });
    const created = (await engineCommand(server.url, 'batches.create', {
      name: 'to the silent archive',
      source: { kind: 'dicom-folder', config: { dir: src, listing: 'folder', ...DEFAULT_CONFIG } },
      target: { kind: 'xnat', config: { server: `http://127.0.0.1:${port}`, project: 'P1' } },
      start: true,
    })) as { value: { id: number } };
    stuckId = created.value.id;
    ({ browser, page } = await openApp(server.url, { width: 1400, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const socket of held) socket.destroy();
    silent?.close();
    dir.cleanup();
  });

  it('shows the stuck batch running while its requests hang', async () => {
    await expect
      .poll(async () => (await summary(stuckId)).counts.running ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(held.size).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'to the silent archive' }).click();
    await page.getByRole('heading', { name: /to the silent archive/ }).waitFor();
    await page.getByRole('button', { name: /^Running \d+$/ }).waitFor();
  });

  it('answers everything else meanwhile: another batch’s table, its filter and search, Settings', async () => {
    await page.goto(`${server.url.split('#')[0]}#/batches`);
    await page.getByRole('link', { name: 'study-2024' }).click();
    const grid = page.getByRole('grid', { name: 'Files' });
    await page.locator(`[role="grid"][aria-label="Files"][aria-rowcount="${SEEDED + 1}"]`).waitFor();
    await page.getByRole('button', { name: /^Failed [\d,]+$/ }).click();
    await grid.locator('[role="row"][aria-rowindex="2"] .badge', { hasText: 'Failed' }).waitFor();
    await page.getByRole('button', { name: /^All / }).click();
    await page.getByRole('searchbox').fill('IM_001234');
    await grid.locator('[role="row"]', { hasText: 'IM_001234.dcm' }).first().waitFor();
    await page.getByRole('searchbox').fill('');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Add connection' }).waitFor();
    // The stuck files were in flight the whole time.
    expect((await summary(stuckId)).counts.running).toBeGreaterThan(0);
    expect(held.size).toBeGreaterThan(0);
  });

  it('cancels the stuck batch after asking: the files in flight become interrupted, nothing is lost', async () => {
    await page.goto(`${server.url.split('#')[0]}#/batches`);
    await page.getByRole('link', { name: 'to the silent archive' }).click();
    await page.getByRole('heading', { name: /to the silent archive/ }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel to the silent archive' }).click();
    await page
      .getByRole('heading', { name: /to the silent archive/ })
      .locator('.badge', { hasText: 'Cancelled' })
      .waitFor();
    const after = await summary(stuckId);
    expect(after.state).toBe('cancelled');
    expect(after.counts.running ?? 0).toBe(0);
    expect(after.counts.done ?? 0).toBe(0);
    // Every file is still in the ledger, waiting to be sent when the archive answers again.
    expect((after.counts.interrupted ?? 0) + (after.counts.pending ?? 0)).toBe(STUCK_FILES);
    expect(after.counts.interrupted).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Interrupted \d+$/ }).waitFor();
  });
});
