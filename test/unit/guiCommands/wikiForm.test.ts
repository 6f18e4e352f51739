// The pure parts of the GUI's wiki and Radiopaedia forms, and which wiki files an item conflicts with.
import { describe, expect, it } from 'vitest';
import { conflictingFiles } from '../../../electron/engine/commands/wikiConflict';
import { defaultBatchName, delayError } from '../../../renderer/src/newBatch/radiopaedia/radiopaediaForm';
import {
  composePageTemplate,
  linesOf,
  referenceError,
  templateError,
} from '../../../renderer/src/newBatch/wiki/pageTemplate';
import type { ItemDetail } from '../../../shared/domain';
import { DEFAULT_PAGE_TEMPLATE } from '../../../shared/wikiPage';

describe('page text options → the target’s page template', () => {
  it('leaves the default unset when nothing was changed', () => {
    expect(
      composePageTemplate({ template: DEFAULT_PAGE_TEMPLATE, licence: ' ', categories: '\n' }),
    ).toBeUndefined();
  });

  it('puts a licence for every file in place of ${licence} and adds extra categories', () => {
    const t = composePageTemplate({
      template: DEFAULT_PAGE_TEMPLATE,
      licence: 'CC-BY-4.0',
      categories: 'Teaching files\n[[Category:Second]]\nTeaching files\n',
    })!;
    expect(t).toContain('{{CC-BY-4.0}}');
    expect(t).not.toContain('${licence}');
    expect(t).toContain('${categories}');
    expect(t.trimEnd().endsWith('[[Category:Teaching files]]\n[[Category:Second]]')).toBe(true);
  });

  it('names unknown placeholders, empty templates and reference wikis that are not addresses', () => {
    expect(templateError('${descripton} ${title}')).toBe('Unknown placeholder: ${descripton}.');
    expect(templateError('  ')).toBe('The page text cannot be empty.');
    expect(templateError(DEFAULT_PAGE_TEMPLATE)).toBeNull();
    expect(referenceError('https://commons.wikimedia.org/w/api.php\ncommons')).toBe(
      'Not the address of a wiki’s api.php: commons.',
    );
    expect(referenceError('')).toBeNull();
    expect(linesOf(' a \n\nb\na')).toEqual(['a', 'b']);
  });
});

describe('the Radiopaedia form', () => {
  it('holds radiopaedia.org to at least 2 s between pages, but not a mirror of one’s own', () => {
    expect(delayError('1', 'https://radiopaedia.org')).toMatch(/at least 2 seconds/);
    expect(delayError('1', 'http://127.0.0.1:4000')).toBeNull();
    expect(delayError('2', 'https://radiopaedia.org')).toBeNull();
    expect(delayError('soon', 'https://radiopaedia.org')).toMatch(/in seconds/);
  });

  it('names a batch after its one case, or counts its cases', () => {
    const now = new Date('2026-11-22T17:40:00Z');
    expect(defaultBatchName([{ rid: 70432 }], now)).toBe('Radiopaedia rID 70432 (2026-11-22 17:40)');
    expect(defaultBatchName([{ rid: 1 }, { rid: null }], now)).toBe(
      'Radiopaedia, 2 cases (2026-11-22 17:40)',
    );
  });
});

function detail(
  status: string,
  meta: Record<string, unknown>,
  data: Record<string, unknown>[] = [],
): ItemDetail {
  return {
    item: { status, meta } as unknown as ItemDetail['item'],
    events: data.map((d, i) => ({
      id: i,
      at: i,
      kind: 'status',
      status: null,
      code: null,
      message: null,
      data: d,
    })),
  };
}

describe('conflictingFiles', () => {
  const api = 'https://wiki.example/api.php';
  it('lists the duplicates a delivery recorded', () => {
    const d = detail('duplicate', {
      wikiDuplicates: [
        { api: 'https://commons/api.php', title: 'File:A.png', url: 'https://commons/File:A.png' },
      ],
    });
    expect(conflictingFiles(d, api)).toEqual([
      { api: 'https://commons/api.php', title: 'File:A.png', url: 'https://commons/File:A.png' },
    ]);
  });

  it('takes the file that holds the name, else the files the latest warnings name', () => {
    const taken = detail('attention', {}, [
      { code: 'wiki-warning', warnings: [{ code: 'exists', file: 'Old_one.png' }] },
      {
        code: 'wiki-title-taken',
        existing: { api, title: 'File:B.png', url: 'https://wiki.example/File:B.png' },
      },
    ]);
    expect(conflictingFiles(taken, api).map((f) => f.title)).toEqual(['File:B.png']);
    const warned = detail('attention', {}, [
      {
        code: 'wiki-warning',
        warnings: [
          { code: 'badfilename', file: 'New_name.png' },
          { code: 'was-deleted', file: 'Gone_file.png' },
          { code: 'duplicate', files: ['Same_bytes.png'] },
        ],
      },
    ]);
    expect(conflictingFiles(warned, api)).toEqual([
      { api, title: 'File:Gone file.png', url: null },
      { api, title: 'File:Same bytes.png', url: null },
    ]);
    expect(conflictingFiles(detail('done', { wikiDuplicates: [{ title: 'File:X.png' }] }), api)).toEqual([]);
  });
});
