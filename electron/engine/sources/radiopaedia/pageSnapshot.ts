// What the case page shows once rendered, read in one round trip. The script is a string so no bundler
// helper (e.g. esbuild's `__name`) can leak into the page. Anchors: reference/sources.md §2.1 and §2.4.
import type { Page } from 'playwright-core';
import { z } from 'zod';

const snapshotSchema = z.object({
  documentTitle: z.string(),
  headerTitle: z.string().nullable(),
  license: z.string().nullable(),
  author: z.string().nullable(),
  identifier: z.string().nullable(),
  description: z.string().nullable(),
  rows: z.record(z.string(), z.object({ text: z.string().nullable(), links: z.array(z.string()) })),
  studies: z.array(
    z.object({ id: z.number().int(), modality: z.string().nullable(), findings: z.string().nullable() }),
  ),
  inlineStacks: z.unknown(),
});

export type PageSnapshot = z.infer<typeof snapshotSchema>;

/** Study containers, header and citation rows are what the rendered page must have. */
export const RENDERED_SELECTOR = '#citation-info, [data-study-id], .case-section.case-study, h1.header-title';

const SNAPSHOT_SCRIPT = String.raw`(() => {
  var clean = function (node) {
    if (!node) return null;
    var t = (node.textContent || '').replace(/\s+/g, ' ').trim();
    return t || null;
  };
  var meta = function (selector) {
    var node = document.querySelector(selector);
    var v = node && node.getAttribute('content');
    return v ? v.trim() : null;
  };
  var rows = {};
  document.querySelectorAll('#citation-info .row, .citation-info .row, #content-header .row').forEach(function (row) {
    var label = clean(row.querySelector('.col-sm-3'));
    var value = row.querySelector('.col-sm-8');
    if (!label || !value) return;
    rows[label.toLowerCase().replace(/:$/, '')] = {
      text: clean(value),
      links: Array.prototype.map.call(value.querySelectorAll('a'), clean).filter(Boolean),
    };
  });
  var studies = [];
  var seen = {};
  var addStudy = function (id, container) {
    if (!id || seen[id]) return;
    seen[id] = true;
    studies.push({
      id: Number(id),
      modality: container ? clean(container.querySelector('.study-modality span') || container.querySelector('.study-modality')) : null,
      findings: container ? clean(container.querySelector('.study-findings')) : null,
    });
  };
  document.querySelectorAll('[data-study-id], .case-section.case-study, [id^="study-"], div.main-study-desc').forEach(function (el) {
    var id = el.getAttribute('data-study-id');
    if (!id) { var m = /(\d+)$/.exec(el.id || ''); id = m ? m[1] : null; }
    if (!id) {
      var link = el.querySelector('a.view-fullscreen-link[href*="/studies/"]');
      var lm = link ? /\/studies\/(\d+)/.exec(link.getAttribute('href')) : null;
      id = lm ? lm[1] : null;
    }
    if (id && /^\d+$/.test(id)) addStudy(id, el.closest('.case-section') || el);
  });
  document.querySelectorAll('a.view-fullscreen-link[href*="/studies/"]').forEach(function (link) {
    var m = /\/studies\/(\d+)/.exec(link.getAttribute('href'));
    if (m) addStudy(m[1], link.closest('.case-section'));
  });
  var licence = document.querySelector('link[rel~="license" i]');
  return {
    documentTitle: document.title || '',
    headerTitle: clean(document.querySelector('h1.header-title')),
    license: licence && licence.getAttribute('href') ? licence.href : null,
    author: meta('meta[name="author"]'),
    identifier: meta('meta[name="dc.identifier"]'),
    description: meta('meta[property="og:description"]'),
    rows: rows,
    studies: studies,
    inlineStacks: typeof window.stackedImages !== 'undefined' ? window.stackedImages : null,
  };
})()`;

/** Reads the rendered page. */
export async function readPageSnapshot(page: Page): Promise<PageSnapshot> {
  return snapshotSchema.parse(await page.evaluate<unknown>(SNAPSHOT_SCRIPT));
}
