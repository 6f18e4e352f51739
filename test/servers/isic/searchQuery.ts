/**
 * The ISIC search DSL's common forms (reference/sources.md §1.1, isic/core/dsl.py), compiled to a
 * predicate over a fixture image:
 *   field:value   field:"quoted value"   field:*   field:foo*   field:*foo
 *   -field:value (also true when the field is missing)   AND / OR (uppercase), parentheses,
 *   adjacent terms ANDed   ranges [a TO b] inclusive, {a TO b} exclusive, * as an open end.
 * Only known fields parse; a value of the wrong type does not parse either (as in pyparsing).
 */

export class SearchParseError extends Error {}

type FieldType = 'string' | 'number' | 'boolean';
type Where = 'top' | 'acquisition' | 'clinical';

const FIELDS: Record<string, { type: FieldType; where: Where }> = {
  isic_id: { type: 'string', where: 'top' },
  public: { type: 'boolean', where: 'top' },
  copyright_license: { type: 'string', where: 'top' },
  age_approx: { type: 'number', where: 'clinical' },
  sex: { type: 'string', where: 'clinical' },
  diagnosis_1: { type: 'string', where: 'clinical' },
  diagnosis_2: { type: 'string', where: 'clinical' },
  diagnosis_3: { type: 'string', where: 'clinical' },
  diagnosis_4: { type: 'string', where: 'clinical' },
  diagnosis_5: { type: 'string', where: 'clinical' },
  diagnosis_confirm_type: { type: 'string', where: 'clinical' },
  anatom_site_1: { type: 'string', where: 'clinical' },
  anatom_site_2: { type: 'string', where: 'clinical' },
  anatom_site_special: { type: 'string', where: 'clinical' },
  melanocytic: { type: 'boolean', where: 'clinical' },
  personal_hx_mm: { type: 'boolean', where: 'clinical' },
  family_hx_mm: { type: 'boolean', where: 'clinical' },
  clin_size_long_diam_mm: { type: 'number', where: 'clinical' },
  mel_thick_mm: { type: 'number', where: 'clinical' },
  mel_mitotic_index: { type: 'string', where: 'clinical' },
  mel_ulcer: { type: 'boolean', where: 'clinical' },
  fitzpatrick_skin_type: { type: 'string', where: 'clinical' },
  concomitant_biopsy: { type: 'boolean', where: 'clinical' },
  acquisition_day: { type: 'number', where: 'clinical' },
  lesion_id: { type: 'string', where: 'clinical' },
  patient_id: { type: 'string', where: 'clinical' },
  image_type: { type: 'string', where: 'acquisition' },
  dermoscopic_type: { type: 'string', where: 'acquisition' },
  blurry: { type: 'boolean', where: 'acquisition' },
  hairy: { type: 'boolean', where: 'acquisition' },
  marker_pen: { type: 'boolean', where: 'acquisition' },
  color_tint: { type: 'string', where: 'acquisition' },
};

export interface SearchableImage {
  isicId: string;
  public: boolean;
  copyrightLicense: string;
  metadata: { acquisition: Record<string, unknown>; clinical: Record<string, unknown> };
}

type Predicate = (image: SearchableImage) => boolean;

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'quoted'; text: string; at: number }
  | { kind: 'punct'; text: string; at: number };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('()[]{}:'.includes(c) || (c === '-' && (tokens.length === 0 || /[\s(]/.test(query[i - 1]!)))) {
      tokens.push({ kind: 'punct', text: c, at: i++ });
    } else if (c === '"') {
      const end = query.indexOf('"', i + 1);
      if (end < 0) throw new SearchParseError(`unclosed quote at ${i}`);
      tokens.push({ kind: 'quoted', text: query.slice(i + 1, end), at: i });
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9*_.-]+/.exec(query.slice(i));
      if (!m) throw new SearchParseError(`unexpected ${c} at ${i}`);
      tokens.push({ kind: 'word', text: m[0], at: i });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Compiles a query into a predicate; an empty query matches everything. Throws SearchParseError. */
export function compileSearchQuery(query: string): Predicate {
  const tokens = tokenize(query);
  if (tokens.length === 0) return () => true;
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, text: string) => t?.kind === 'word' && t.text === text;
  const isPunct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text;
  const fail = (what: string): never => {
    const t = peek();
    throw new SearchParseError(`${what} at ${t ? t.at : 'end'}`);
  };

  const parseOr = (): Predicate => {
    const parts = [parseAnd()];
    while (isWord(peek(), 'OR')) {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0]! : (img) => parts.some((p) => p(img));
  };
  const parseAnd = (): Predicate => {
    const parts = [parseUnary()];
    for (;;) {
      const t = peek();
      if (!t || isPunct(t, ')') || isWord(t, 'OR')) break;
      if (isWord(t, 'AND')) pos++;
      parts.push(parseUnary());
    }
    return parts.length === 1 ? parts[0]! : (img) => parts.every((p) => p(img));
  };
  const parseUnary = (): Predicate => {
    if (isPunct(peek(), '-')) {
      pos++;
      const inner = parseTerm();
      return (img) => !inner(img);
    }
    if (isPunct(peek(), '(')) {
      pos++;
      const inner = parseOr();
      if (!isPunct(peek(), ')')) fail('expected )');
      pos++;
      return inner;
    }
    return parseTerm();
  };
  const parseTerm = (): Predicate => {
    const name = peek();
    if (name?.kind !== 'word' || name.text === 'AND' || name.text === 'OR') return fail('expected a field');
    const field = FIELDS[name.text];
    if (!field) return fail(`unknown field ${name.text}`);
    pos++;
    if (!isPunct(peek(), ':')) fail('expected :');
    pos++;
    const get = getter(name.text, field.where);
    const v = peek();
    if (isPunct(v, '[') || isPunct(v, '{')) {
      if (field.type !== 'number') fail(`a range needs a numeric field`);
      return parseRange(get);
    }
    if (!v || (v.kind !== 'word' && v.kind !== 'quoted')) return fail('expected a value');
    pos++;
    if (v.kind === 'word' && v.text === '*') return (img) => get(img) !== undefined && get(img) !== null;
    if (field.type === 'number') {
      if (v.kind !== 'word' || !/^-?\d+(\.\d+)?$/.test(v.text)) fail(`${name.text} takes a number`);
      const n = Number(v.text);
      return (img) => get(img) === n;
    }
    if (field.type === 'boolean') {
      if (v.text !== 'true' && v.text !== 'false') fail(`${name.text} takes true or false`);
      const b = v.text === 'true';
      return (img) => get(img) === b;
    }
    let text = v.text;
    if (v.kind === 'word') {
      if (name.text === 'image_type' && text === 'clinical') text = 'clinical: close-up';
      if (text.length > 1 && text.startsWith('*') && text.endsWith('*')) {
        const inner = text.slice(1, -1);
        return (img) => typeof get(img) === 'string' && (get(img) as string).includes(inner);
      }
      if (text.startsWith('*')) {
        const suffix = text.slice(1);
        return (img) => typeof get(img) === 'string' && (get(img) as string).endsWith(suffix);
      }
      if (text.endsWith('*')) {
        const prefix = text.slice(0, -1);
        return (img) => typeof get(img) === 'string' && (get(img) as string).startsWith(prefix);
      }
    }
    return (img) => get(img) === text;
  };
  const parseRange = (get: (img: SearchableImage) => unknown): Predicate => {
    const inclusive = tokens[pos]!.text === '[';
    pos++;
    const bound = (): number | null => {
      const t = peek();
      if (t?.kind !== 'word') return fail('expected a range bound');
      pos++;
      if (t.text === '*') return null;
      if (!/^-?\d+(\.\d+)?$/.test(t.text)) fail('a range bound is a number or *');
      return Number(t.text);
    };
    const low = bound();
    if (!isWord(peek(), 'TO')) fail('expected TO');
    pos++;
    const high = bound();
    const close = peek();
    if (!isPunct(close, inclusive ? ']' : '}')) fail(`expected ${inclusive ? ']' : '}'}`);
    pos++;
    return (img) => {
      const v = get(img);
      if (typeof v !== 'number') return false;
      if (low !== null && (inclusive ? v < low : v <= low)) return false;
      if (high !== null && (inclusive ? v > high : v >= high)) return false;
      return true;
    };
  };

  const predicate = parseOr();
  if (pos < tokens.length) fail('unexpected text');
  return predicate;
}

function getter(name: string, where: Where): (img: SearchableImage) => unknown {
  if (name === 'isic_id') return (img) => img.isicId;
  if (name === 'public') return (img) => img.public;
  if (name === 'copyright_license') return (img) => img.copyrightLicense;
  return (img) => img.metadata[where as 'acquisition' | 'clinical'][name];
}
