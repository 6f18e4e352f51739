import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courier, requireBuilt } from '../support/cli';
import { tempDir } from '../support/tempDir';
import { launchBrowser, serve } from '../support/webUi';

const AXE = join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** Runs axe-core on the page as it is now; returns its serious and critical violations. */
async function seriousViolations(page: Page, scope = 'document'): Promise<AxeViolation[]> {
  // In-page code as text: this file is type-checked without the DOM library.
  if (!(await page.evaluate("'axe' in window"))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(
    `axe.run(${scope === 'document' ? 'document' : JSON.stringify(scope)}, { resultTypes: ['violations'] }).then((r) => r.violations)`,
  );
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

function describeViolations(screen: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `[${screen}] ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 8)
          .map(
            (n) =>
              `    at ${JSON.stringify(n.target)}  ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
          )
          .join('\n') +
        (v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more elements` : ''),
    )
    .join('\n');
}

describe('accessibility: axe-core finds no serious or critical violation on any screen', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    for (const [name, items] of [
      ['study-2024', '20000'],
      ['teaching cases', '1200'],
    ] as const)
      expect((await courier(['--db', db, 'dev-seed', '--items', items, '--batch', name])).code).toBe(0);
    server = await serve(db);
    browser = await launchBrowser();
    // The app's own policy allows only its scripts; the checker is added by the test, so the policy is bypassed here.
    context = await browser.newContext({ bypassCSP: true, viewport: { width: 1300, height: 900 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.cleanup();
  });

  async function visit(hash: string, ready: (p: Page) => Promise<void>): Promise<void> {
    await page.goto(`${server.url}${hash}`);
    await page.locator('[data-app-state="loaded"]').waitFor();
    await ready(page);
  }

  async function check(screen: string, scope?: string): Promise<void> {
    const violations = await seriousViolations(page, scope);
    if (violations.length > 0) {
      const text = describeViolations(screen, violations);
      console.error(text);
    }
    expect(violations.map((v) => `${screen}: ${v.id} (${v.nodes.length})`)).toEqual([]);
  }

  it('batches list', async () => {
    await visit('#/batches', (p) => p.getByRole('link', { name: 'study-2024' }).waitFor());
    await check('batches');
  });

  it('batch page with its files table', async () => {
    await visit('#/batches/1', (p) =>
      p.locator('[role="grid"][aria-label="Files"] [role="row"][aria-rowindex="2"]').waitFor(),
    );
    await check('batch page');
  });

  it('batch page header with the Report menu open', async () => {
    await visit('#/batches/1', (p) => p.getByRole('button', { name: 'Report of study-2024' }).waitFor());
    await page.getByRole('button', { name: 'Report of study-2024' }).click();
    await page.getByRole('group', { name: 'Report formats for study-2024' }).waitFor();
    await page.screenshot({ path: '/tmp/courier-batch-report-menu.png' });
    // The rest of the page is the previous check's; here only what the menu adds.
    await check('batch page, Report menu open', '.page-head');
  });

  it('attention page', async () => {
    await visit('#/attention', (p) => p.getByRole('heading', { level: 1 }).first().waitFor());
    await page
      .getByText(/name-conflict|licence-unexpected|unsupported-format/)
      .first()
      .waitFor();
    await check('attention');
  });

  it('settings', async () => {
    await visit('#/settings', (p) => p.getByRole('heading', { name: 'Limits' }).waitFor());
    await page.getByRole('button', { name: 'Save limits' }).waitFor();
    await check('settings');
    // The data folder's check with its choices, and the browser's test result.
    const dataFolder = page.getByRole('region', { name: 'Data folder' });
    await dataFolder.getByLabel('New data folder').fill(`${dir.path}-moved`);
    await dataFolder.getByRole('button', { name: 'Check folder' }).click();
    await dataFolder.getByRole('button', { name: 'Copy the ledger there' }).waitFor();
    const browserSection = page.getByRole('region', { name: 'Browser' });
    await browserSection.getByLabel('Browser program').fill('/usr/bin');
    await browserSection.getByRole('button', { name: 'Test browser' }).click();
    await browserSection.locator('.test-result.failed').waitFor();
    await check('settings, data folder checked and browser tested');
  });

  it('the New batch chooser and every flow on it', async () => {
    await visit('#/new', (p) => p.locator('a[href^="#/new/"]').first().waitFor());
    await check('new batch');
    const flows = await page
      .locator('a[href^="#/new/"]')
      .evaluateAll((links) =>
        links.map((a) => (a as unknown as { hash: string }).hash.replace('#/new/', '')),
      );
    expect(flows.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const flow of flows) {
      await visit(`#/new/${flow}`, (p) => p.getByRole('heading', { level: 1 }).first().waitFor());
      await page.locator('form, [role="form"]').first().waitFor();
      const violations = await seriousViolations(page);
      if (violations.length > 0) failures.push(describeViolations(`#/new/${flow}`, violations));
    }
    if (failures.length > 0) console.error(failures.join('\n'));
    expect(failures).toEqual([]);
  });
});
