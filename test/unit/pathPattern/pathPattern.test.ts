import { describe, expect, it } from 'vitest';
import type { PathPattern } from '../../../shared/pathPattern';
import { capturedNames, compilePatterns, matchPath, validatePatterns } from '../../../shared/pathPattern';

const row = (label: string, ...cells: string[]): PathPattern => ({ label, cells });
const parts = (path: string): string[] => path.split('/');

// xnatuploader's own matcher cases (tests/conftest.py `matcher_case`) and README walk-through.
const BASIC = row('basic', '{SubjectName}-{ID}', '{DDDDDDDD}', '{Filename}');
const ONE_GLOB = row('one_glob', '{SubjectName}-{ID}', '{DDDDDDDD}', '*', '{Filename}');
const MULTI_GLOB = row('multi_glob', '{SubjectName}-{ID}', '{DDDDDDDD}', '**', '{Filename}');
const LOOKAHEAD = row('multi_glob_lookahead', '{SubjectName}-{ID}', '**', '{DDDDDDDD}', '{Filename}');
const README = row('DICOM', '{SubjectName}-{ID}', '**', '{Directory}', '{filename}.dcm');
const JOE = { SubjectName: 'JoeBlow', DDDDDDDD: '20120301', Filename: 'test.dcm' };

interface MatchCase {
  name: string;
  patterns: PathPattern[];
  path: string;
  label: string;
  values: Record<string, string>;
}

const matches: MatchCase[] = [
  {
    name: 'basic',
    patterns: [BASIC],
    path: 'JoeBlow-1234/20120301/test.dcm',
    label: 'basic',
    values: { ...JOE, ID: '1234' },
  },
  {
    name: '* takes exactly one directory',
    patterns: [ONE_GLOB],
    path: 'JoeBlow-1234/20120301/ignored/test.dcm',
    label: 'one_glob',
    values: { ...JOE, ID: '1234' },
  },
  {
    name: '** takes two directories',
    patterns: [MULTI_GLOB],
    path: 'JoeBlow-12345/20120301/ignoreMe/ignore_Me_too/test.dcm',
    label: 'multi_glob',
    values: { ...JOE, ID: '12345' },
  },
  {
    name: '** takes one directory',
    patterns: [MULTI_GLOB],
    path: 'JoeBlow-12345/20120301/ignoreOne/test.dcm',
    label: 'multi_glob',
    values: { ...JOE, ID: '12345' },
  },
  {
    name: '** looks ahead to a digit capture',
    patterns: [LOOKAHEAD],
    path: 'JoeBlow-12345/ignoreMe/ignore_Me_too/20120301/test.dcm',
    label: 'multi_glob_lookahead',
    values: { ...JOE, ID: '12345' },
  },
  {
    name: '** stops at the first directory the rest matches (lazy)',
    patterns: [LOOKAHEAD],
    path: 'JoeBlow-12345/20111111/20120301/test.dcm',
    label: 'multi_glob_lookahead',
    values: { ...JOE, ID: '12345' },
  },
  {
    name: 'README example',
    patterns: [README],
    path: 'Doe^John-0001/20200312/Chest CT/scan0000.dcm',
    label: 'DICOM',
    values: { SubjectName: 'Doe^John', ID: '0001', Directory: 'Chest CT', filename: 'scan0000' },
  },
  {
    name: 'digit captures are anchored at the start only (20200312HeadCT)',
    patterns: [row('dated', '{SubjectName}-{ID}', '{YYYY}{MM}{DD}', '{Directory}', '{filename}.dcm')],
    path: 'DOE^JOHN-002304/20200312HeadCT/Head CT/image-00000.dcm',
    label: 'dated',
    values: {
      SubjectName: 'DOE^JOHN',
      ID: '002304',
      YYYY: '2020',
      MM: '03',
      DD: '12',
      Directory: 'Head CT',
      filename: 'image-00000',
    },
  },
  {
    name: 'the docstring example {SURNAME}-{GIVENNAME}-{YYYY}{MM}{DD}.txt',
    patterns: [row('doc', '{SURNAME}-{GIVENNAME}-{YYYY}{MM}{DD}.txt')],
    path: 'Duck-Donald-19300831.txt',
    label: 'doc',
    values: { SURNAME: 'Duck', GIVENNAME: 'Donald', YYYY: '1930', MM: '08', DD: '31' },
  },
  {
    name: 'a capture is greedy up to the last place the rest of the cell matches',
    patterns: [row('greedy', '{SubjectName}-{ID}', '{File}')],
    path: 'Smith-Jones-0042/x.dcm',
    label: 'greedy',
    values: { SubjectName: 'Smith-Jones', ID: '0042', File: 'x.dcm' },
  },
  {
    name: 'spaces in directory and file names',
    patterns: [README],
    path: 'Roe Jane-0342/2019 01 15/Head CT  axial /scan 0000.dcm',
    label: 'DICOM',
    values: { SubjectName: 'Roe Jane', ID: '0342', Directory: 'Head CT  axial ', filename: 'scan 0000' },
  },
  {
    name: 'commas (bad_paths fixture)',
    patterns: [README],
    path: 'emilyrae-10002/20220112/Has,a,Comma/image-00201.dcm',
    label: 'DICOM',
    values: { SubjectName: 'emilyrae', ID: '10002', Directory: 'Has,a,Comma', filename: 'image-00201' },
  },
  {
    name: 'parentheses (bad_paths fixture)',
    patterns: [README],
    path: 'emilyrae-10002/20220112/Has_a_(Parenthesis)/image-00201.dcm',
    label: 'DICOM',
    values: {
      SubjectName: 'emilyrae',
      ID: '10002',
      Directory: 'Has_a_(Parenthesis)',
      filename: 'image-00201',
    },
  },
  {
    name: 'parentheses, brackets and regex characters in literal text',
    patterns: [row('literal', '{Subject} (copy)', 'series[1]+{N}.*', '{File}')],
    path: 'P01 (copy)/series[1]+7.*x/a',
    label: 'literal',
    values: { Subject: 'P01', N: '7', File: 'a' },
  },
  {
    name: 'extra periods in the file name',
    patterns: [README],
    path: 'DOE^JOHN-002304/20200312HeadCT/Head CT/image-00002.extra.periods.dcm',
    label: 'DICOM',
    values: {
      SubjectName: 'DOE^JOHN',
      ID: '002304',
      Directory: 'Head CT',
      filename: 'image-00002.extra.periods',
    },
  },
  {
    name: 'trailing text after a literal is ignored, like re.match',
    patterns: [row('prefix', '{Subject}', '{filename}.dcm')],
    path: 'S1/scan.dcm.bak',
    label: 'prefix',
    values: { Subject: 'S1', filename: 'scan' },
  },
  {
    name: 'unicode: accents, CJK and emoji',
    patterns: [README],
    path: 'Müller^Jürgen-0042/2021/Tête et cou 頭部/画像 😀.dcm',
    label: 'DICOM',
    values: { SubjectName: 'Müller^Jürgen', ID: '0042', Directory: 'Tête et cou 頭部', filename: '画像 😀' },
  },
  {
    name: 'unicode: a decomposed (NFD) path matches a composed (NFC) literal',
    patterns: [row('nfc', 'Patient é-{ID}', '{File}')],
    path: 'Patient e\u0301-7/x',
    label: 'nfc',
    values: { ID: '7', File: 'x' },
  },
  {
    name: 'literal text before the first capture is matched',
    patterns: [row('first', 'scan{Num}', '{File}'), row('second', 'series{Num}', '{File}')],
    path: 'series12/x.dcm',
    label: 'second',
    values: { Num: '12', File: 'x.dcm' },
  },
  {
    name: 'several labelled patterns: the first that matches wins',
    patterns: [
      row('Flat', '{SubjectName}-{ID}', '{filename}.dcm'),
      README,
      row('Anything', '**', '{filename}'),
    ],
    path: 'Doe^John-0001/20200312/Chest CT/scan0000.dcm',
    label: 'DICOM',
    values: { SubjectName: 'Doe^John', ID: '0001', Directory: 'Chest CT', filename: 'scan0000' },
  },
  {
    name: 'a row without captures matches with no values',
    patterns: [row('globs', '*', '**')],
    path: 'a/b/c',
    label: 'globs',
    values: {},
  },
  {
    name: 'a one-letter name captures one digit',
    patterns: [row('one', 'v{N}', '{File}')],
    path: 'v7b/x',
    label: 'one',
    values: { N: '7', File: 'x' },
  },
];

interface MissCase {
  name: string;
  patterns: PathPattern[];
  path: string;
  failures: { cellIndex: number; component: string; reason: RegExp }[];
}

const misses: MissCase[] = [
  {
    name: 'basic: digit capture too short',
    patterns: [BASIC],
    path: 'JoeBlow-1234/201201/test.dcm',
    failures: [{ cellIndex: 1, component: '201201', reason: /\{DDDDDDDD\} needs 8 digits/ }],
  },
  {
    name: 'basic: no dash in the first directory',
    patterns: [BASIC],
    path: 'JoeBlow/201201/test.dcm',
    failures: [{ cellIndex: 0, component: 'JoeBlow', reason: /"-" not found after \{SubjectName\}/ }],
  },
  {
    name: 'basic: a single component',
    patterns: [BASIC],
    path: 'bad',
    failures: [{ cellIndex: 0, component: 'bad', reason: /"-" not found/ }],
  },
  {
    name: '* needs a directory',
    patterns: [ONE_GLOB],
    path: 'JoeBlow-1234/20120301/test.dcm',
    failures: [{ cellIndex: 3, component: '', reason: /path ends before this cell/ }],
  },
  {
    name: '* takes one directory only',
    patterns: [ONE_GLOB],
    path: 'JoeBlow-1234/20120301/too/deep/test.dcm',
    failures: [{ cellIndex: 4, component: 'test.dcm', reason: /"test.dcm" is left over/ }],
  },
  {
    name: '** needs at least one directory',
    patterns: [MULTI_GLOB],
    path: 'JoeBlow-12345/20120301/test.dcm',
    failures: [{ cellIndex: 3, component: '', reason: /path ends before this cell/ }],
  },
  {
    name: '** lookahead needs at least one directory',
    patterns: [LOOKAHEAD],
    path: 'JoeBlow-12345/20120301/test.dcm',
    failures: [{ cellIndex: 2, component: 'test.dcm', reason: /\{DDDDDDDD\} needs 8 digits/ }],
  },
  {
    name: 'seven digits where eight are needed (2020312HeadCT)',
    patterns: [row('dated', '{SubjectName}-{ID}', '{DDDDDDDD}', '{Directory}', '{filename}.dcm')],
    path: 'DOE^JOHN-002304/2020312HeadCT/Neck CT/image-00000.dcm',
    failures: [
      {
        cellIndex: 1,
        component: '2020312HeadCT',
        reason: /needs 8 digits \(0-9\) at the start of "2020312HeadCT"/,
      },
    ],
  },
  {
    name: 'a digit capture after another names the one before it',
    patterns: [row('dated', '{YYYY}{MM}{DD}', '{File}')],
    path: '2020-03-12/x',
    failures: [
      { cellIndex: 0, component: '2020-03-12', reason: /\{MM\} needs 2 digits \(0-9\) after \{YYYY\}/ },
    ],
  },
  {
    name: 'a file that is not .dcm (letter case counts)',
    patterns: [README],
    path: 'Doe^John-0001/20200312/Chest CT/scan0000.DCM',
    failures: [
      {
        cellIndex: 3,
        component: 'scan0000.DCM',
        reason: /"\.dcm" not found after \{filename\}.*letter case/,
      },
    ],
  },
  {
    name: 'no match in any row: one failure per row, in order',
    patterns: [row('Flat', '{SubjectName}-{ID}', '{filename}.dcm'), README],
    path: 'NomatchDir/no_match_file.txt',
    failures: [
      { cellIndex: 0, component: 'NomatchDir', reason: /"-" not found/ },
      { cellIndex: 0, component: 'NomatchDir', reason: /"-" not found/ },
    ],
  },
  {
    name: 'the furthest failure through ** is reported',
    patterns: [README],
    path: 'Doe^John-0001/a/b/Chest CT/readme.txt',
    failures: [{ cellIndex: 3, component: 'readme.txt', reason: /"\.dcm" not found/ }],
  },
  {
    name: 'a literal prefix is not skipped',
    patterns: [row('prefix', 'scan{Num}', '{File}')],
    path: 'Scan12/x',
    failures: [{ cellIndex: 0, component: 'Scan12', reason: /"scan" not found at the start of "Scan12"/ }],
  },
];

describe('matchPath: matches', () => {
  it.each(matches)('$name', ({ patterns, path, label, values }) => {
    expect(matchPath(patterns, parts(path))).toEqual({ matched: true, label, values });
  });
});

describe('matchPath: failures name the cell and the reason', () => {
  it.each(misses)('$name', ({ patterns, path, failures }) => {
    const result = matchPath(patterns, parts(path));
    expect(result.matched).toBe(false);
    if (result.matched) return;
    expect(result.failures).toHaveLength(failures.length);
    failures.forEach((expected, i) => {
      const got = result.failures[i];
      expect(got?.label).toBe(patterns[i]?.label);
      expect(got?.cellIndex).toBe(expected.cellIndex);
      expect(got?.cell).toBe(patterns[i]?.cells[expected.cellIndex] ?? '');
      expect(got?.component).toBe(expected.component);
      expect(got?.reason).toMatch(expected.reason);
    });
  });
});

describe('pattern errors', () => {
  it.each([
    { cells: ['{ID}', '{ID}.dcm'], cellIndex: 1, reason: /\{ID\} is used twice.*cell 1/ },
    { cells: ['{A}-{A}'], cellIndex: 0, reason: /\{A\} is used twice.*earlier in this cell/ },
    { cells: ['{Subject', '{f}'], cellIndex: 0, reason: /never closed/ },
    { cells: ['x', '{}'], cellIndex: 1, reason: /no name/ },
    { cells: ['x', ''], cellIndex: 1, reason: /empty/ },
    { cells: [], cellIndex: 0, reason: /no cells/ },
  ])('$cells → cell $cellIndex', ({ cells, cellIndex, reason }) => {
    const patterns = [row('bad', ...cells), row('good', '**')];
    const errors = validatePatterns(patterns);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ label: 'bad', cellIndex });
    expect(errors[0]?.reason).toMatch(reason);
    // An invalid row never matches but does not stop the rows after it.
    const result = matchPath(patterns, ['a', 'b']);
    expect(result).toEqual({ matched: true, label: 'good', values: {} });
  });

  it('reports a label used twice', () => {
    expect(validatePatterns([row('A', '**'), row('A', '*')])).toEqual([
      { label: 'A', cellIndex: -1, cell: '', reason: 'the label "A" is used twice' },
    ]);
  });

  it('reports the error of an invalid row when nothing matches', () => {
    const result = matchPath([row('bad', '{File')], ['a']);
    expect(result).toEqual({
      matched: false,
      failures: [
        {
          label: 'bad',
          cellIndex: 0,
          cell: '{File',
          component: '',
          reason: expect.stringMatching(/never closed/),
        },
      ],
    });
  });
});

describe('compiled patterns', () => {
  it('give the same answers as raw patterns and list captured names in order', () => {
    const patterns = [row('Flat', '{SubjectName}-{ID}', '{filename}.dcm'), README];
    const compiled = compilePatterns(patterns);
    const path = parts('Doe^John-0001/20200312/Chest CT/scan0000.dcm');
    expect(matchPath(compiled, path)).toEqual(matchPath(patterns, path));
    expect(capturedNames(compiled)).toEqual(['SubjectName', 'ID', 'filename', 'Directory']);
  });

  it('stay fast on deep paths with several ** cells', () => {
    const compiled = compilePatterns([row('deep', '**', '{A}-{B}', '**', '{C}', '**', 'never')]);
    const path = Array.from({ length: 60 }, (_, i) => `dir${i}-x`);
    const started = performance.now();
    const result = matchPath(compiled, path);
    expect(result.matched).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
