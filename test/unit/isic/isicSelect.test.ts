import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compileSelect,
  formatSelect,
  jsonPath,
  parseSelect,
  selectRegexp,
  SelectParseError,
  selectToSql,
} from '../../../shared/isicSelect';

const records = [
  {
    isic_id: 'ISIC_0000001',
    metadata: {
      clinical: { diagnosis_1: 'Benign', age_approx: 50, melanocytic: true, sex: 'male', tags: ['a', 'b'] },
      acquisition: { pixels_x: 4000, image_type: 'dermoscopic' },
    },
  },
  {
    isic_id: 'ISIC_0000002',
    metadata: {
      clinical: {
        diagnosis_1: 'Malignant',
        age_approx: 35,
        melanocytic: false,
        sex: 'female',
        diagnosis_3: 'Melanoma Invasive',
      },
      acquisition: { pixels_x: 1024, image_type: 'clinical: close-up' },
    },
  },
  {
    isic_id: 'ISIC_0000003',
    metadata: {
      clinical: { diagnosis_1: 'Benign', age_approx: null, sex: 'female', tags: [], 'biopsy done': 'Y' },
      acquisition: { pixels_x: 2048 },
    },
  },
  {
    isic_id: 'ISIC_0000004',
    metadata: { clinical: { age_approx: '50', diagnosis_3: 'Melanoma in situ' }, acquisition: {} },
  },
];

const c = 'metadata.clinical';
/** [selection, the records (by last digit of isic_id) it selects] */
const TABLE: [string, number[]][] = [
  [`${c}.diagnosis_1 == Benign`, [1, 3]],
  [`${c}.diagnosis_1 != Benign`, [2]], // missing is not selected
  [`${c}.age_approx == 50`, [1]], // the text '50' is not the number 50
  [`${c}.age_approx == '50'`, [4]],
  [`${c}.age_approx == 5e1`, [1]],
  [`${c}.age_approx != 50`, [2, 3, 4]],
  [`${c}.age_approx < 40`, [2]],
  [`${c}.age_approx <= 50`, [1, 2]],
  [`${c}.age_approx > 35`, [1]],
  [`${c}.age_approx >= 35`, [1, 2]],
  ['metadata.acquisition.pixels_x>=2048', [1, 3]],
  [`${c}.diagnosis_1 < C`, [1, 3]],
  [`${c}.sex in [male, female]`, [1, 2, 3]],
  [`${c}.sex in female`, [2, 3]],
  [`${c}.sex in male, female`, [1, 2, 3]],
  [`${c}.sex not in [female]`, [1]],
  [`${c}.sex in 'females'`, [1, 2, 3]], // a quoted text: substring test, as Python's `in`
  [`${c}.age_approx in (50, 35)`, [1, 2]],
  [`${c}.tags ni a`, [1]],
  [`${c}.tags not ni a`, [3]],
  [`${c}.diagnosis_3 ni Melanoma`, [2, 4]],
  [`${c}.diagnosis_3 not ni situ`, [2]],
  [`${c}.diagnosis_3 match /invasive$/i`, [2]],
  [`${c}.diagnosis_3 ~ ^Melanoma`, [2, 4]],
  [`${c}.diagnosis_3 not match situ`, [2]],
  [`${c}.diagnosis_3 !~ situ`, [2]],
  [`${c}.age_approx match 5`, [4]], // a regex looks at text only: '50', not 50
  [`${c}.melanocytic is true`, [1]],
  [`${c}.melanocytic is False`, [2]],
  [`${c}.melanocytic is None`, [3, 4]], // missing counts as None for `is`
  [`${c}.age_approx is null`, [3]],
  [`${c}.melanocytic not is None`, [1, 2]],
  [`${c}.melanocytic not is true`, [2, 3, 4]],
  [`${c}.melanocytic == 1`, []], // JSON keeps booleans and numbers apart
  ['isic_id == ISIC_0000002', [2]],
  [`${c}.diagnosis_3 == "Melanoma Invasive"`, [2]],
  [`${c}.diagnosis_3 == Melanoma Invasive`, [2]],
  [`metadata.acquisition.image_type == 'clinical: close-up'`, [2]],
  [`${c}.tags.0 == a`, [1]],
  [`"${c}.biopsy done" == Y`, [3]],
  [`  ${c}.diagnosis_1   NOT   IN   [Benign]  `, [2]],
];

const ids = (predicate: (r: unknown) => boolean) =>
  records.filter(predicate).map((r) => Number(r.isic_id.slice(-1)));

describe('isicSelect: operators over records', () => {
  it.each(TABLE)('%s', (text, expected) => {
    expect(ids(compileSelect([text]))).toEqual(expected);
  });

  it('ANDs several criteria', () => {
    expect(
      ids(compileSelect([`${c}.diagnosis_1 == Benign`, 'metadata.acquisition.pixels_x > 3000'])),
    ).toEqual([1]);
    expect(ids(compileSelect([]))).toEqual([1, 2, 3, 4]);
  });

  it('formats criteria back into text that parses the same', () => {
    for (const [text] of TABLE) {
      const parsed = parseSelect(text);
      const again = parseSelect(formatSelect(parsed));
      expect({ ...again, text: '' }).toEqual({ ...parsed, text: '' });
    }
  });

  it('parses the parts', () => {
    expect(parseSelect(`${c}.sex not in [male, 'x y', 3, true, None]`)).toEqual({
      path: ['metadata', 'clinical', 'sex'],
      op: 'not in',
      value: ['male', 'x y', 3, true, null],
      text: `${c}.sex not in [male, 'x y', 3, true, None]`,
    });
    expect(parseSelect('a.b ~ /x+/i').value).toEqual({ regex: 'x+', flags: 'i' });
    expect(parseSelect('a.b == -2.5').value).toBe(-2.5);
    expect(parseSelect("a.b == 'it\\'s'").value).toBe("it's");
  });
});

describe('isicSelect: parse errors say where and what', () => {
  const ERRORS: [string, RegExp, number][] = [
    ['', /it is empty/, 0],
    [`${c}.age = 5`, /use == to compare/, 22],
    [`${c}.age like 5`, /"like" is not an operator; use one of ==, !=/, 22],
    [`${c}.age`, /an operator and a value are missing/, 21],
    [`${c}.age ==`, /a value is missing after "=="/, 24],
    [`${c}.melanocytic is maybe`, /"is" takes true, false or null/, 33],
    [`${c}.sex in [a, b`, /the list has no closing \]/, 30],
    [`${c}.sex match /[a/`, /the regular expression is not valid/, 28],
    ['metadata..sex == 1', /is not a dotted path/, 0],
    ['== 5', /starts with an operator/, 0],
    [`${c}.age < [1]`, /a list is only allowed after in/, 24],
    [`${c}.age < true`, /compares with a number or a text/, 24],
    [`${c}.sex == "abc`, /the quoted text has no closing "/, 25],
    ['"a.b == 1', /the quoted path has no closing "/, 0],
  ];
  it.each(ERRORS)('%j', (text, message, column) => {
    let caught: unknown;
    try {
      parseSelect(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SelectParseError);
    const err = caught as SelectParseError;
    expect(err.code).toBe('select-parse');
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`column ${column + 1}`);
    expect(err.column).toBe(column);
  });

  it('compileSelect reports the bad criterion', () => {
    expect(() => compileSelect(['a.b == 1', 'a.c => 2'])).toThrow(/"a.c => 2"/);
  });
});

describe('isicSelect: SQL over a JSON column means the same', () => {
  const db = new Database(':memory:');
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) =>
    selectRegexp(String(pattern), value),
  );
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, meta TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO items (id, meta) VALUES (?, ?)');
  for (const r of records) insert.run(Number(r.isic_id.slice(-1)), JSON.stringify(r));
  afterAll(() => db.close());

  it.each(TABLE)('%s', (text, expected) => {
    const { sql, params } = selectToSql([text]);
    const rows = db.prepare(`SELECT id FROM items WHERE ${sql} ORDER BY id`).all(...params) as {
      id: number;
    }[];
    expect(rows.map((r) => r.id)).toEqual(expected);
  });

  it('ANDs criteria, counts, and takes another column name', () => {
    const { sql, params } = selectToSql(
      [`${c}.diagnosis_1 == Benign`, 'metadata.acquisition.pixels_x > 3000'],
      {
        column: 'items.meta',
      },
    );
    expect(sql).toContain('"items"."meta"');
    expect(db.prepare(`SELECT count(*) AS n FROM items WHERE ${sql}`).get(...params)).toEqual({ n: 1 });
    expect(selectToSql([]).sql).toBe('1');
    expect(() => selectToSql([], { column: 'meta; DROP TABLE items' })).toThrow(/plain SQL column/);
  });

  it('keeps values out of the SQL text', () => {
    const { sql, params } = selectToSql([`${c}.sex == "x' OR 1=1 --"`]);
    expect(sql).not.toContain('OR 1=1');
    expect(params).toContain("x' OR 1=1 --");
  });

  it('builds SQLite JSON paths', () => {
    expect(jsonPath(['metadata', 'clinical', 'biopsy done'])).toBe('$.metadata.clinical."biopsy done"');
    expect(jsonPath(['tags', '0'])).toBe('$.tags[0]');
  });
});
