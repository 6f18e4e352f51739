// npm run screenshots: seeds a realistic ledger, serves it in web mode and saves a PNG of each screen
// into docs/screenshots/ (used by the README).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const dir = mkdtempSync(join(tmpdir(), 'courier-shots-'));
const db = join(dir, 'ledger.sqlite');
const courier = (...args) =>
  spawnSync(process.execPath, ['bin/courier.mjs', '--db', db, ...args], { stdio: 'inherit' });
courier('dev-seed', '--items', '250000', '--batch', 'CT colonography 2024');
const from = join(dir, 'teaching-set');
for (let s = 1; s <= 3; s++) {
  mkdirSync(join(from, `case-${s}`), { recursive: true });
  for (let i = 0; i < 40; i++) writeFileSync(join(from, `case-${s}`, `image-${i}.png`), `image ${s}/${i}`);
}
courier('copy', '--from', from, '--to', join(dir, 'archive-copy'), '--batch', 'Teaching set backup');
// A folder laid out as xnatuploader's default pattern expects, for the live preview of the patterns.
const dicomFolder = join(dir, 'dicom-incoming');
for (const [subject, date, series] of [
  ['PAT-0007', '20240311', 'CT_Abdomen'],
  ['PAT-0007', '20240311', 'CT_Chest'],
  ['PAT-0012', '20240402', 'MR_Brain'],
]) {
  const seriesDir = join(dicomFolder, subject, `${subject}-${date}`, series);
  mkdirSync(seriesDir, { recursive: true });
  for (let i = 1; i <= 3; i++) writeFileSync(join(seriesDir, `IM_${i}.dcm`), 'DICM');
}
writeFileSync(join(dicomFolder, 'README.txt'), 'Notes about this export');

const server = spawn(process.execPath, ['bin/courier.mjs', '--db', db, 'serve'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += String(d);
    const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
    if (m) resolve(m[0]);
  });
});
const browser = await chromium.launch({
  executablePath: process.env.COURIER_BROWSER ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });
for (const scheme of ['light', 'dark']) {
  const page = await browser.newPage({ viewport: { width: 1360, height: 820 }, colorScheme: scheme });
  page.setDefaultTimeout(30_000);
  await page.goto(url);
  await page.locator('[data-app-state="loaded"]').waitFor();
  await page.getByRole('link', { name: 'Teaching set backup' }).waitFor();
  if (scheme === 'dark') {
    await page.getByRole('link', { name: /CT colonography/ }).click();
    await page.locator('[role="row"][aria-rowindex="2"] .badge').waitFor();
    await page.screenshot({ path: join(out, 'batch-dark.png') });
    break;
  }
  await page.screenshot({ path: join(out, 'batches.png') });
  await page.getByRole('link', { name: /CT colonography/ }).click();
  await page.locator('[role="row"][aria-rowindex="2"] .badge').waitFor();
  await page.screenshot({ path: join(out, 'batch.png') });
  await page.getByRole('button', { name: /^Needs attention/ }).click();
  await page.locator('[role="row"][aria-rowindex="2"] .badge', { hasText: 'Needs attention' }).waitFor();
  await page.screenshot({ path: join(out, 'batch-attention-filter.png') });
  await page.getByRole('link', { name: /^Attention/ }).click();
  await page.getByRole('list', { name: 'Attention groups' }).getByRole('listitem').first().waitFor();
  await page.screenshot({ path: join(out, 'attention.png') });

  // One file's drawer: what happened to it and why.
  await page
    .getByRole('link', { name: /CT colonography/ })
    .first()
    .click();
  await page.locator('[role="row"][aria-rowindex="3"] .badge').click();
  await page
    .getByRole('dialog')
    .getByRole('heading', { name: /^History/ })
    .waitFor();
  await page.screenshot({ path: join(out, 'drawer.png') });

  await page.getByRole('link', { name: 'New batch' }).first().click();
  await page.getByRole('list', { name: 'Kinds of batch' }).waitFor();
  await page.screenshot({ path: join(out, 'new-batch.png') });
  await page.getByRole('link', { name: /DICOM folder → XNAT/ }).click();
  await page.getByLabel('Folder of DICOM files').fill(dicomFolder);
  const preview = page.getByRole('table', { name: 'Pattern preview' });
  await preview.getByRole('row').nth(2).waitFor();
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'new-xnat-upload.png') });
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Limits' }).waitFor();
  await page.getByRole('heading', { name: 'Data folder' }).waitFor();
  // The whole Settings page: the app scrolls inside its window, so the window is made as tall as the page.
  const height = await page.evaluate(() => globalThis.document.querySelector('main')?.scrollHeight ?? 820);
  await page.setViewportSize({ width: 1360, height: Math.max(820, height + 40) });
  await page.screenshot({ path: join(out, 'settings.png') });
  await page.close();
}
await browser.close();
server.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
console.log(`Screenshots written to ${out}/`);
