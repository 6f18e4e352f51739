import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine';
import { seedDevBatch } from '../../../electron/engine/ledger/devSeed';
import { renderHtmlReport } from '../../../electron/engine/reports/htmlReport';
import { escapeHtml } from '../../../electron/engine/reports/reportFormat';
import { tempDir } from '../../support/tempDir';

/** Every tag the report may contain: anything else came from data that escaped its escaping. */
const REPORT_TAGS = new Set(
  'html head meta title style body main header footer section h1 h2 h3 p strong span div code dl dt dd table thead tbody tfoot tr th td figure figcaption svg desc g line text rect'.split(
    ' ',
  ),
);

const HOSTILE = [
  '<script>alert(1)</script>.dcm',
  '"><img src=x onerror=alert(2)>.png',
  "'; DROP TABLE items; --.dcm",
  '</td></tr></table><h1>forged</h1>',
  'evil\u202Egpj.exe',
];

describe('HTML report', () => {
  let dir: ReturnType<typeof tempDir>;
  let engine: Engine;
  const now = Date.UTC(2026, 10, 22, 18, 0, 0);

  beforeEach(() => {
    dir = tempDir();
    engine = new Engine({ dbFile: join(dir.path, 'ledger.sqlite'), dataDir: dir.path, mode: 'cli' });
  });
  afterEach(async () => {
    await engine.close();
    dir.cleanup();
  });

  function hostileBatch() {
    const { ledger } = engine;
    const batch = ledger.batches.create({
      name: 'skin <b>lesions</b> & "friends"',
      sourceKind: 'folder',
      sourceConfig: { dir: '/in' },
      targetKind: 'folder',
      targetConfig: { dir: '/out' },
    });
    ledger.addItems(
      batch.id,
      HOSTILE.map((name, i) => ({
        key: `k${i}`,
        path: `/in/<dir>/${name}`,
        name,
        group: i < 3 ? '<i>SUBJ-1</i>' : 'SUBJ-2',
        meta: {
          isic_id: `ISIC_${i}`,
          copyright_license: i % 2 ? 'CC-BY' : '<u>CC-0</u>',
          attribution: 'Hospital <Clínic> de Barcelona',
        },
      })),
    );
    ledger.addItems(batch.id, [{ key: 'ok', path: '/in/ok.dcm', name: 'ok.dcm', group: 'SUBJ-2' }]);
    const ids = ledger.db
      .prepare('SELECT id FROM items WHERE batch_id = ? ORDER BY seq')
      .pluck()
      .all(batch.id) as number[];
    ledger.record(batch.id, [
      {
        itemId: ids[0]!,
        status: 'failed',
        reason: 'http-503',
        message: 'Server said <html><script>x()</script>',
        attempts: 5,
      },
      {
        itemId: ids[1]!,
        status: 'attention',
        reason: 'name-conflict',
        message: 'Rename "<b>"?',
        actions: ['skip'],
      },
      { itemId: ids[2]!, status: 'failed', reason: 'digest-mismatch', message: 'MD5 differs', attempts: 2 },
      { itemId: ids[3]!, status: 'done', target: '/out/x', size: 2048 },
      { itemId: ids[4]!, status: 'failed', reason: '<reason>', message: null },
      { itemId: ids[5]!, status: 'done', target: '/out/ok.dcm', size: 1000 },
    ]);
    return engine.summary(ledger.batches.require(batch.id));
  }

  it('escapes hostile names, groups, messages and metadata, leaving only its own markup', () => {
    const { html } = renderHtmlReport(engine.ledger, hostileBatch(), { now });
    const tags = new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((t) => !REPORT_TAGS.has(t))).toEqual([]);
    expect(html).not.toMatch(/<script|<img|<h1>forged/i);
    expect(html).toContain(escapeHtml(HOSTILE[0]));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.dcm');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.png');
    // The right-to-left override that would make "gpj.exe" read as "exe.jpg" is shown, not obeyed.
    expect(html).toContain('evil&lt;U+202E&gt;gpj.exe');
    expect(html).not.toContain('\u202E');
    expect(html).toContain(
      '<title>Batch report: skin &lt;b&gt;lesions&lt;/b&gt; &amp; &quot;friends&quot;</title>',
    );
    expect(html).toContain('&lt;i&gt;SUBJ-1&lt;/i&gt;');
    expect(html).toContain('Hospital &lt;Clínic&gt; de Barcelona');
    expect(html).toContain('&lt;u&gt;CC-0&lt;/u&gt;');
  });

  it('holds the summary, counts per status and group, reasons, provenance, timings and a chart', () => {
    const { html, problems, problemsListed } = renderHtmlReport(engine.ledger, hostileBatch(), {
      now,
      version: '9.9.9',
    });
    expect(problems).toBe(4);
    expect(problemsListed).toBe(4);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<[a-z][^>]*\s(?:src|href|on\w+)=/i);
    expect(html).toContain('Imaging Courier 9.9.9');
    expect(html).toMatch(
      /<th scope="row"><span class="dot s-done"><\/span>Done <span class="code">done<\/span><\/th><td>2<\/td><td>33.3 %<\/td>/,
    );
    expect(html).toMatch(
      /<th scope="row"><span class="dot s-failed"><\/span>Failed <span class="code">failed<\/span><\/th><td>3<\/td>/,
    );
    expect(html).toContain('<h2 id="groups-title">Files per group</h2>');
    expect(html).toMatch(/<th scope="row" class="group">SUBJ-2<\/th>.*<td>3<\/td><\/tr>/);
    expect(html).toMatch(/<td class="code">http-503<\/td><td class="n">1<\/td>/);
    expect(html).toMatch(
      /Licences and credits[\s\S]*CC-BY<\/td><td class="wrap">Hospital &lt;Clínic&gt; de Barcelona<\/td><td class="n">2</,
    );
    expect(html).toContain('<dt>Files came from</dt><dd>folder: ');
    expect(html).toContain('<svg viewBox');
    expect(html).toMatch(/<rect [^>]*><title>[^<]*: 2 files<\/title><\/rect>/);
    expect(html).toContain('<h2 id="problems-title">Files with problems</h2>');
    expect(html).toContain('All 4 of them');
    expect(html).toContain('@media print');
    expect(html).toContain('.new-page { break-before: page');
  });

  it('stays bounded at 100,000 items: failures capped with "and N more" pointing to the CSV', () => {
    const batchId = seedDevBatch(engine.ledger, 'large <batch>', 100_000);
    const batch = engine.summary(engine.ledger.batches.require(batchId));
    const problems =
      batch.counts.failed + batch.counts.attention + batch.counts.interrupted + batch.counts.unmatched;
    expect(problems).toBeGreaterThan(5_000);
    const { html, problemsListed } = renderHtmlReport(engine.ledger, batch, { now, failureLimit: 500 });
    expect(problemsListed).toBe(500);
    const fileRows = html.slice(html.indexOf('id="problems-title"')).match(/<tr><td class="n">/g) ?? [];
    expect(fileRows).toHaveLength(500);
    expect(html).toContain(`and ${(problems - 500).toLocaleString('en')} more files with problems`);
    expect(html).toContain('courier export --batch &#39;large &lt;batch&gt;&#39; --format csv');
    expect(html.length).toBeLessThan(600_000);
    expect(html).toContain(`<tfoot><tr><th scope="row">Total</th><td>100,000</td>`);
  });

  it('reports.export writes every format into the data folder’s reports/ under a safe name', async () => {
    const batch = hostileBatch();
    for (const format of ['csv', 'xlsx', 'json', 'html'] as const) {
      const file = await engine.handlers['reports.export']({ batchId: batch.id, format });
      expect(dirname(file.path)).toBe(join(dir.path, 'reports'));
      expect(basename(file.path)).toBe(file.fileName);
      expect(file.fileName).toMatch(
        new RegExp(`^skin_b_lesions_b_friends-${batch.id}-\\d{8}-\\d{6}\\.${format}$`),
      );
      expect(existsSync(file.path)).toBe(true);
      expect(file.bytes).toBeGreaterThan(0);
    }
    const json = await engine.handlers['reports.export']({ batchId: batch.id, format: 'json' });
    expect(JSON.parse(readFileSync(json.path, 'utf8'))).toHaveLength(6);
  });
});
