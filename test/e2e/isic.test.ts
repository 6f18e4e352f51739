import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LICENSE_TEXTS, startIsicFixture } from '../servers/isic';
import type { FixtureImage, IsicFixture } from '../servers/isic';
import { requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { addConnection, openApp, serve } from '../support/webUi';

const HAM10000 = 249;

describe('web mode: ISIC Archive search, preview, local selection and download', () => {
  const dir = tempDir('isic-e2e-');
  const shots = process.env.COURIER_SCREENSHOTS ?? dir.path;
  let fixture: IsicFixture;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;

  /** Images of the search `sex:male` in HAM10000, newest first as the archive lists them. */
  let matches: FixtureImage[];

  beforeAll(async () => {
    requireBuilt();
    fixture = await startIsicFixture({ images: 200 });
    matches = fixture.images
      .filter((img) => img.metadata.clinical.sex === 'male' && img.collections.includes(HAM10000))
      .sort((a, b) => b.index - a.index);
    server = await serve(join(dir.path, 'ledger.sqlite'));
    ({ browser, page } = await openApp(server.url, { width: 1300, height: 1000 }));
    const saved = await addConnection(page, { kind: 'isic', label: 'Fixture archive', url: fixture.apiUrl });
    expect(saved.ok).toBe(true);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fixture?.close();
    dir.cleanup();
  });

  const openForm = async () => {
    await page.goto(`${server.url.split('#')[0]}#/new/isic`);
    const form = page.getByRole('form', { name: 'Download from the ISIC Archive' });
    await form.getByRole('checkbox', { name: /HAM10000/ }).waitFor();
    return form;
  };

  it('explains the query language and says plainly when the archive cannot read a query', async () => {
    const form = await openForm();
    await form.getByRole('button', { name: 'Query help and examples' }).click();
    const help = form.getByRole('complementary', { name: 'Query language help' });
    await help.getByRole('button', { name: 'Use the example age_approx:[20 TO 40] AND sex:female' }).click();
    await expect(form.getByLabel('Search query').inputValue()).resolves.toBe(
      'age_approx:[20 TO 40] AND sex:female',
    );
    await page.screenshot({ path: join(shots, 'isic-help.png'), fullPage: true });

    await form.getByLabel('Search query').fill('anatom_site_general:*torso');
    await form.getByRole('button', { name: 'Search the archive' }).click();
    const alert = form.getByRole('alert').filter({ hasText: 'could not use the search query' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('anatom_site_general:*torso');
    await expect(form.getByRole('button', { name: 'Create batch' }).isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: join(shots, 'isic-bad-query.png'), fullPage: true });
  });

  it('previews counts and thumbnails, counts a local selection live, and downloads what it selects', async () => {
    expect(matches.length).toBeGreaterThan(12);
    const form = await openForm();
    await form.getByLabel('Search query').fill('sex:male');
    await form.getByRole('checkbox', { name: /HAM10000/ }).check();
    await form.getByRole('button', { name: 'Search the archive' }).click();

    const results = form.getByRole('region', { name: 'Search results' });
    await results.getByRole('status').filter({ hasText: 'matching image' }).waitFor();
    await expect(results.getByRole('status').textContent()).resolves.toMatch(
      new RegExp(`^${matches.length} matching images .*; the batch lists ${matches.length} `),
    );
    // Thumbnails come through the engine as data URLs, in the archive's order.
    const thumbs = results.getByRole('list', { name: 'First results' }).getByRole('img');
    await expect(thumbs.count()).resolves.toBe(12);
    const first = matches[0]!;
    await expect(thumbs.first().getAttribute('alt')).resolves.toBe(
      `${first.isicId}, ${String(first.metadata.clinical.diagnosis_1)}`,
    );
    await expect(thumbs.first().getAttribute('src')).resolves.toBe(
      `data:image/jpeg;base64,${fixture.fileBytes(first.isicId, 'thumbnail_256').toString('base64')}`,
    );
    await expect(
      thumbs.evaluateAll((imgs) =>
        imgs.every((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0),
      ),
    ).resolves.toBe(true);

    // Local selection with live counts from the engine (over every listed image: fewer than the sample cap).
    const benign = matches.filter((m) => m.metadata.clinical.diagnosis_1 === 'Benign');
    const selected = benign.filter((m) => m.copyrightLicense !== 'CC-BY-NC');
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.length).toBeLessThan(benign.length);
    const builder = form.getByRole('group', { name: 'Local selection (optional)' });
    await builder.getByRole('button', { name: 'Add criterion' }).click();
    await builder.getByLabel('Field of criterion 1').fill('metadata.clinical.diagnosis_1');
    await builder.getByLabel('Value of criterion 1').fill('Benign');
    await builder
      .getByRole('status', { name: 'Count of criterion 1' })
      .filter({ hasText: `${benign.length} of ${matches.length}` })
      .waitFor();
    await builder.getByRole('button', { name: 'Add criterion' }).click();
    await builder.getByLabel('Field of criterion 2').fill('copyright_license');
    await builder.getByLabel('Operator of criterion 2').selectOption('match');
    await builder.getByLabel('Value of criterion 2').fill('/[/');
    await builder.getByRole('alert').filter({ hasText: 'Cannot read the selection' }).waitFor();
    await expect(form.getByRole('button', { name: 'Create batch' }).isDisabled()).resolves.toBe(true);
    await builder.getByLabel('Operator of criterion 2').selectOption('not in');
    await builder.getByLabel('Value of criterion 2').fill('[CC-BY-NC]');
    await builder
      .getByRole('status')
      .filter({ hasText: `${selected.length} of ${matches.length} selected` })
      .waitFor();
    await expect(
      builder.getByRole('status').filter({ hasText: 'selected' }).textContent(),
    ).resolves.toContain(`all ${matches.length} images the batch would list`);

    const out = join(dir.path, 'isic-out');
    await form.getByLabel('Output folder').fill(out);
    await expect(form.getByLabel('Downloads at the same time').inputValue()).resolves.toBe('8');
    await form.getByLabel('Batch name').fill('Male HAM10000 benign');
    await page.screenshot({ path: join(shots, 'isic-form.png'), fullPage: true });
    await form.getByRole('button', { name: 'Create batch' }).click();

    await page.waitForURL(/#\/batches\/\d+$/);
    await page.getByRole('heading', { name: 'Male HAM10000 benign Finished' }).waitFor();
    await page.screenshot({ path: join(shots, 'isic-batch.png'), fullPage: true });

    const images = readdirSync(out).filter((f) => f.endsWith('.jpg'));
    expect(images.sort()).toEqual(selected.map((m) => `${m.isicId}.jpg`).sort());
    for (const m of selected) {
      expect(readFileSync(join(out, `${m.isicId}.jpg`)).equals(fixture.fileBytes(m.isicId))).toBe(true);
    }
    const csv = readFileSync(join(out, 'metadata.csv'), 'utf8').split('\r\n').filter(Boolean);
    expect(csv[0]).toMatch(/^isic_id,attribution,copyright_license,/);
    for (const m of selected) expect(csv.some((line) => line.startsWith(`${m.isicId},`))).toBe(true);
    const attribution = readFileSync(join(out, 'attribution.txt'), 'utf8');
    for (const m of selected) expect(attribution).toContain(m.attribution);
    const licenses = [...new Set(selected.map((m) => m.copyrightLicense))].sort();
    expect(readdirSync(join(out, 'licenses')).sort()).toEqual(licenses.map((l) => `${l}.txt`));
    for (const l of licenses)
      expect(readFileSync(join(out, 'licenses', `${l}.txt`), 'utf8')).toBe(LICENSE_TEXTS[l]);
  });
});
