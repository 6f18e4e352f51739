import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startXnatEmulator } from '../servers/xnat';
import type { XnatEmulator } from '../servers/xnat';
import { requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { addConnection, openApp, serve } from '../support/webUi';

describe('web mode: saved connections and a new batch from the GUI', () => {
  const dir = tempDir();
  let xnat: XnatEmulator;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    xnat = await startXnatEmulator({ projects: [{ id: 'CHEST', name: 'Chest CT' }] });
    server = await serve(join(dir.path, 'ledger.sqlite'));
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 850 }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await xnat?.close();
    dir.cleanup();
  });

  it('adds an XNAT connection, tests it, and reports a wrong password in plain words', async () => {
    const good = await addConnection(page, {
      kind: 'xnat',
      label: 'Research XNAT',
      url: xnat.url,
      username: DEFAULT_USER.username,
      password: DEFAULT_USER.password,
    });
    expect(good).toEqual({ ok: true, message: expect.stringContaining('1 project readable') as string });
    const saved = page.getByRole('list', { name: 'Saved connections' }).getByRole('listitem');
    await expect(saved.textContent()).resolves.toContain('password kept until the app closes');

    const bad = await addConnection(page, {
      kind: 'xnat',
      label: 'Typo XNAT',
      url: xnat.url,
      username: DEFAULT_USER.username,
      password: 'not-the-password',
    });
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/password/i);
    await page.screenshot({ path: join(dir.path, 'settings.png') });
  });

  it('edits a connection: a new password fixes the test, an empty one keeps it', async () => {
    const typo = page.getByRole('listitem').filter({ hasText: 'Typo XNAT' });
    await page.getByRole('button', { name: 'Edit Typo XNAT' }).click();
    const form = page.getByRole('form', { name: 'Edit connection' });
    await form.getByLabel('Password', { exact: true }).fill(DEFAULT_USER.password);
    await form.getByRole('button', { name: 'Save and test' }).click();
    await typo.getByRole('status').filter({ hasText: 'readable' }).waitFor();

    await page.getByRole('button', { name: 'Edit Typo XNAT' }).click();
    await form.getByLabel('Name', { exact: true }).fill('Second XNAT');
    await form.getByRole('button', { name: 'Save and test' }).click();
    const renamed = page.getByRole('listitem').filter({ hasText: 'Second XNAT' });
    await renamed.getByRole('status').filter({ hasText: 'readable' }).waitFor();
  });

  it('deletes a connection only after the archivist confirms', async () => {
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Delete Second XNAT' }).click();
    await expect(page.getByRole('button', { name: 'Delete Second XNAT' }).count()).resolves.toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete Second XNAT' }).click();
    await page.getByRole('button', { name: 'Delete Second XNAT' }).waitFor({ state: 'detached' });
    await expect(
      page.getByRole('list', { name: 'Saved connections' }).getByRole('listitem').count(),
    ).resolves.toBe(1);
  });

  it('copies a folder from New batch and lands on the batch with every file done', async () => {
    const from = join(dir.path, 'incoming');
    mkdirSync(join(from, 'sub'), { recursive: true });
    writeFileSync(join(from, 'a.txt'), 'first');
    writeFileSync(join(from, 'sub', 'b.txt'), 'second');
    const to = join(dir.path, 'archive');

    await page.getByRole('link', { name: 'New batch' }).first().click();
    await page.getByRole('link', { name: /Copy a folder/ }).click();
    await page.getByRole('heading', { name: 'Copy a folder' }).waitFor();
    const form = page.getByRole('form', { name: 'Copy a folder' });
    await expect(form.getByRole('button', { name: 'Create batch' }).isDisabled()).resolves.toBe(true);
    await form.getByLabel('Folder to copy', { exact: true }).fill(from);
    await form.getByLabel('Destination folder', { exact: true }).fill(to);
    await form.getByRole('button', { name: 'Create batch' }).click();

    await page.waitForURL(/#\/batches\/\d+$/);
    await page.getByRole('heading', { name: 'Copy of incoming Finished' }).waitFor();
    expect(readFileSync(join(to, 'a.txt'), 'utf8')).toBe('first');
    expect(readFileSync(join(to, 'sub', 'b.txt'), 'utf8')).toBe('second');
  });

  it('edits the wiki page text in Settings with a live preview, and a new wiki upload starts from it', async () => {
    await page.goto(`${server.url.split('#')[0]}#/settings`);
    const section = page.getByRole('region', { name: 'Wiki page text' });
    const text = section.getByLabel('Page text template', { exact: true });
    await expect.poll(() => text.inputValue()).toContain('{{Information');
    const preview = section.getByRole('figure', { name: 'Preview (an image of a Radiopaedia case)' });

    await text.fill('== Summary ==\n${descriptoin}\n');
    await section.getByRole('alert').filter({ hasText: 'Unknown placeholder: ${descriptoin}' }).waitFor();
    await expect(section.getByRole('button', { name: 'Save page text' }).isDisabled()).resolves.toBe(true);

    const mine = '== Summary ==\n${description}\n\n== Licence ==\n${licence}\n\n[[Category:Teaching set]]\n';
    await text.fill(mine);
    await expect
      .poll(() => preview.locator('pre').textContent())
      .toBe(
        '== Summary ==\nMedulloblastoma. Study 700011: MRI, axial T1, image 1 of 24.\n\n== Licence ==\n{{CC-BY-NC-SA-3.0}}\n\n[[Category:Teaching set]]\n',
      );
    await section.getByRole('button', { name: 'Save page text' }).click();
    await section.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    await page.reload();
    const reloaded = page
      .getByRole('region', { name: 'Wiki page text' })
      .getByLabel('Page text template', { exact: true });
    // The saved text arrives from the engine after the page shows.
    await expect.poll(() => reloaded.inputValue()).toBe(mine);
    await page.goto(`${server.url.split('#')[0]}#/new/wiki`);
    const form = page.getByRole('form', { name: 'Upload to a wiki' });
    await form.getByText('Page text and upload comment').click();
    const template = form.getByLabel('Page text template', { exact: true });
    await expect.poll(() => template.inputValue()).toBe(mine);
  });

  it('shows the engine’s refusal in the form and creates nothing', async () => {
    await page.goto(`${server.url.split('#')[0]}#/new/copy-folder`);
    const form = page.getByRole('form', { name: 'Copy a folder' });
    await form.getByLabel('Folder to copy', { exact: true }).fill(join(dir.path, 'incoming'));
    await form.getByLabel('Destination folder', { exact: true }).fill(' ');
    await form.getByLabel('Batch name', { exact: true }).fill('Broken');
    await expect(form.getByRole('button', { name: 'Create batch' }).isDisabled()).resolves.toBe(true);
    await page.goto(`${server.url.split('#')[0]}#/new/no-such-flow`);
    await page.getByRole('alert').filter({ hasText: 'no-such-flow' }).waitFor();
  });
});
