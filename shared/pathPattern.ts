/**
 * xnatuploader's path patterns (reference/xnat.md §2.3), shared by the engine's scan and the GUI's live
 * preview. A pattern row has a label and one cell per path component:
 *
 * - `{Name}` captures any text, greedily, up to the literal text that follows it in the cell;
 * - `{YYYY}`, `{MM}`, `{II}`… (a name made of one character repeated) capture exactly that many digits;
 * - other text is literal; a cell is matched from the start of the component but not to its end, as
 *   Python's `re.match` does (`{YYYY}{MM}{DD}` also matches `20200312HeadCT`);
 * - `*` matches exactly one component, `**` one or more (as few as possible, looking ahead on the rest);
 * - the whole relative path must be consumed; rows are tried top-down and the first match wins.
 *
 * Where we differ from xnatuploader's code, on purpose: literal text before the first `{` is matched
 * (xnatuploader drops it, so a cell `DICOM` matched any directory), a row that matches without capturing
 * anything is a match (xnatuploader skips it), a name repeated within a row is reported instead of one
 * value silently overwriting the other, and cells and components are compared in Unicode NFC so a name
 * typed in Excel matches the same name stored decomposed by macOS.
 */

export interface PathPattern {
  label: string;
  cells: readonly string[];
}

export interface PathPatternMatch {
  matched: true;
  label: string;
  values: Record<string, string>;
}

/** Why one pattern row did not match: the cell that failed, the component it was tried on, and why. */
export interface PatternFailure {
  label: string;
  /** Index of the failing cell; `cells.length` when the path had components left after the last cell. */
  cellIndex: number;
  /** The failing cell's text; empty when `cellIndex === cells.length`. */
  cell: string;
  /** The path component the cell was tried on; empty when the path had run out. */
  component: string;
  reason: string;
}

export interface PathPatternMismatch {
  matched: false;
  /** One entry per pattern row, in the order the rows were tried. */
  failures: PatternFailure[];
}

export type PathMatchResult = PathPatternMatch | PathPatternMismatch;

type Token =
  | { kind: 'literal'; text: string }
  | { kind: 'capture'; name: string }
  | { kind: 'digits'; name: string; count: number };

type CompiledCell =
  | { kind: 'one' }
  | { kind: 'many' }
  | { kind: 'regex'; source: string; tokens: Token[]; regex: RegExp; names: string[] };

interface CompiledRow {
  label: string;
  cells: readonly string[];
  compiled: CompiledCell[];
  /** Set when the row cannot be used; every match attempt then reports it. */
  error?: { cellIndex: number; reason: string };
}

/** Patterns turned into matchers once; pass this to `matchPath` when matching many paths. */
export interface CompiledPatterns {
  readonly kind: 'compiled-path-patterns';
  readonly rows: readonly CompiledRow[];
}

/** A problem in the configuration itself, for the form to show next to the cell. */
export interface PatternError {
  label: string;
  cellIndex: number;
  cell: string;
  reason: string;
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SYNTAX, '\\$&');
}

function isDigitName(name: string): boolean {
  const chars = [...name];
  return chars.every((c) => c === chars[0]);
}

function tokenize(cell: string): Token[] {
  if (cell === '') throw new Error('the cell is empty');
  const tokens: Token[] = [];
  let i = 0;
  while (i < cell.length) {
    const open = cell.indexOf('{', i);
    if (open === -1) {
      tokens.push({ kind: 'literal', text: cell.slice(i) });
      break;
    }
    if (open > i) tokens.push({ kind: 'literal', text: cell.slice(i, open) });
    const close = cell.indexOf('}', open + 1);
    if (close === -1) throw new Error(`"{" at position ${open + 1} is never closed`);
    const name = cell.slice(open + 1, close);
    if (name === '') throw new Error('"{}" has no name between the braces');
    if (name.includes('{')) throw new Error(`"{${name}}" contains a second "{"`);
    if (isDigitName(name)) tokens.push({ kind: 'digits', name, count: [...name].length });
    else tokens.push({ kind: 'capture', name });
    i = close + 1;
  }
  return tokens;
}

function tokenSource(token: Token): string {
  switch (token.kind) {
    case 'literal':
      return escapeRegex(token.text);
    case 'capture':
      return '(.*)';
    case 'digits':
      return `([0-9]{${token.count}})`;
  }
}

function compileCell(cell: string): CompiledCell {
  if (cell === '*') return { kind: 'one' };
  if (cell === '**') return { kind: 'many' };
  const tokens = tokenize(cell);
  const source = tokens.map(tokenSource).join('');
  const names = tokens.flatMap((t) => (t.kind === 'literal' ? [] : [t.name]));
  return { kind: 'regex', source, tokens, regex: new RegExp(`^${source}`, 'u'), names };
}

function compileRow(pattern: PathPattern): CompiledRow {
  const cells = pattern.cells.map((c) => c.normalize('NFC'));
  const compiled: CompiledCell[] = [];
  const seen = new Map<string, number>();
  if (cells.length === 0) {
    return {
      label: pattern.label,
      cells,
      compiled,
      error: { cellIndex: 0, reason: 'the pattern has no cells' },
    };
  }
  for (let index = 0; index < cells.length; index++) {
    const cell = cells[index] ?? '';
    let compiledCell: CompiledCell;
    try {
      compiledCell = compileCell(cell);
    } catch (error) {
      const reason = `invalid cell: ${error instanceof Error ? error.message : String(error)}`;
      return { label: pattern.label, cells, compiled, error: { cellIndex: index, reason } };
    }
    if (compiledCell.kind === 'regex') {
      for (const name of compiledCell.names) {
        const first = seen.get(name);
        if (first !== undefined) {
          const where = first === index ? 'earlier in this cell' : `in cell ${first + 1}`;
          const reason = `{${name}} is used twice in this pattern (also ${where}); give each capture its own name`;
          return { label: pattern.label, cells, compiled, error: { cellIndex: index, reason } };
        }
        seen.set(name, index);
      }
    }
    compiled.push(compiledCell);
  }
  return { label: pattern.label, cells, compiled };
}

/** Compiles pattern rows once; invalid rows are kept and report their error on every match. */
export function compilePatterns(patterns: readonly PathPattern[]): CompiledPatterns {
  return { kind: 'compiled-path-patterns', rows: patterns.map(compileRow) };
}

/** Configuration problems (unclosed braces, empty names, a name used twice in a row, empty rows). */
export function validatePatterns(patterns: readonly PathPattern[]): PatternError[] {
  const errors: PatternError[] = [];
  const labels = new Set<string>();
  for (const row of compilePatterns(patterns).rows) {
    if (row.error) {
      errors.push({ label: row.label, ...row.error, cell: row.cells[row.error.cellIndex] ?? '' });
    }
    if (labels.has(row.label)) {
      errors.push({
        label: row.label,
        cellIndex: -1,
        cell: '',
        reason: `the label "${row.label}" is used twice`,
      });
    }
    labels.add(row.label);
  }
  return errors;
}

/** Every name a pattern can capture, in order of first appearance (the Files sheet's last columns). */
export function capturedNames(patterns: readonly PathPattern[] | CompiledPatterns): string[] {
  const compiled = isCompiled(patterns) ? patterns : compilePatterns(patterns);
  const names: string[] = [];
  for (const row of compiled.rows) {
    for (const cell of row.compiled) {
      if (cell.kind !== 'regex') continue;
      for (const name of cell.names) if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

function isCompiled(patterns: readonly PathPattern[] | CompiledPatterns): patterns is CompiledPatterns {
  return !Array.isArray(patterns) && (patterns as CompiledPatterns).kind === 'compiled-path-patterns';
}

function describeToken(token: Token): string {
  return token.kind === 'literal' ? JSON.stringify(token.text) : `{${token.name}}`;
}

/** Explains why a regex cell did not match a component: the first token that cannot follow the rest. */
function explainCellMismatch(cell: Extract<CompiledCell, { kind: 'regex' }>, component: string): string {
  const { tokens } = cell;
  let matchedTokens = 0;
  for (let k = tokens.length - 1; k > 0; k--) {
    const prefix = new RegExp(`^${tokens.slice(0, k).map(tokenSource).join('')}`, 'u');
    if (prefix.test(component)) {
      matchedTokens = k;
      break;
    }
  }
  const failing = tokens[matchedTokens];
  if (!failing) return `${JSON.stringify(component)} does not match`;
  const where =
    matchedTokens === 0 ? 'at the start' : `after ${describeToken(tokens[matchedTokens - 1] as Token)}`;
  if (failing.kind === 'digits') {
    const plural = failing.count === 1 ? 'digit' : 'digits';
    return `{${failing.name}} needs ${failing.count} ${plural} (0-9) ${where} of ${JSON.stringify(component)}`;
  }
  return `${describeToken(failing)} not found ${where} of ${JSON.stringify(component)} (letter case counts)`;
}

interface Failure {
  cellIndex: number;
  componentIndex: number;
  reason: string;
  /** A cell that did not fit its component says more than a path that ran out. */
  mismatch: boolean;
}

interface Attempt {
  best: Failure | undefined;
}

/** Keeps the most telling failure: the furthest cell, then a real mismatch, then the furthest component. */
function recordFailure(attempt: Attempt, failure: Failure): void {
  const best = attempt.best;
  const better =
    !best ||
    failure.cellIndex > best.cellIndex ||
    (failure.cellIndex === best.cellIndex &&
      (Number(failure.mismatch) > Number(best.mismatch) ||
        (failure.mismatch === best.mismatch && failure.componentIndex > best.componentIndex)));
  if (better) attempt.best = failure;
}

function matchFrom(
  row: CompiledRow,
  parts: readonly string[],
  cellIndex: number,
  componentIndex: number,
  attempt: Attempt,
  dead: Set<number>,
): Record<string, string> | null {
  const cells = row.compiled;
  const memoKey = cellIndex * (parts.length + 1) + componentIndex;
  if (dead.has(memoKey)) return null;
  const result = matchStep(row, parts, cellIndex, componentIndex, attempt, dead, cells);
  if (result === null) dead.add(memoKey);
  return result;
}

function matchStep(
  row: CompiledRow,
  parts: readonly string[],
  cellIndex: number,
  componentIndex: number,
  attempt: Attempt,
  dead: Set<number>,
  cells: readonly CompiledCell[],
): Record<string, string> | null {
  if (cellIndex === cells.length) {
    if (componentIndex === parts.length) return {};
    const leftover = parts.slice(componentIndex).join('/');
    const reason = `the pattern ends but ${JSON.stringify(leftover)} is left over (the last cell must match the file name)`;
    recordFailure(attempt, { cellIndex, componentIndex, reason, mismatch: false });
    return null;
  }
  if (componentIndex === parts.length) {
    const reason = 'the path ends before this cell: no component is left for it';
    recordFailure(attempt, { cellIndex, componentIndex, reason, mismatch: false });
    return null;
  }
  const cell = cells[cellIndex] as CompiledCell;
  if (cell.kind === 'one') return matchFrom(row, parts, cellIndex + 1, componentIndex + 1, attempt, dead);
  if (cell.kind === 'many') {
    for (let next = componentIndex + 1; next <= parts.length; next++) {
      const tail = matchFrom(row, parts, cellIndex + 1, next, attempt, dead);
      if (tail) return tail;
    }
    return null;
  }
  const component = parts[componentIndex] as string;
  const found = cell.regex.exec(component);
  if (!found) {
    const reason = explainCellMismatch(cell, component);
    recordFailure(attempt, { cellIndex, componentIndex, reason, mismatch: true });
    return null;
  }
  const tail = matchFrom(row, parts, cellIndex + 1, componentIndex + 1, attempt, dead);
  if (!tail) return null;
  const values: Record<string, string> = {};
  cell.names.forEach((name, i) => (values[name] = found[i + 1] ?? ''));
  return Object.assign(values, tail);
}

/**
 * Tries each pattern row in order on a path relative to the scanned folder, split into components.
 * Returns the first row that matches with its captured values, or, for every row, the cell that failed
 * on the component that got furthest and why.
 */
export function matchPath(
  patterns: readonly PathPattern[] | CompiledPatterns,
  relativePathParts: readonly string[],
): PathMatchResult {
  const compiled = isCompiled(patterns) ? patterns : compilePatterns(patterns);
  const parts = relativePathParts.map((p) => p.normalize('NFC'));
  const failures: PatternFailure[] = [];
  for (const row of compiled.rows) {
    if (row.error) {
      const { cellIndex, reason } = row.error;
      failures.push({ label: row.label, cellIndex, cell: row.cells[cellIndex] ?? '', component: '', reason });
      continue;
    }
    const attempt: Attempt = { best: undefined };
    const values = matchFrom(row, parts, 0, 0, attempt, new Set());
    if (values) return { matched: true, label: row.label, values };
    const best = attempt.best ?? {
      cellIndex: 0,
      componentIndex: 0,
      reason: 'the path has no components',
      mismatch: false,
    };
    failures.push({
      label: row.label,
      cellIndex: best.cellIndex,
      cell: row.cells[best.cellIndex] ?? '',
      component: parts[best.componentIndex] ?? '',
      reason: best.reason,
    });
  }
  return { matched: false, failures };
}
