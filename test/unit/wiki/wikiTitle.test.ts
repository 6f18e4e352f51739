import { describe, expect, it } from 'vitest';
import {
  fileNameToDbKey,
  fileNameWarnings,
  fileTitle,
  MAX_FILE_NAME_BYTES,
  sameFileName,
  sanitizeFileName,
  truncateUtf8,
  utf8Length,
} from '../../../shared/wikiTitle';
import type { FileNameOptions } from '../../../shared/wikiTitle';

function nameOf(proposed: string, options?: FileNameOptions): string {
  const result = sanitizeFileName(proposed, options);
  if (!result.ok) throw new Error(`expected a name for '${proposed}', got ${result.reason}`);
  return result.name;
}

describe('sanitizeFileName', () => {
  // Server results from reference/mediawiki.md §3.11, in display form (the server answers with underscores).
  it.each([
    [
      'Abdominal aortic aneurysm (Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91).jpg',
    ],
    ['Case #5.png', 'Case -5.png'],
    ['Slash a/b.png', 'Slash a-b.png'],
    ['Back\\slash.png', 'Back-slash.png'],
    ['Colon a:b.png', 'Colon a-b.png'],
    ['Brackets [x].png', 'Brackets -x-.png'],
    ['Braces {x} <y> a|b.png', 'Braces -x- -y- a-b.png'],
    ['lower b.png', 'Lower b.png'],
    ['Trailing  double  spaces .png', 'Trailing double spaces.png'],
    ['under_scores__here.png', 'Under scores here.png'],
    ['File:Something.png', 'Something.png'],
    ['image : Old style.png', 'Old style.png'],
    ['Tab\there.png', 'Tab-here.png'],
    ['Fifty %41 percent 50%.png', 'Fifty -41 percent 50%.png'],
    ['A &amp; B &#233;.png', 'A & B é.png'],
    ['A &unknown; B.png', 'A -unknown; B.png'],
    ['A &lt;b&gt;.png', 'A -b-.png'],
    ['Signed ~~~~.png', 'Signed -.png'],
    ['Two ~~ tildes.png', 'Two ~~ tildes.png'],
    ['Cafe\u0301 noir.png', 'Café noir.png'],
    ['ärzte.png', 'Ärzte.png'],
    ['\u00e9chographie.png', 'Échographie.png'],
    ['Mark\u200e\u202aed.png', 'Marked.png'],
    ['Wide\u3000space\u00a0nbsp.png', 'Wide space nbsp.png'],
    ['Version 1.2.PNG', 'Version 1.2.png'],
    ['Lone \ud800 surrogate.png', 'Lone - surrogate.png'],
    ['Replacement \ufffd char.png', 'Replacement - char.png'],
  ])('%j → %j', (proposed, expected) => {
    expect(nameOf(proposed)).toBe(expected);
  });

  it('reports what it changed', () => {
    const result = sanitizeFileName('File:lower [x].PNG');
    expect(result).toMatchObject({
      ok: true,
      name: 'Lower -x-.png',
      changes: [
        'namespace-stripped',
        'illegal-characters-replaced',
        'extension-lowercased',
        'first-letter-capitalised',
      ],
    });
    expect(sanitizeFileName('Already fine.png')).toEqual({
      ok: true,
      name: 'Already fine.png',
      changes: [],
      warnings: [],
    });
  });

  it('keeps the extension case when asked', () => {
    expect(nameOf('Scan.PNG', { lowercaseExtension: false })).toBe('Scan.PNG');
  });

  it('adds the default extension when the name has none or an unknown one', () => {
    expect(nameOf('NoExtension', { defaultExtension: 'png' })).toBe('NoExtension.png');
    expect(nameOf('Study 1.2', { defaultExtension: 'jpg', allowedExtensions: ['jpg', 'png'] })).toBe(
      'Study 1.2.jpg',
    );
    expect(nameOf('Clip.MP4', { allowedExtensions: ['png', 'mp4'] })).toBe('Clip.mp4');
  });

  it.each([
    ['   ', {}, 'empty'],
    ['#<>', {}, 'no-extension'],
    ['NoExtension', {}, 'no-extension'],
    ['Notes.txt', { allowedExtensions: ['png', 'jpg'] }, 'extension-not-allowed'],
    [' .png', { defaultExtension: '' }, 'no-extension'],
  ] as const)('refuses %j (%j) as %s', (proposed, options, reason) => {
    const result = sanitizeFileName(proposed, options);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message.length).toBeGreaterThan(10);
    }
  });

  it('keeps a name of exactly 240 bytes and shortens a longer one by whole characters', () => {
    const exact = `${'a'.repeat(MAX_FILE_NAME_BYTES - 4)}.png`;
    expect(nameOf(exact)).toBe(`A${'a'.repeat(MAX_FILE_NAME_BYTES - 5)}.png`);

    const long = sanitizeFileName(`${'é'.repeat(200)} (Radiopaedia 1-2 Axial 3).jpg`);
    expect(long.ok).toBe(true);
    if (!long.ok) return;
    expect(long.changes).toContain('truncated');
    expect(utf8Length(long.name)).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
    expect(utf8Length(long.name)).toBeGreaterThanOrEqual(MAX_FILE_NAME_BYTES - 1);
    expect(long.name.endsWith('.jpg')).toBe(true);
    expect(long.name).toMatch(/^Éé+\.jpg$/);

    const emoji = sanitizeFileName(`${'x'.repeat(234)}😀😀.png`);
    expect(emoji.ok && emoji.name).toBe(`X${'x'.repeat(233)}.png`);
  });

  it('does not end a shortened base in a space', () => {
    const name = nameOf(`${'a'.repeat(235)} b.png`);
    expect(name).toBe(`A${'a'.repeat(234)}.png`);
  });

  it('is idempotent', () => {
    for (const proposed of [
      'Case #5.png',
      'lower b.png',
      'A &amp; B.png',
      `${'é'.repeat(200)}.jpg`,
      'x:y/z.PNG',
    ]) {
      const once = nameOf(proposed);
      expect(nameOf(once)).toBe(once);
    }
  });
});

describe('fileNameWarnings', () => {
  it.each([
    ['IMG 0001.png', ['bad-prefix']],
    ['DSC 0001.png', ['bad-prefix']],
    ['DSCF0001.png', ['bad-prefix']],
    ['Imaging study.png', []],
    ['120px-Brain.png', ['thumb-name']],
    ['99px-Brain.png', ['thumb-name']],
    ['Axial 120px-x.png', []],
  ] as const)('%j → %j', (name, expected) => {
    expect(fileNameWarnings(name)).toEqual(expected);
  });

  it('comes with a sanitised name', () => {
    expect(sanitizeFileName('IMG 0001.png')).toMatchObject({ ok: true, warnings: ['bad-prefix'] });
  });
});

describe('title forms', () => {
  it('converts between display name, DB key and title', () => {
    expect(fileNameToDbKey('Sagittal C+ portal venous phase 91.png')).toBe(
      'Sagittal_C+_portal_venous_phase_91.png',
    );
    expect(fileNameToDbKey('File:A b.png')).toBe('A_b.png');
    expect(fileTitle('Sagittal_C+_x.png')).toBe('File:Sagittal C+ x.png');
  });

  it('compares names the way the wiki does', () => {
    expect(sameFileName('lower b.png', 'File:Lower_b.png')).toBe(true);
    expect(sameFileName('Cafe\u0301.png', 'Café.png')).toBe(true);
    expect(sameFileName('A.png', 'A.PNG')).toBe(false);
    expect(sameFileName('C+ x.png', 'C  x.png')).toBe(false);
  });

  it('counts and cuts UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(truncateUtf8('aé€😀', 6)).toBe('aé€');
    expect(truncateUtf8('aé€😀', 5)).toBe('aé');
  });
});
