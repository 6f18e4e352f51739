import { describe, expect, it } from 'vitest';
import {
  composeName,
  MAX_NAME_BYTES,
  normaliseExtension,
  radiopaediaFileNames,
  sanitizeFileName,
  singleFileName,
  stackLabels,
  stackLetter,
  truncateUtf8,
  utf8Length,
} from '../../../shared/radiopaediaNames';
import type { NamingCase, NamingStack } from '../../../shared/radiopaediaNames';

function stack(
  plane: string | null,
  aux: string | null,
  count = 1,
  ext = 'jpg',
  positions?: (number | null)[],
) {
  return {
    plane_projection: plane,
    aux_modality: aux,
    images: Array.from({ length: count }, (_, i) => ({
      id: `${plane}-${aux}-${i}`,
      position: positions ? positions[i] : i + 1,
      ext,
    })),
  } satisfies NamingStack;
}

function names(c: NamingCase): string[] {
  return radiopaediaFileNames(c).map((n) => n.name);
}

describe('radiopaediaFileNames', () => {
  const table: { what: string; c: NamingCase; expected: string[] }[] = [
    {
      what: 'a case with a single image: no study, plane or position',
      c: {
        rid: 70003,
        title: 'Scaphoid fracture',
        studies: [{ id: 700031, stacks: [stack('Frontal', null, 1, 'png')] }],
      },
      expected: ['Scaphoid fracture (Radiopaedia 70003).png'],
    },
    {
      what: 'a case with a single video',
      c: {
        rid: 70005,
        title: 'Ovarian torsion',
        studies: [{ id: 700051, stacks: [stack(null, null, 1, 'mp4')] }],
      },
      expected: ['Ovarian torsion (Radiopaedia 70005).mp4'],
    },
    {
      what: "Fæ's example: plane, aux and the image's position",
      c: {
        rid: 83581,
        title: 'Abdominal aortic aneurysm',
        studies: [
          {
            id: 98689,
            stacks: [stack('Sagittal', 'C+ portal venous phase', 1, 'jpg', [91]), stack('Axial', 'C+', 1)],
          },
        ],
      },
      expected: [
        'Abdominal aortic aneurysm (Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91).jpg',
        'Abdominal aortic aneurysm (Radiopaedia 83581-98689 Axial C+ 1).jpg',
      ],
    },
    {
      what: 'a null aux_modality is left out when the plane alone is unique',
      c: {
        rid: 1,
        title: 'Chest',
        studies: [{ id: 10, stacks: [stack('Frontal', null), stack('Lateral', null)] }],
      },
      expected: ['Chest (Radiopaedia 1-10 Frontal 1).jpg', 'Chest (Radiopaedia 1-10 Lateral 1).jpg'],
    },
    {
      what: 'a null plane is left out when the aux alone is unique',
      c: { rid: 1, title: 'Brain', studies: [{ id: 10, stacks: [stack(null, 'T2'), stack('Axial', 'T1')] }] },
      expected: ['Brain (Radiopaedia 1-10 T2 1).jpg', 'Brain (Radiopaedia 1-10 Axial T1 1).jpg'],
    },
    {
      what: 'Oblique used several times plus a null: letters in stack order, the unique Frontal keeps its name',
      c: {
        rid: 70004,
        title: 'Pelvic fractures',
        studies: [
          {
            id: 700041,
            stacks: [
              stack('Oblique', null, 2),
              stack('Oblique', null),
              stack(null, null, 2),
              stack('Frontal', null),
              stack('Oblique', null),
            ],
          },
        ],
      },
      expected: [
        'Pelvic fractures (Radiopaedia 70004-700041 A 1).jpg',
        'Pelvic fractures (Radiopaedia 70004-700041 A 2).jpg',
        'Pelvic fractures (Radiopaedia 70004-700041 B 1).jpg',
        'Pelvic fractures (Radiopaedia 70004-700041 C 1).jpg',
        'Pelvic fractures (Radiopaedia 70004-700041 C 2).jpg',
        'Pelvic fractures (Radiopaedia 70004-700041 Frontal 1).jpg',
        'Pelvic fractures (Radiopaedia 70004-700041 D 1).jpg',
      ],
    },
    {
      what: 'plane and aux together not unique → letters; compared ignoring case',
      c: {
        rid: 2,
        title: 'MS',
        studies: [
          { id: 20, stacks: [stack('Axial', 'FLAIR'), stack('axial', 'flair'), stack('Sagittal', 'T1')] },
        ],
      },
      expected: [
        'MS (Radiopaedia 2-20 A 1).jpg',
        'MS (Radiopaedia 2-20 B 1).jpg',
        'MS (Radiopaedia 2-20 Sagittal T1 1).jpg',
      ],
    },
    {
      what: "the text 'null' counts as null",
      c: {
        rid: 3,
        title: 'X',
        studies: [{ id: 30, stacks: [stack('null', 'null'), stack('Axial', 'null')] }],
      },
      expected: ['X (Radiopaedia 3-30 A 1).jpg', 'X (Radiopaedia 3-30 Axial 1).jpg'],
    },
    {
      what: 'labels are unique per study, not per case',
      c: {
        rid: 4,
        title: 'Two studies',
        studies: [
          { id: 41, stacks: [stack('Axial', 'C+')] },
          { id: 42, stacks: [stack('Axial', 'C+'), stack(null, null)] },
        ],
      },
      expected: [
        'Two studies (Radiopaedia 4-41 Axial C+ 1).jpg',
        'Two studies (Radiopaedia 4-42 Axial C+ 1).jpg',
        'Two studies (Radiopaedia 4-42 A 1).jpg',
      ],
    },
    {
      what: 'missing or repeated positions fall back to the order in the stack',
      c: {
        rid: 5,
        title: 'Positions',
        studies: [
          {
            id: 50,
            stacks: [stack('Axial', null, 3, 'jpg', [null, 2, 3]), stack('Coronal', null, 2, 'png', [7, 7])],
          },
        ],
      },
      expected: [
        'Positions (Radiopaedia 5-50 Axial 1).jpg',
        'Positions (Radiopaedia 5-50 Axial 2).jpg',
        'Positions (Radiopaedia 5-50 Axial 3).jpg',
        'Positions (Radiopaedia 5-50 Coronal 1).png',
        'Positions (Radiopaedia 5-50 Coronal 2).png',
      ],
    },
    {
      what: 'one image in each of two studies is not a single-image case',
      c: {
        rid: 6,
        title: 'Pair',
        studies: [
          { id: 61, stacks: [stack('PA', null)] },
          { id: 62, stacks: [stack('PA', null)] },
        ],
      },
      expected: ['Pair (Radiopaedia 6-61 PA 1).jpg', 'Pair (Radiopaedia 6-62 PA 1).jpg'],
    },
    {
      what: 'title characters MediaWiki and Windows refuse become "-"; first letter upper case',
      c: {
        rid: 7,
        title: 'tile C: open/book [type #2] {a|b} <x> a\\b? *',
        studies: [{ id: 70, stacks: [stack('AP', null, 1, 'JPEG')] }],
      },
      expected: ['Tile C- open-book -type -2- -a-b- -x- a-b- - (Radiopaedia 7).jpg'],
    },
  ];

  it.each(table)('$what', ({ c, expected }) => {
    expect(names(c)).toEqual(expected);
  });

  it('reports study, stack, label and position of each name', () => {
    const [first] = radiopaediaFileNames({
      rid: 8,
      title: 'T',
      studies: [{ id: 80, stacks: [stack(null, null, 2)] }],
    });
    expect(first).toMatchObject({ studyId: 80, stackIndex: 0, label: 'A', position: 1 });
  });

  it('a stack named like a letter pushes the letters on', () => {
    expect(
      stackLabels([
        { plane_projection: 'A', aux_modality: null },
        { plane_projection: null, aux_modality: null },
      ]),
    ).toEqual(['A', 'B']);
  });
});

describe('stackLetter', () => {
  it.each([
    [0, 'A'],
    [2, 'C'],
    [25, 'Z'],
    [26, 'AA'],
    [27, 'AB'],
    [701, 'ZZ'],
    [702, 'AAA'],
  ])('%i → %s', (index, letter) => {
    expect(stackLetter(index)).toBe(letter);
  });
});

describe('sanitising', () => {
  it.each([
    ['Case #5.png', 'Case -5.png'],
    ['Slash a/b.png', 'Slash a-b.png'],
    ['Colon a:b.png', 'Colon a-b.png'],
    ['Brackets [x].png', 'Brackets -x-.png'],
    ['lower b.png', 'Lower b.png'],
    ['Trailing  double  spaces .png', 'Trailing double spaces .png'],
    ['under_score_name.jpg', 'Under score name.jpg'],
    ['Quote "x".jpg', "Quote 'x'.jpg"],
    ['Tabs\tand\nnewlines.jpg', 'Tabs and newlines.jpg'],
    ['Bidi\u200e mark\u202e.jpg', 'Bidi mark.jpg'],
    ['Ctrl\u0001char\u009f.jpg', 'Ctrl char .jpg'],
    ['Encoded %41 but 50% fine.jpg', 'Encoded -41 but 50% fine.jpg'],
    ['Sig ~~~~ here.jpg', 'Sig - here.jpg'],
    ['AT&amp;T.jpg', 'AT-amp;T.jpg'],
    ['Bad \ufffd char.jpg', 'Bad - char.jpg'],
    ['Lone \ud83e surrogate.jpg', 'Lone - surrogate.jpg'],
    ['Pair 🧠 kept.jpg', 'Pair 🧠 kept.jpg'],
    ['Ends with dots...', 'Ends with dots'],
    ['Ends with space ', 'Ends with space'],
    ['..hidden.jpg', 'Hidden.jpg'],
    ['CON.jpg', 'File CON.jpg'],
    ['nul', 'File nul'],
    ['com1.tar.gz', 'File com1.tar.gz'],
    ['LPT9 .txt', 'File LPT9 .txt'],
    ['CONSOLE.jpg', 'CONSOLE.jpg'],
    ['', 'Radiopaedia case'],
    ['ßtraße.jpg', 'ßtraße.jpg'],
    ['éclair.jpg', 'Éclair.jpg'],
    ['e\u0301clair.jpg', 'Éclair.jpg'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it.each([
    ['jpeg', 'jpg'],
    ['.PNG', 'png'],
    ['Mp4', 'mp4'],
    ['', ''],
  ])('extension %j → %j', (input, expected) => {
    expect(normaliseExtension(input)).toBe(expected);
  });
});

describe('length', () => {
  it('shortens a long title, never the reference, to at most 240 bytes', () => {
    const name = composeName(
      'Very long title '.repeat(30),
      'Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91',
      'jpg',
    );
    expect(utf8Length(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(name.endsWith(' (Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91).jpg')).toBe(true);
    expect(name.startsWith('Very long title Very')).toBe(true);
    expect(name).not.toMatch(/\s{2}/u);
  });

  it('counts bytes, not characters, and never splits a character', () => {
    const title = '脳腫瘍'.repeat(40) + '🧠'.repeat(20); // 3-byte and 4-byte characters
    const name = singleFileName(title, 12345, 'png');
    expect(utf8Length(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(name.endsWith(' (Radiopaedia 12345).png')).toBe(true);
    expect(name).toBe(name.normalize('NFC'));
    expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
  });

  it('truncateUtf8 and utf8Length agree with Buffer', () => {
    const text = 'aé脳🧠';
    expect(utf8Length(text)).toBe(Buffer.byteLength(text));
    expect(truncateUtf8(text, 6)).toBe('aé脳');
    expect(truncateUtf8(text, 9)).toBe('aé脳');
    expect(truncateUtf8(text, 10)).toBe(text);
  });

  it('a title that is only forbidden characters still gives a name', () => {
    expect(singleFileName(' ... ', 9, 'jpg')).toBe('Radiopaedia case (Radiopaedia 9).jpg');
  });
});
