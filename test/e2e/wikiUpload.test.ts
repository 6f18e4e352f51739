// The "Upload to a wiki" flow in web mode, end to end, against a real MediaWiki 1.39: a finished
// Radiopaedia fixture batch, the wiki connection added in Settings, a dry run that shows titles and page
// text without uploading, the upload, the pages on the wiki (text, licence, categories) and the table's
// links to them; then a spreadsheet of the same bytes under another name, whose duplicate is shown beside it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediaWiki } from '../servers/mediawiki';
import type { MediaWikiServer } from '../servers/mediawiki';
import { startRadiopaediaFixture } from '../servers/radiopaedia';
import type { RadiopaediaFixture } from '../servers/radiopaedia';
import { fileHistory, pageText } from '../integration/mediawiki/wikiBatchKit';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { addConnection, engineCommand, openApp, serve } from '../support/webUi';

/** The description page URL of a file, as the wiki gives it. */
async function descriptionUrl(wiki: MediaWikiServer, title: string): Promise<string | undefined> {
  const url = new URL(wiki.apiUrl);
  for (const [k, v] of Object.entries({
    action: 'query',
    prop: 'imageinfo',
    iiprop: 'url',
    titles: title,
    format: 'json',
    formatversion: '2',
  }))
    url.searchParams.set(k, v);
  const body = (await (await fetch(url)).json()) as {
    query: { pages: { imageinfo?: { descriptionurl: string }[] }[] };
  };
  return body.query.pages[0]?.imageinfo?.[0]?.descriptionurl;
}

const FIRST = 'Medulloblastoma (Radiopaedia 70001-700011 Axial T1 1).jpg';

describe('from a finished Radiopaedia batch to pages on a wiki, through the GUI (web mode)', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const archive = join(dir.path, 'archive');
  let wiki: MediaWikiServer;
  let fixture: RadiopaediaFixture;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    [wiki, fixture] = await Promise.all([
      startMediaWiki({ sitename: 'GUI target' }),
      startRadiopaediaFixture({ renderDelayMs: 50, imageBytes: 20_000 }),
    ]);
    const archived = await courier([
      '--db',
      db,
      'radiopaedia',
      '--case',
      '70001',
      '--out',
      archive,
      '--site',
      fixture.url,
      '--delay-ms',
      '1',
      '--batch',
      'medulloblastoma',
    ]);
    expect(archived.code, archived.stderr).toBe(0);
    server = await serve(db);
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 1000 }));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([wiki?.close(), fixture?.close()]);
    dir.cleanup();
  });

  it('adds the wiki in Settings, shows a dry run without uploading, uploads, and links to the pages', async () => {
    const test = await addConnection(page, {
      kind: 'mediawiki',
      label: 'Test wiki',
      url: wiki.apiUrl,
      username: wiki.botUser,
      password: wiki.botPassword,
    });
    expect(test.ok, test.message).toBe(true);
    await page.screenshot({ path: '/tmp/wiki-settings.png', fullPage: true });

    await page.goto(`${server.url.split('#')[0]}#/new`);
    await page.getByRole('link', { name: /Upload to a wiki/ }).click();
    const form = page.getByRole('form', { name: 'Upload to a wiki' });
    // The finished batches arrive from the engine after the form shows.
    await form
      .getByLabel('Finished batch', { exact: true })
      .locator('option', { hasText: 'medulloblastoma' })
      .waitFor({ state: 'attached' });
    await expect(form.getByLabel('Finished batch', { exact: true }).inputValue()).resolves.toBe(
      'medulloblastoma',
    );
    await form.locator('select option', { hasText: 'Test wiki' }).waitFor({ state: 'attached' });
    await expect(
      form.getByLabel('Wiki', { exact: true }).locator('option:checked').textContent(),
    ).resolves.toContain('Test wiki');
    // No reference wiki can be reached from here but the test wiki itself.
    await form.getByLabel('Reference wikis (duplicate check)', { exact: true }).fill(wiki.apiUrl);
    await form.getByLabel('Extra categories', { exact: true }).fill('Courier GUI uploads');
    await form.getByLabel('Batch name', { exact: true }).fill('medulloblastoma to wiki');

    await form.getByRole('button', { name: /Dry run/ }).click();
    const dry = page.getByRole('list', { name: 'Dry run files' });
    const first = dry.getByRole('article', { name: `File:${FIRST}` });
    await first.waitFor({ timeout: 60_000 });
    await expect(dry.getByRole('article').count()).resolves.toBe(10);
    const text = (await first.getByLabel(`Page text of File:${FIRST}`).textContent()) ?? '';
    expect(text).toContain('{{CC-BY-NC-SA-3.0}}');
    expect(text).toContain('[[Category:Courier GUI uploads]]');
    expect(text).toContain('Medulloblastoma. Radiopaedia case 70001');
    await expect(first.textContent()).resolves.toContain(`would be uploaded as File:${FIRST}`);
    await expect(first.textContent()).resolves.toContain('no file has these bytes');
    await page.screenshot({ path: '/tmp/wiki-dry-run.png', fullPage: true });
    expect(await fileHistory(wiki, `File:${FIRST}`)).toEqual([]);

    await form.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: /medulloblastoma to wiki/ }).waitFor();
    await page
      .getByRole('heading', { name: /medulloblastoma to wiki/ })
      .getByText('Finished')
      .waitFor({ timeout: 120_000 });
    await page.screenshot({ path: '/tmp/wiki-batch.png', fullPage: true });

    const names = readdirSync(archive).filter((f) => /\.(jpg|png)$/.test(f));
    expect(names).toHaveLength(10);
    for (const name of names) {
      const history = await fileHistory(wiki, `File:${name}`);
      expect(history, name).toHaveLength(1);
    }
    const wikitext = await pageText(wiki, `File:${FIRST}`);
    expect(wikitext).toContain('{{CC-BY-NC-SA-3.0}}');
    expect(wikitext).toContain('[[Category:Courier GUI uploads]]');
    expect(wikitext).toContain('[[Category:Radiopaedia images for Central Nervous System]]');
    expect(wikitext).toContain('Frank Gaillard');
    const [version] = await fileHistory(wiki, `File:${FIRST}`);
    expect(version?.comment).toMatch(/^rID:70001 \(batch #2-1 /);

    const link = page.getByRole('grid', { name: 'Files' }).getByRole('link', { name: FIRST });
    await expect(link.getAttribute('href')).resolves.toBe(await descriptionUrl(wiki, `File:${FIRST}`));
  });

  it('a spreadsheet of the same bytes under another name ends duplicate, and the wiki file is shown beside it', async () => {
    const sheet = join(dir.path, 'again.csv');
    writeFileSync(
      sheet,
      `path,name,description,license,categories\n"${join(archive, FIRST)}",Same bytes again.jpg,Again,CC-BY-4.0,Again\n`,
    );
    await page.goto(`${server.url.split('#')[0]}#/new/wiki`);
    const form = page.getByRole('form', { name: 'Upload to a wiki' });
    await form.getByLabel('A spreadsheet (.xlsx or .csv)', { exact: true }).check();
    await form.getByLabel('Spreadsheet', { exact: true }).fill(sheet);
    await form.getByLabel('Reference wikis (duplicate check)', { exact: true }).fill('');
    await form.getByLabel('Batch name', { exact: true }).fill('sheet again');
    await form.getByRole('button', { name: /Dry run/ }).click();
    const row = page
      .getByRole('list', { name: 'Dry run files' })
      .getByRole('article', { name: 'File:Same bytes again.jpg' });
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toContain(`duplicate of File:${FIRST.replace(/\.jpg$/, '')}`);
    await form.getByRole('button', { name: 'Upload' }).click();
    await page
      .getByRole('heading', { name: /sheet again/ })
      .getByText('Finished')
      .waitFor({ timeout: 60_000 });

    const window = (await engineCommand(server.url, 'items.window', {
      batchId: 3,
      offset: 0,
      limit: 10,
    })) as { value: { rows: { id: number; status: string }[] } };
    const item = window.value.rows[0]!;
    expect(item.status).toBe('duplicate');
    const answer = (await engineCommand(server.url, 'wiki.conflict', { itemId: item.id })) as {
      ok: boolean;
      value: {
        newFile: { image: string | null };
        existing: { title: string; url: string; image: string | null }[];
      };
    };
    expect(answer.ok).toBe(true);
    const bytes = readFileSync(join(archive, FIRST));
    expect(answer.value.newFile.image).toBe(`data:image/jpeg;base64,${bytes.toString('base64')}`);
    expect(answer.value.existing.map((f) => f.title)).toEqual([`File:${FIRST}`]);
    expect(answer.value.existing[0]!.url).toBe(await descriptionUrl(wiki, `File:${FIRST}`));
    expect(answer.value.existing[0]!.image).toBe(`data:image/jpeg;base64,${bytes.toString('base64')}`);
    expect(await fileHistory(wiki, 'File:Same bytes again.jpg')).toEqual([]);

    // The item's details show both files side by side.
    await page.getByRole('grid', { name: 'Files' }).getByText('Same bytes again.jpg').click();
    const extra = page.getByRole('dialog').getByRole('region', { name: 'Conflicting file on the wiki' });
    await extra.getByRole('img', { name: 'New file: Same bytes again.jpg' }).waitFor();
    await extra.getByRole('img', { name: `Already on the wiki: File:${FIRST}` }).waitFor();
    await expect(extra.getByRole('link', { name: `File:${FIRST}` }).getAttribute('href')).resolves.toBe(
      await descriptionUrl(wiki, `File:${FIRST}`),
    );
    await page.screenshot({ path: '/tmp/wiki-conflict.png', fullPage: true });
  });
});
