import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDicomFile } from '../fixtures/dicomFactory';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { engineValue as engine, openApp, serve } from '../support/webUi';

const ROWS = 1_000_000;

/** A real 24×16 RGB PNG (a colour gradient). */
function pngBytes(): Buffer {
  const width = 24;
  const height = 16;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = x * 10;
      raw[o + 1] = y * 15;
      raw[o + 2] = 200;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

interface Detail {
  item: { id: number; name: string; status: string };
  events: {
    kind: string;
    code: string | null;
    message: string | null;
    data: Record<string, unknown> | null;
  }[];
}
interface Window {
  rows: { id: number; status: string; name: string }[];
  total: number;
}
interface Summary {
  id: number;
  name: string;
  counts: Record<string, number>;
}

describe('operator console in web mode', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const src = join(dir.path, 'incoming');
  const out = join(dir.path, 'outgoing');
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  let scansId: number;

  const openBatch = async (name: string) => {
    await page.goto(`${server.url}#/batches`);
    await page.locator('[data-app-state="loaded"]').waitFor();
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name: new RegExp(name) }).waitFor();
  };
  const grid = () => page.getByRole('grid', { name: 'Files' });
  const drawer = () => page.getByRole('dialog');

  beforeAll(async () => {
    requireBuilt();
    const seeded = await courier(['--db', db, 'dev-seed', '--items', String(ROWS), '--batch', 'study-2024']);
    expect(seeded.code).toBe(0);
    mkdirSync(join(src, 'P001'), { recursive: true });
    writeFileSync(join(src, 'P001', 'photo.png'), pngBytes());
    writeDicomFile(join(src, 'P001', 'slice.dcm'), {
      tags: { PatientID: 'P-ECHO-7', Modality: 'MR', SeriesDescription: 'AX FLAIR' },
      pixelBytes: 4096,
    });
    server = await serve(db);
    const created = await engine<{ id: number }>(server.url, 'batches.create', {
      name: 'scans',
      source: { kind: 'folder', config: { dir: src } },
      target: { kind: 'folder', config: { dir: out } },
      start: true,
    });
    scansId = created.id;
    ({ browser, page } = await openApp(server.url, { width: 1500, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.cleanup();
  });

  it('opens a file from its row: metadata, history and an image preview; Escape gives the row back', async () => {
    await openBatch('scans');
    await page.getByRole('heading', { name: /scans/ }).locator('.badge', { hasText: 'Finished' }).waitFor();
    const pngRow = grid().locator('[role="row"]', { hasText: 'P001/photo.png' });
    await pngRow.getByRole('gridcell').nth(1).click();
    await drawer().getByRole('heading', { name: 'P001/photo.png' }).waitFor();
    const history = drawer().getByRole('list', { name: 'Event history' });
    await history.getByText('attempt 1').waitFor();
    await expect(history.locator('li').count()).resolves.toBeGreaterThanOrEqual(2);
    const img = drawer().getByRole('img', { name: 'Preview of P001/photo.png' });
    await img.waitFor();
    await expect(
      img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth),
    ).resolves.toBe(24);
    // The target is the copy the folder target wrote.
    await drawer()
      .getByText(join(out, 'P001', 'photo.png'))
      .waitFor();
    await page.screenshot({ path: '/tmp/console-drawer-image.png' });
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it('works by keyboard alone: arrows to a DICOM row, Enter shows its header, Escape returns to the row', async () => {
    await openBatch('scans');
    await grid().locator('[role="row"]', { hasText: 'P001/slice.dcm' }).waitFor();
    // Tab from the search field reaches the table (after the column chooser).
    await page.getByRole('searchbox', { name: 'Search file names' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement?.getAttribute("role")')).resolves.toBe('grid');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(grid().getAttribute('aria-activedescendant')).resolves.toBe('files-row-1');
    await page.keyboard.press('Enter');
    const header = drawer().getByRole('table', { name: 'DICOM header of P001/slice.dcm' });
    await header.waitFor();
    await header
      .getByRole('row', { name: /PatientID/ })
      .getByText('P-ECHO-7')
      .waitFor();
    await header
      .getByRole('row', { name: /SeriesDescription/ })
      .getByText('AX FLAIR')
      .waitFor();
    await expect(header.getByRole('row', { name: /PatientID/ }).textContent()).resolves.toContain(
      '(0010,0020)',
    );
    // Focus went into the drawer; Escape closes it and gives the focus back to the same row.
    await expect(page.evaluate("document.activeElement?.getAttribute('aria-label')")).resolves.toBe(
      'Close details',
    );
    await page.screenshot({ path: '/tmp/console-drawer-dicom.png' });
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
    await expect(page.evaluate('document.activeElement?.getAttribute("role")')).resolves.toBe('grid');
    await expect(grid().getAttribute('aria-activedescendant')).resolves.toBe('files-row-1');
  });

  it('hides and shows columns with the chooser, resizes them, and remembers both after a reload', async () => {
    await openBatch('scans');
    const groupHeader = grid().getByRole('columnheader', { name: /^Group/ });
    await groupHeader.waitFor();
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Group' }).uncheck();
    await groupHeader.waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Path' }).check();
    await grid().getByRole('columnheader', { name: /^Path/ }).waitFor();
    await page.keyboard.press('Escape');

    const nameHeader = grid().getByRole('columnheader', { name: /^Name/ });
    const before = (await nameHeader.boundingBox())!.width;
    const handle = page.getByRole('separator', { name: 'Resize column Name' });
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const dragged = (await nameHeader.boundingBox())!.width;
    expect(dragged).toBeGreaterThan(before + 60);
    // And from the keyboard: the separator takes arrow keys.
    await handle.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const keyed = Number(await handle.getAttribute('aria-valuenow'));
    expect(keyed).toBe(Math.round(dragged) + 32);

    await page.reload();
    await page.locator('[data-app-state="loaded"]').waitFor();
    await grid().getByRole('columnheader', { name: /^Path/ }).waitFor();
    await expect(
      grid()
        .getByRole('columnheader', { name: /^Group/ })
        .count(),
    ).resolves.toBe(0);
    await expect(
      page.getByRole('separator', { name: 'Resize column Name' }).getAttribute('aria-valuenow'),
    ).resolves.toBe(String(keyed));

    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Group' }).check();
    await page.getByRole('button', { name: 'Reset columns and widths' }).click();
    await grid()
      .getByRole('columnheader', { name: /^Group/ })
      .waitFor();
    await grid().getByRole('columnheader', { name: /^Path/ }).waitFor({ state: 'detached' });
  });

  it('selects rows by mouse and keyboard and records bulk retry and skip with the note, per file', async () => {
    await openBatch('study-2024');
    await page.getByRole('button', { name: /^Failed 30,000$/ }).click();
    await page
      .locator('[role="grid"][aria-label="Files"][aria-rowcount="30001"][aria-busy="false"]')
      .waitFor();
    const rows = await engine<Window>(server.url, 'items.window', {
      batchId: 1,
      filter: { statuses: ['failed'] },
      offset: 0,
      limit: 5,
    });
    const [a, b, c, d, e] = rows.rows;
    // Mouse: tick row 1, shift-tick row 3 selects 1…3.
    await page.getByRole('checkbox', { name: `Select ${a!.name}` }).click();
    await page.getByRole('checkbox', { name: `Select ${c!.name}` }).click({ modifiers: ['Shift'] });
    const bar = page.getByRole('region', { name: 'Selected files' });
    await bar.getByText('3 files selected').waitFor();
    await page.screenshot({ path: '/tmp/console-bulk-bar.png' });
    await bar.getByRole('textbox', { name: /^Note for the decision/ }).fill('archive back online');
    await bar.getByRole('button', { name: 'Retry 3 selected files' }).click();
    await page.getByRole('status').getByText('Done for 3 files.').waitFor();
    for (const item of [a!, b!, c!]) {
      const detail = await engine<Detail>(server.url, 'items.detail', { itemId: item.id });
      expect(detail.item.status).toBe('pending');
      const decision = detail.events.find((ev) => ev.kind === 'decision');
      expect(decision).toMatchObject({
        code: 'retry',
        data: { note: 'archive back online', from: 'failed' },
      });
    }

    // Keyboard: the rows that were retried left the filter; d and e are now rows 1 and 2.
    await grid().locator('[role="row"][aria-rowindex="2"]', { hasText: d!.name }).waitFor();
    await grid().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await page.keyboard.press('Shift+ArrowDown');
    await bar.getByText('2 files selected').waitFor();
    await bar.getByRole('button', { name: 'Skip 2 selected files' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Done for 2 files.').waitFor();
    for (const item of [d!, e!]) {
      const detail = await engine<Detail>(server.url, 'items.detail', { itemId: item.id });
      expect(detail.item.status).toBe('skipped');
      expect(detail.events.filter((ev) => ev.kind === 'decision')).toHaveLength(1);
    }
  });

  it('selects all files matching the filter and decides for them in the engine', async () => {
    await openBatch('study-2024');
    await page.getByRole('button', { name: /^Failed 29,995$/ }).click();
    await page
      .locator('[role="grid"][aria-label="Files"][aria-rowcount="29996"][aria-busy="false"]')
      .waitFor();
    await page.getByRole('checkbox', { name: 'Select all 29,995 files matching the filter' }).check();
    const bar = page.getByRole('region', { name: 'Selected files' });
    await bar.getByText('29,995').waitFor();
    await bar.getByRole('textbox', { name: /^Note for the decision/ }).fill('bulk after outage');
    await bar.getByRole('button', { name: 'Retry all 29,995 matching files' }).click();
    await page.getByRole('status').getByText('Done for 29,995 files.').waitFor();
    const batch = await engine<Summary>(server.url, 'batches.get', { batchId: 1 });
    expect(batch.counts.failed).toBe(0);
    const reader = new Database(db, { readonly: true });
    try {
      const recorded = reader
        .prepare(
          `SELECT count(*) FROM decisions WHERE batch_id = 1 AND action = 'retry' AND note = 'bulk after outage'`,
        )
        .pluck()
        .get();
      expect(recorded).toBe(29_995);
    } finally {
      reader.close();
    }
  });

  it('lists attention by reason, decides for a whole group and renames one file', async () => {
    await page.goto(`${server.url}#/attention`);
    const groups = page.getByRole('list', { name: 'Attention groups' });
    const licence = groups.getByRole('listitem', { name: /^licence-unexpected in study-2024/ });
    await licence.waitFor();
    const before = (
      await engine<{ reason: string; count: number }[]>(server.url, 'attention.summary', {})
    ).map((g) => [g.reason, g.count]);
    expect(Object.fromEntries(before)).toMatchObject({ 'licence-unexpected': expect.any(Number) });
    await page.screenshot({ path: '/tmp/console-attention.png', fullPage: false });

    await licence.getByRole('textbox', { name: /^Note for the decision/ }).fill('licence checked by hand');
    await licence
      .getByRole('button', { name: /^Approve all .* files of licence-unexpected in study-2024$/ })
      .click();
    await licence.waitFor({ state: 'detached' });

    const conflict = groups.getByRole('listitem', { name: /^name-conflict in study-2024/ });
    await conflict.getByRole('button', { name: 'Show files of name-conflict in study-2024' }).click();
    const files = conflict.getByRole('list', { name: 'Files of name-conflict in study-2024' });
    const first = files.getByRole('listitem').first();
    const name = (await first.getByRole('button', { name: /^Details of / }).textContent())!;
    await first.getByRole('button', { name: `Rename ${name}` }).click();
    await first.getByRole('textbox', { name: `New name for ${name}` }).fill('renamed-by-operator.dcm');
    await first.getByRole('button', { name: 'Save name' }).click();
    await files.getByRole('button', { name: `Details of ${name}` }).waitFor({ state: 'detached' });
    const renamed = await engine<Window>(server.url, 'items.window', {
      batchId: 1,
      filter: { text: 'renamed-by-operator' },
      offset: 0,
      limit: 5,
    });
    expect(renamed.rows).toHaveLength(1);
    expect(renamed.rows[0]!.status).toBe('pending');

    // A file of a group opens in the drawer.
    const next = files
      .getByRole('listitem')
      .first()
      .getByRole('button', { name: /^Details of / });
    const nextName = (await next.textContent())!;
    await next.click();
    await drawer().getByRole('heading', { name: nextName }).waitFor();
    await page.screenshot({ path: '/tmp/console-attention-drawer.png' });
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });

    const reader = new Database(db, { readonly: true });
    try {
      const approvals = reader
        .prepare(
          `SELECT count(*) FROM decisions WHERE action = 'approve' AND note = 'licence checked by hand'`,
        )
        .pluck()
        .get() as number;
      expect(approvals).toBe(before.find(([r]) => r === 'licence-unexpected')![1]);
      const rename = reader
        .prepare(
          `SELECT count(*) FROM decisions WHERE action = 'rename' AND new_name = 'renamed-by-operator.dcm'`,
        )
        .pluck()
        .get();
      expect(rename).toBe(1);
    } finally {
      reader.close();
    }
  });

  it('notifies on the desktop when a batch finishes, once permitted; asks only from a button', async () => {
    const fresh = await browser.newPage();
    await fresh.goto(server.url);
    await fresh.locator('[data-app-state="loaded"]').waitFor();
    await fresh.getByRole('button', { name: 'Turn on notifications' }).waitFor();
    await expect(fresh.evaluate('Notification.permission')).resolves.toBe('default');
    await fresh.close();

    const context = await browser.newContext({ permissions: ['notifications'] });
    const watcher = await context.newPage();
    // Records what the page shows, in addition to showing it.
    await watcher.addInitScript(`
      const shown = [];
      const Real = window.Notification;
      class Recording extends Real {
        constructor(title, options) {
          shown.push(title + ' | ' + (options?.body ?? ''));
          super(title, options);
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recording });
      Object.defineProperty(window, 'shownNotifications', { value: shown });
    `);
    await watcher.goto(server.url);
    await watcher.locator('[data-app-state="loaded"]').waitFor();
    await expect(watcher.getByRole('button', { name: 'Turn on notifications' }).count()).resolves.toBe(0);
    await engine(server.url, 'batches.create', {
      name: 'quick',
      source: { kind: 'folder', config: { dir: src } },
      target: { kind: 'folder', config: { dir: join(dir.path, 'quick-out') } },
      start: true,
    });
    type Recorded = { shownNotifications: string[] };
    await watcher.waitForFunction(() =>
      (globalThis as unknown as Recorded).shownNotifications.some((n) =>
        n.startsWith('Batch finished: quick'),
      ),
    );
    const shown = await watcher.evaluate(() => (globalThis as unknown as Recorded).shownNotifications);
    expect(shown).toEqual(['Batch finished: quick | All 2 files settled, 2 files done.']);
    await context.close();
  });

  it('deletes a batch after confirmation, from its page and from the list, keeping every file on disk', async () => {
    await openBatch('scans');
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Delete scans' }).click();
    expect(asked).toContain('No file on disk');
    await expect(page.getByRole('heading', { name: /scans/ }).isVisible()).resolves.toBe(true);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete scans' }).click();
    await page.waitForURL(/#\/batches$/);
    await page.getByRole('link', { name: 'study-2024', exact: true }).waitFor();
    await expect(page.getByRole('link', { name: 'scans', exact: true }).count()).resolves.toBe(0);
    for (const file of [
      join(src, 'P001', 'photo.png'),
      join(src, 'P001', 'slice.dcm'),
      join(out, 'P001', 'photo.png'),
      join(out, 'P001', 'slice.dcm'),
    ])
      expect(existsSync(file)).toBe(true);
    await expect
      .poll(() =>
        engine(server.url, 'batches.get', { batchId: scansId }).then(
          () => 'still there',
          (e: Error) => e.message,
        ),
      )
      .toMatch(/no batch/);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete quick' }).click();
    await page.getByRole('link', { name: 'quick', exact: true }).waitFor({ state: 'detached' });

    // The million-row batch, from the list; the ledger empties in chunks behind the scenes.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete study-2024' }).click();
    await page.getByRole('link', { name: 'study-2024', exact: true }).waitFor({ state: 'detached' });
    const reader = new Database(db, { readonly: true });
    try {
      await expect
        .poll(() => reader.prepare('SELECT count(*) FROM batches').pluck().get(), { timeout: 170_000 })
        .toBe(0);
      expect(reader.prepare('SELECT count(*) FROM items').pluck().get()).toBe(0);
      expect(reader.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
      expect(reader.prepare('SELECT count(*) FROM batch_counts').pluck().get()).toBe(0);
    } finally {
      reader.close();
    }
  });
});
