import { describe, expect, it } from 'vitest';
import {
  creativeCommonsLicence,
  DEFAULT_PAGE_TEMPLATE,
  escapeWikiText,
  externalLink,
  licenceTemplate,
  MAX_COMMENT_CHARACTERS,
  renderTemplate,
  unknownPlaceholders,
  uploadComment,
  wikiFacts,
  wikiPageText,
} from '../../../shared/wikiPage';

function radiopaedia(
  overrides: { stack?: Record<string, unknown>; wikiCase?: unknown; licenceUrl?: string | null } = {},
) {
  return {
    kind: 'radiopaedia-image',
    case: {
      rid: 83581,
      title: 'Abdominal aortic aneurysm',
      url: 'https://radiopaedia.org/cases/abdominal-aortic-aneurysm-83581',
      permalink: 'https://radiopaedia.org/cases/83581',
      author: 'Frank Gaillard',
      published: '10 Jan 2021',
      systems: ['Vascular'],
    },
    study: { id: 98689, modality: 'CT', url: 'https://radiopaedia.org/cases/83581/studies/98689' },
    stack: {
      index: 1,
      plane_projection: 'Sagittal',
      aux_modality: 'C+ portal venous phase',
      modality: 'CT',
      images: 120,
      ...overrides.stack,
    },
    image: { id: 5, position: 91 },
    licence: {
      url:
        overrides.licenceUrl === undefined
          ? 'https://creativecommons.org/licenses/by-nc-sa/3.0/'
          : overrides.licenceUrl,
    },
    attribution: 'Case courtesy of Frank Gaillard, Radiopaedia.org. From the case rID: 83581',
    ...(overrides.wikiCase === undefined ? {} : { wikiCase: overrides.wikiCase }),
  };
}

const TITLE = 'Abdominal aortic aneurysm (Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91).jpg';
const context = { title: TITLE, batch: 7 };

describe('licences', () => {
  it.each([
    ['https://creativecommons.org/licenses/by-nc-sa/3.0/', 'CC-BY-NC-SA-3.0', 'CC BY-NC-SA 3.0'],
    ['http://creativecommons.org/licenses/by/4.0/deed.en', 'CC-BY-4.0', 'CC BY 4.0'],
    ['https://creativecommons.org/publicdomain/zero/1.0/', 'CC-zero', 'CC0 1.0'],
  ])('%s → {{%s}}', (url, template, label) => {
    expect(creativeCommonsLicence(url)).toEqual({ template, label });
  });

  it.each([[null], ['https://radiopaedia.org/licence'], ['']])('%s is no Creative Commons deed', (url) => {
    expect(creativeCommonsLicence(url)).toBeNull();
  });

  it.each([
    ['CC-0', '{{CC-zero}}', 'https://creativecommons.org/publicdomain/zero/1.0/'],
    ['CC-BY', '{{CC-BY-4.0}}', 'https://creativecommons.org/licenses/by/4.0/'],
    ['CC-BY-NC', '{{CC-BY-NC-4.0}}', 'https://creativecommons.org/licenses/by-nc/4.0/'],
  ])('ISIC %s → %s with its deed as permission', (code, template, deed) => {
    const facts = wikiFacts(
      { isic_id: 'ISIC_0000001', copyright_license: code, attribution: 'Anonymous', metadata: {} },
      { title: 'ISIC_0000001.jpg', batch: 1 },
    );
    expect(facts.values.licence).toBe(template);
    expect(facts.values.permission).toContain(`[${deed} `);
    expect(facts.notes).toEqual([]);
  });

  it.each([
    ['CC-BY-SA-4.0', '{{CC-BY-SA-4.0}}'],
    [' {{CC-zero}} ', '{{CC-zero}}'],
    ['', ''],
  ])('a licence cell %j becomes %j', (cell, template) => {
    expect(licenceTemplate(cell)).toBe(template);
  });
});

describe('Radiopaedia pages', () => {
  it('describes the image from case, study, plane, modality and position, with licence and categories', () => {
    const facts = wikiFacts(radiopaedia(), context);
    expect(facts.values.description).toBe(
      'Abdominal aortic aneurysm. Radiopaedia case 83581, study 98689 (CT): Sagittal C+ portal venous phase, image 91 of 120.',
    );
    expect(facts.values.source).toBe(
      '[https://radiopaedia.org/cases/83581 Radiopaedia case 83581] ([https://radiopaedia.org/cases/83581/studies/98689 study 98689])',
    );
    expect(facts.values.licence).toBe('{{CC-BY-NC-SA-3.0}}');
    expect(facts.values.permission).toMatch(
      /^Licensed under \[https:\/\/creativecommons\.org\/licenses\/by-nc-sa\/3\.0\/ CC BY-NC-SA 3\.0\], as the case page states/,
    );
    expect(facts.categories).toEqual(['Radiopaedia images for Vascular', 'Radiopaedia CT images']);
    const text = wikiPageText(facts);
    expect(text).toContain('|author=Frank Gaillard\n|permission=Licensed under');
    expect(text).toContain(
      '=={{int:license-header}}==\n{{CC-BY-NC-SA-3.0}}\n\n[[Category:Radiopaedia images for Vascular]]\n',
    );
    expect(text.endsWith(']]\n')).toBe(true);
  });

  it.each([
    [{ studies: 1, stacks: 1, imageNo: 4, stackNo: 1 }, false, 'rID:83581 (batch #7-4 A91)'],
    [{ studies: 1, stacks: 3, imageNo: 200, stackNo: 3 }, true, 'rID:83581 (batch #7-200 C91)'],
    [{ studies: 2, stacks: 2, imageNo: 2, stackNo: 2 }, true, 'rID:83581 (batch #7-2 B91)'],
    [undefined, false, 'rID:83581 (batch #7-91 B91)'],
  ])('case place %j: by-case category %s, comment %s', (place, byCase, comment) => {
    const facts = wikiFacts(radiopaedia({ wikiCase: place }), context);
    expect(facts.categories.includes('Radiopaedia case 83581 Abdominal aortic aneurysm')).toBe(byCase);
    expect(uploadComment(facts)).toBe(comment);
  });

  it('assumes the Radiopaedia licence, and says so, when the page had no licence link', () => {
    const facts = wikiFacts(radiopaedia({ licenceUrl: null }), context);
    expect(facts.values.licence).toBe('{{CC-BY-NC-SA-3.0}}');
    expect(facts.notes).toEqual(['The case page had no licence link; the licence is assumed.']);
  });

  it('leaves out missing planes and aux modalities', () => {
    const facts = wikiFacts(radiopaedia({ stack: { plane_projection: null, aux_modality: null } }), context);
    expect(facts.values.description).toBe(
      'Abdominal aortic aneurysm. Radiopaedia case 83581, study 98689 (CT): image 91 of 120.',
    );
  });
});

describe('spreadsheet rows and bare files', () => {
  it('uses the cells as wikitext, the categories as given, the comment column as the comment', () => {
    const facts = wikiFacts(
      {
        sheet: {
          description: "A ''chest'' film",
          date: '2020-05-17',
          source: '{{own}}',
          author: '[[User:A]]',
          license: 'CC-BY-4.0',
          categories: ['Chest', 'Chest', 'A|b'],
          comment: 'From the sheet',
        },
      },
      { title: 'Chest.png', batch: 3 },
    );
    expect(facts.values).toMatchObject({
      description: "A ''chest'' film",
      source: '{{own}}',
      author: '[[User:A]]',
      licence: '{{CC-BY-4.0}}',
      categories: '[[Category:Chest]]\n[[Category:A-b]]',
    });
    expect(uploadComment(facts)).toBe('From the sheet');
    expect(uploadComment(facts, 'Batch ${batch}: ${comment}')).toBe('Batch 3: From the sheet');
  });

  it('describes a file without known metadata by its name and notes the missing licence', () => {
    const facts = wikiFacts({}, { title: 'Scan 1.png', batch: 2 });
    expect(facts.values.description).toBe('Scan 1');
    expect(facts.notes).toEqual(['No licence is known for this file.']);
    expect(uploadComment(facts)).toBe('Imaging Courier batch #2: Scan 1.png');
  });
});

describe('templates', () => {
  it.each([
    ['${title} by ${author}', { title: 'X.png', author: 'A' }, 'X.png by A'],
    ['${nope} stays', {}, '${nope} stays'],
    ['{{Information}} is wikitext, not a placeholder', {}, '{{Information}} is wikitext, not a placeholder'],
  ])('%s', (template, values, expected) => {
    const all = wikiFacts({}, { title: 'X.png', batch: 1 }).values;
    expect(renderTemplate(template, { ...all, ...values })).toBe(expected);
  });

  it('names the placeholders it does not know', () => {
    expect(unknownPlaceholders('${title} ${Title} ${licence} ${lisence}')).toEqual(['Title', 'lisence']);
    expect(unknownPlaceholders(DEFAULT_PAGE_TEMPLATE)).toEqual([]);
  });

  it('cuts comments at MediaWiki’s 500 characters', () => {
    const facts = wikiFacts({ sheet: { comment: 'x'.repeat(600) } }, { title: 'A.png', batch: 1 });
    const comment = uploadComment(facts);
    expect([...comment]).toHaveLength(MAX_COMMENT_CHARACTERS);
    expect(comment.endsWith('…')).toBe(true);
  });

  it.each([
    [
      'Crohn’s [disease] {x} | <b> ~~~~',
      'Crohn’s &#91;disease&#93; &#123;x&#125; &#124; &#60;b&#62; &#126;&#126;&#126;&#126;',
    ],
    ["''bold''", '&#39;&#39;bold&#39;&#39;'],
    ['two\nlines', 'two lines'],
  ])('archive text %j is made inert', (input, output) => {
    expect(escapeWikiText(input)).toBe(output);
  });

  it.each([
    ['https://radiopaedia.org/cases/1', 'case 1', '[https://radiopaedia.org/cases/1 case 1]'],
    ['javascript:alert(1)', 'case 1', 'case 1'],
    ['https://x.org/a b', 'x', 'x'],
  ])('link to %s', (url, label, link) => {
    expect(externalLink(url, label)).toBe(link);
  });
});
