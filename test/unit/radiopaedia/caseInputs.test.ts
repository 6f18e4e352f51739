import { describe, expect, it } from 'vitest';
import { caseUrlFor, parseCaseInputs } from '../../../electron/engine/sources/radiopaedia/caseInputs';

describe('parseCaseInputs', () => {
  it.each([
    ['https://radiopaedia.org/cases/70432', 70432, 'https://radiopaedia.org/cases/70432'],
    ['https://radiopaedia.org/cases/70432?lang=us', 70432, 'https://radiopaedia.org/cases/70432'],
    ['radiopaedia.org/cases/70432/studies/83581', 70432, 'https://radiopaedia.org/cases/70432'],
    ['http://www.radiopaedia.org/cases/70432#image-1', 70432, 'https://radiopaedia.org/cases/70432'],
    ['https://doi.org/10.53347/rID-70432', 70432, 'https://radiopaedia.org/cases/70432'],
    ['rID: 70432', 70432, 'https://radiopaedia.org/cases/70432'],
    ['rID-70432', 70432, 'https://radiopaedia.org/cases/70432'],
    ['70432', 70432, 'https://radiopaedia.org/cases/70432'],
    ['  "70432"  ', 70432, 'https://radiopaedia.org/cases/70432'],
  ])('%j → rID %i', (text, rid, url) => {
    const { cases, rejected } = parseCaseInputs(text);
    expect(rejected).toEqual([]);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ rid, url, key: `rid:${rid}` });
  });

  it('keeps a slug URL as a URL (its number is not the rID)', () => {
    const { cases } = parseCaseInputs('https://radiopaedia.org/cases/Medulloblastoma-4?lang=us');
    expect(cases).toEqual([
      {
        key: 'url:https://radiopaedia.org/cases/medulloblastoma-4',
        rid: null,
        url: 'https://radiopaedia.org/cases/medulloblastoma-4',
        input: 'https://radiopaedia.org/cases/Medulloblastoma-4?lang=us',
      },
    ]);
  });

  it('reads a pasted list: lines, commas, semicolons; duplicates removed, first kept, order kept', () => {
    const text = [
      'https://radiopaedia.org/cases/70432',
      '70433, 70434; 70432',
      'rID: 70433',
      '',
      '# a comment line',
      'https://radiopaedia.org/cases/medulloblastoma-4',
      'https://radiopaedia.org/cases/medulloblastoma-4?lang=gb',
    ].join('\r\n');
    const parsed = parseCaseInputs(text);
    expect(parsed.cases.map((c) => c.key)).toEqual([
      'rid:70432',
      'rid:70433',
      'rid:70434',
      'url:https://radiopaedia.org/cases/medulloblastoma-4',
    ]);
    expect(parsed.duplicates).toEqual([
      '70432',
      'rID: 70433',
      'https://radiopaedia.org/cases/medulloblastoma-4?lang=gb',
    ]);
    expect(parsed.rejected).toEqual([]);
  });

  it('reads CSV file content: URLs in any column, other columns ignored, lines without a case rejected', () => {
    const csv =
      '\uFEFFurl,title,images\nhttps://radiopaedia.org/cases/70432,Medulloblastoma,12\n"https://radiopaedia.org/cases/70500",Glioma,3\n';
    const parsed = parseCaseInputs(csv);
    expect(parsed.cases.map((c) => c.rid)).toEqual([70432, 70500]);
    expect(parsed.rejected).toEqual(['url,title,images']);
  });

  it('does not take counts in prose for rIDs', () => {
    const parsed = parseCaseInputs('see case 70432 (3 images)\nrID 70432 please');
    expect(parsed.cases.map((c) => c.rid)).toEqual([70432]);
    expect(parsed.rejected).toEqual(['see case 70432 (3 images)']);
  });

  it('rejects other sites and non-case pages', () => {
    const parsed = parseCaseInputs(
      'https://example.com/cases/70432\nhttps://radiopaedia.org/articles/medulloblastoma\nhello',
    );
    expect(parsed.cases).toEqual([]);
    expect(parsed.rejected).toHaveLength(3);
  });

  it('uses the configured site for rIDs and accepts its URLs', () => {
    const site = 'http://127.0.0.1:5123';
    const parsed = parseCaseInputs(`70001\n${site}/cases/70002\nhttps://radiopaedia.org/cases/70003`, {
      site,
    });
    expect(parsed.cases.map((c) => c.url)).toEqual([
      `${site}/cases/70001`,
      `${site}/cases/70002`,
      'https://radiopaedia.org/cases/70003',
    ]);
  });

  it('caseUrlFor takes a number or a URL, and explains what it cannot use', () => {
    expect(caseUrlFor(70432).url).toBe('https://radiopaedia.org/cases/70432');
    expect(caseUrlFor('https://radiopaedia.org/cases/slug-1').rid).toBeNull();
    expect(() => caseUrlFor('not a case')).toThrow(expect.objectContaining({ code: 'bad-case-input' }));
  });
});
