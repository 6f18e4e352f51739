import { CourierError } from './errors';

/**
 * Local selection over image metadata with isicarchive's operators (`api.select_images`,
 * reference/sources.md §1.3), written as `'path op value'` strings:
 *
 *   metadata.clinical.diagnosis_1 == Benign
 *   metadata.acquisition.pixels_x >= 2048
 *   metadata.clinical.sex in [male, female]
 *   metadata.clinical.diagnosis_3 match /^melanoma/i
 *   metadata.clinical.melanocytic is true
 *
 * Semantics follow isicarchive's Python: values compare with their own type only, and a criterion that
 * cannot be evaluated (missing path, text compared with a number, regex on a number) does not select
 * the record ("errors ⇒ not selected"). A missing value counts as `None` only for `is` / `not is`.
 * Several criteria are ANDed.
 */

export type SelectScalar = string | number | boolean | null;
export type SelectValue = SelectScalar | SelectScalar[] | SelectRegex;
export interface SelectRegex {
  regex: string;
  flags: string;
}

export const SELECT_OPERATORS = [
  { op: '==', help: 'equals (text, number, true/false, null)' },
  { op: '!=', help: 'differs from (the value must exist)' },
  { op: '<', help: 'less than (numbers with numbers, text with text)' },
  { op: '<=', help: 'less than or equal' },
  { op: '>', help: 'greater than' },
  { op: '>=', help: 'greater than or equal' },
  { op: 'in', help: 'is one of a list: [a, b, c] (a quoted text: is a substring of it)' },
  { op: 'not in', help: 'is none of a list' },
  { op: 'ni', help: 'contains: a list holds the value, or a text holds the substring' },
  { op: 'not ni', help: 'does not contain' },
  { op: 'match', help: 'matches a regular expression (also ~), e.g. /^melanoma/i' },
  { op: 'not match', help: 'does not match a regular expression (also !~)' },
  { op: 'is', help: 'is true, false or null (a missing value counts as null)' },
  { op: 'not is', help: 'is not true / false / null' },
] as const;
export type SelectOperator = (typeof SELECT_OPERATORS)[number]['op'];

export interface SelectCriterion {
  /** Keys from the record's root, e.g. ['metadata', 'clinical', 'diagnosis_1']. */
  path: string[];
  op: SelectOperator;
  value: SelectValue;
  /** The text it was parsed from. */
  text: string;
}

export class SelectParseError extends CourierError {
  readonly input: string;
  readonly column: number;

  constructor(input: string, column: number, problem: string) {
    super({
      code: 'select-parse',
      message: `Cannot read the selection "${input}" at column ${column + 1}: ${problem}. Write it as 'path op value', e.g. 'metadata.clinical.diagnosis_1 == Benign'.`,
      detail: { input, column },
    });
    this.name = 'SelectParseError';
    this.input = input;
    this.column = column;
  }
}

const ALIASES: Record<string, SelectOperator> = { '~': 'match', '!~': 'not match' };
// Longest first, so '<=' wins over '<' and 'not in' over 'in'.
const SYMBOL_OPS = ['==', '!=', '<=', '>=', '!~', '<', '>', '~'];
const WORD_OPS = ['not match', 'not in', 'not ni', 'not is', 'match', 'in', 'ni', 'is'];
const PATH_KEY = /^(?!\s)[^"[\]]*[^\s"[\]]$/;

/** Parses one `'path op value'` string; throws SelectParseError saying where and what is wrong. */
export function parseSelect(input: string): SelectCriterion {
  const text = input.trim();
  const lead = input.length - input.trimStart().length;
  const fail = (at: number, problem: string): never => {
    throw new SelectParseError(input, lead + at, problem);
  };
  if (text === '') fail(0, 'it is empty');

  // Path: a double-quoted dotted path (for keys with spaces) or a run up to whitespace or an operator sign.
  let pos: number;
  let rawPath: string;
  if (text[0] === '"') {
    const end = text.indexOf('"', 1);
    if (end < 0) fail(0, 'the quoted path has no closing "');
    rawPath = text.slice(1, end);
    pos = end + 1;
  } else {
    const m = /^[^\s=!<>~]+/.exec(text);
    if (!m) fail(0, 'it starts with an operator; a path comes first');
    rawPath = m![0];
    pos = rawPath.length;
  }
  const path = rawPath.split('.');
  if (path.some((key) => key === '' || !PATH_KEY.test(key))) {
    fail(0, `"${rawPath}" is not a dotted path (keys separated by single dots)`);
  }

  while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  const opAt = pos;
  const rest = text.slice(pos);
  let op: SelectOperator | undefined;
  let opLength = 0;
  for (const symbol of SYMBOL_OPS) {
    if (rest.startsWith(symbol)) {
      op = (ALIASES[symbol] ?? symbol) as SelectOperator;
      opLength = symbol.length;
      break;
    }
  }
  if (!op) {
    for (const word of WORD_OPS) {
      // Case-insensitive, any spacing inside ("NOT   IN"), and a whole word ("is" but not "isic").
      const found = new RegExp(`^${word.replace(' ', '\\s+')}(?=\\s|$)`, 'i').exec(rest);
      if (found) {
        op = word as SelectOperator;
        opLength = found[0].length;
        break;
      }
    }
  }
  if (!op) {
    if (rest.startsWith('=')) fail(opAt, 'use == to compare, not =');
    const found = /^\S*/.exec(rest)![0];
    fail(
      opAt,
      found
        ? `"${found}" is not an operator; use one of ${SELECT_OPERATORS.map((o) => o.op).join(', ')}`
        : 'an operator and a value are missing',
    );
  }
  pos += opLength;
  while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  const valueAt = pos;
  const rawValue = text.slice(pos);
  if (rawValue === '') fail(valueAt, `a value is missing after "${op}"`);

  const value = parseValue(rawValue, op!, (at, problem) => fail(valueAt + at, problem));
  return { path, op: op!, value, text: text };
}

type Fail = (at: number, problem: string) => never;

function parseValue(raw: string, op: SelectOperator, fail: Fail): SelectValue {
  if (op === 'match' || op === 'not match') {
    let regex: string;
    let flags = '';
    const slashed = /^\/(.*)\/([a-z]*)$/s.exec(raw);
    if (slashed) {
      regex = slashed[1]!;
      flags = slashed[2]!;
      if (/[^imsu]/.test(flags))
        fail(raw.lastIndexOf('/') + 1, `regex flags may be i, m, s, u (got "${flags}")`);
    } else if (raw[0] === '"' || raw[0] === "'") {
      regex = readQuoted(raw, 0, fail).text;
    } else {
      regex = raw;
    }
    try {
      new RegExp(regex, flags);
    } catch (err) {
      fail(0, `the regular expression is not valid (${(err as Error).message})`);
    }
    return { regex, flags };
  }

  if (op === 'in' || op === 'not in') {
    if (raw[0] === '[' || raw[0] === '(') return parseList(raw, fail);
    if (raw[0] === '"' || raw[0] === "'") return parseScalar(raw, fail); // a text: substring test, as in Python
    // Bare words: a comma-separated list (a one-element list for one word).
    return raw.split(',').map((part) => bareScalar(part.trim()));
  }

  const value = parseScalar(raw, fail);
  if (op === 'is' || op === 'not is') {
    if (value !== true && value !== false && value !== null) fail(0, `"${op}" takes true, false or null`);
    return value;
  }
  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    if (typeof value !== 'number' && typeof value !== 'string')
      fail(0, `"${op}" compares with a number or a text`);
  }
  return value;
}

function parseList(raw: string, fail: Fail): SelectScalar[] {
  const close = raw[0] === '[' ? ']' : ')';
  const items: SelectScalar[] = [];
  let pos = 1;
  for (;;) {
    while (pos < raw.length && /\s/.test(raw[pos]!)) pos++;
    if (raw[pos] === close && items.length === 0) {
      pos++;
      break;
    }
    if (pos >= raw.length) fail(pos, `the list has no closing ${close}`);
    let item: SelectScalar;
    if (raw[pos] === '"' || raw[pos] === "'") {
      const quoted = readQuoted(raw, pos, fail);
      item = quoted.text;
      pos = quoted.end;
    } else {
      const m = new RegExp(`^[^,\\${close}]*`).exec(raw.slice(pos))!;
      const word = m[0].trim();
      if (word === '') fail(pos, 'a list item is empty');
      item = bareScalar(word);
      pos += m[0].length;
    }
    items.push(item);
    while (pos < raw.length && /\s/.test(raw[pos]!)) pos++;
    if (pos >= raw.length) fail(pos, `the list has no closing ${close}`);
    if (raw[pos] === ',') {
      pos++;
      continue;
    }
    if (raw[pos] === close) {
      pos++;
      break;
    }
    fail(pos, `expected , or ${close} in the list`);
  }
  if (raw.slice(pos).trim() !== '') fail(pos, 'unexpected text after the list');
  return items;
}

function parseScalar(raw: string, fail: Fail): SelectScalar {
  if (raw[0] === '"' || raw[0] === "'") {
    const quoted = readQuoted(raw, 0, fail);
    if (raw.slice(quoted.end).trim() !== '') fail(quoted.end, 'unexpected text after the quoted value');
    return quoted.text;
  }
  if (raw[0] === '[' || raw[0] === '(') fail(0, 'a list is only allowed after in / not in');
  return bareScalar(raw);
}

/** Unquoted words: numbers, true/false (also Python's True/False), null/None; anything else is text. */
function bareScalar(word: string): SelectScalar {
  if (/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(word)) return Number(word);
  if (word === 'true' || word === 'True') return true;
  if (word === 'false' || word === 'False') return false;
  if (word === 'null' || word === 'None') return null;
  return word;
}

function readQuoted(raw: string, start: number, fail: Fail): { text: string; end: number } {
  const quote = raw[start]!;
  let out = '';
  for (let i = start + 1; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i];
    } else if (c === quote) {
      return { text: out, end: i + 1 };
    } else {
      out += c;
    }
  }
  return fail(start, `the quoted text has no closing ${quote}`);
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

const MISSING = Symbol('missing');
function resolve(record: unknown, path: readonly string[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(key)) return MISSING;
      current = current[Number(key)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, key)) return MISSING;
      current = (current as Record<string, unknown>)[key];
    }
    if (current === undefined) return MISSING;
  }
  return current;
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Python's `==` on JSON values, with bool and number kept apart as JSON keeps them. */
function equals(a: unknown, b: SelectScalar): boolean {
  if (b === null) return a === null;
  if (typeof b === 'boolean') return a === b;
  if (typeof b === 'number') return isNumber(a) && a === b;
  return typeof a === 'string' && a === b;
}

function compare(a: unknown, b: string | number): number | undefined {
  if (typeof b === 'number') return isNumber(a) ? a - b : undefined;
  if (typeof a !== 'string') return undefined;
  return codePointCompare(a, b);
}

/** Orders text by code point, as SQLite's BINARY collation does on UTF-8, so both paths agree. */
function codePointCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The `regexp(pattern, value)` SQL function the ledger registers so `match` means the same in SQL. */
export function selectRegexp(pattern: string, value: unknown): 0 | 1 {
  if (typeof value !== 'string') return 0;
  const slashed = /^\/(.*)\/([imsu]*)$/s.exec(pattern);
  try {
    const re = slashed ? new RegExp(slashed[1]!, slashed[2]) : new RegExp(pattern);
    return re.test(value) ? 1 : 0;
  } catch {
    return 0;
  }
}

function regexSource(value: SelectRegex): string {
  return value.flags ? `/${value.regex}/${value.flags}` : value.regex;
}

function evaluate(c: SelectCriterion, record: unknown): boolean {
  const found = resolve(record, c.path);
  if (c.op === 'is' || c.op === 'not is') {
    const v = found === MISSING ? null : found;
    return (v === c.value) === (c.op === 'is');
  }
  if (found === MISSING) return false;
  const value = c.value;
  switch (c.op) {
    case '==':
      return equals(found, value as SelectScalar);
    case '!=':
      return !equals(found, value as SelectScalar);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const d = compare(found, value as string | number);
      if (d === undefined) return false;
      return c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
    }
    case 'in':
    case 'not in': {
      let hit: boolean;
      if (Array.isArray(value)) hit = value.some((item) => equals(found, item));
      else if (typeof value === 'string' && typeof found === 'string') hit = value.includes(found);
      else return false;
      return hit === (c.op === 'in');
    }
    case 'ni':
    case 'not ni': {
      let hit: boolean;
      if (Array.isArray(found)) hit = found.some((item) => equals(item, value as SelectScalar));
      else if (typeof found === 'string' && typeof value === 'string') hit = found.includes(value);
      else return false;
      return hit === (c.op === 'ni');
    }
    case 'match':
    case 'not match': {
      if (typeof found !== 'string') return false;
      return (selectRegexp(regexSource(value as SelectRegex), found) === 1) === (c.op === 'match');
    }
  }
}

/** Builds one predicate from criteria (strings are parsed); all criteria must hold. */
export function compileSelect(criteria: readonly (string | SelectCriterion)[]): (record: unknown) => boolean {
  const parsed = criteria.map((c) => (typeof c === 'string' ? parseSelect(c) : c));
  return (record) => parsed.every((c) => evaluate(c, record));
}

/** Writes a criterion back as text that parses to the same criterion. */
export function formatSelect(c: SelectCriterion): string {
  const path = c.path.every((k) => /^[A-Za-z0-9_-]+$/.test(k)) ? c.path.join('.') : `"${c.path.join('.')}"`;
  return `${path} ${c.op} ${formatValue(c.value)}`;
}

function formatValue(v: SelectValue): string {
  if (Array.isArray(v)) return `[${v.map(formatScalar).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `/${v.regex}/${v.flags}`;
  return formatScalar(v);
}

function formatScalar(v: SelectScalar): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(v);
}

// ---------------------------------------------------------------------------------------------------
// SQL over a JSON column (SQLite json1)

export interface SelectSql {
  /** A boolean SQL expression, e.g. for `SELECT count(*) FROM items WHERE <sql>`. */
  sql: string;
  params: (string | number)[];
}

/** SQLite JSON path for the keys: `$.metadata.clinical."biopsy done"`. */
export function jsonPath(path: readonly string[]): string {
  return (
    '$' +
    path
      .map((key) => {
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `.${key}`;
        if (/^\d+$/.test(key)) return `[${key}]`;
        if (key.includes('"'))
          throw new CourierError({
            code: 'select-parse',
            message: `A JSON key cannot hold a double quote: ${key}`,
          });
        return `."${key}"`;
      })
      .join('')
  );
}

/**
 * Translates criteria into one SQL condition over a JSON text column, with the same meaning as
 * compileSelect. Pure: returns SQL text and its positional parameters. `match` needs the ledger to
 * register `selectRegexp` as the SQL function `regexp` (better-sqlite3: `db.function('regexp', …)`).
 */
export function selectToSql(
  criteria: readonly (string | SelectCriterion)[],
  options: { column?: string } = {},
): SelectSql {
  const column = options.column ?? 'meta';
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(column)) {
    throw new CourierError({ code: 'select-sql', message: `Not a plain SQL column name: ${column}` });
  }
  const col = column
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
  const params: (string | number)[] = [];
  const parts = criteria.map((c) => criterionSql(typeof c === 'string' ? parseSelect(c) : c, col, params));
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

function criterionSql(c: SelectCriterion, col: string, params: (string | number)[]): string {
  const path = jsonPath(c.path);
  const type = (): string => {
    params.push(path);
    return `json_type(${col}, ?)`;
  };
  const extract = (): string => {
    params.push(path);
    return `json_extract(${col}, ?)`;
  };
  // json_type: 'null' | 'true' | 'false' | 'integer' | 'real' | 'text' | 'array' | 'object', NULL when missing.
  const eq = (v: SelectScalar): string => {
    if (v === null) return `${type()} = 'null'`;
    if (v === true) return `${type()} = 'true'`;
    if (v === false) return `${type()} = 'false'`;
    if (typeof v === 'number') {
      const t = type();
      const e = extract();
      params.push(v);
      return `(${t} IN ('integer','real') AND ${e} = ?)`;
    }
    const t = type();
    const e = extract();
    params.push(v);
    return `(${t} = 'text' AND ${e} = ?)`;
  };
  const present = (): string => `${type()} IS NOT NULL`;
  const value = c.value;
  switch (c.op) {
    case 'is':
      if (value === null) return `coalesce(${type()}, 'null') = 'null'`;
      return eq(value as boolean);
    case 'not is':
      if (value === null) return `coalesce(${type()}, 'null') <> 'null'`;
      return `coalesce(${type()}, 'null') <> '${value ? 'true' : 'false'}'`;
    case '==':
      return eq(value as SelectScalar);
    case '!=':
      return `(${present()} AND NOT ${eq(value as SelectScalar)})`;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const t = type();
      const e = extract();
      params.push(value as string | number);
      const kind = typeof value === 'number' ? `IN ('integer','real')` : `= 'text'`;
      return `(${t} ${kind} AND ${e} ${c.op} ?)`;
    }
    case 'in':
    case 'not in': {
      let hit: string;
      if (Array.isArray(value)) {
        // Parameters are pushed in the order their placeholders appear in the text.
        const guard = c.op === 'in' ? '' : `${present()} AND NOT `;
        hit = value.length ? `(${value.map(eq).join(' OR ')})` : '0';
        return c.op === 'in' ? hit : `(${guard}${hit})`;
      }
      const t = type();
      params.push(value as string);
      const e = extract();
      hit = `instr(?, ${e}) > 0`;
      return `(${t} = 'text' AND ${c.op === 'in' ? hit : `NOT (${hit})`})`;
    }
    case 'ni':
    case 'not ni': {
      const t1 = type();
      const each = c.op === 'ni' ? 'EXISTS' : 'NOT EXISTS';
      params.push(path);
      const item = eachItemEquals(value as SelectScalar, params);
      let sql = `CASE ${t1} WHEN 'array' THEN ${each} (SELECT 1 FROM json_each(${col}, ?) AS j WHERE ${item})`;
      if (typeof value === 'string') {
        const e = extract();
        params.push(value);
        sql += ` WHEN 'text' THEN instr(${e}, ?) ${c.op === 'ni' ? '>' : '='} 0`;
      }
      return `(${sql} ELSE 0 END)`;
    }
    case 'match':
    case 'not match': {
      const t = type();
      params.push(regexSource(value as SelectRegex));
      const e = extract();
      return `(${t} = 'text' AND ${c.op === 'match' ? '' : 'NOT '}regexp(?, ${e}))`;
    }
  }
}

function eachItemEquals(v: SelectScalar, params: (string | number)[]): string {
  if (v === null) return `j.type = 'null'`;
  if (v === true) return `j.type = 'true'`;
  if (v === false) return `j.type = 'false'`;
  params.push(v);
  return typeof v === 'number'
    ? `(j.type IN ('integer','real') AND j.value = ?)`
    : `(j.type = 'text' AND j.value = ?)`;
}
