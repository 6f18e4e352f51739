import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CellValue } from 'exceljs';
import { CourierError } from '../../../../shared/errors';

/** Columns of an upload spreadsheet (DESIGN.md, in Pattypan's spirit); `licence` is read as `license`. */
export const SHEET_COLUMNS = [
  'path',
  'name',
  'description',
  'date',
  'source',
  'author',
  'license',
  'categories',
  'comment',
  'permission',
] as const;
export type SheetColumn = (typeof SHEET_COLUMNS)[number];

/** One non-empty row, by column, with its row number as a spreadsheet program shows it. */
export interface SheetRow {
  row: number;
  cells: Partial<Record<SheetColumn, string>>;
}

function columnOf(header: string): SheetColumn | null {
  const name = header.trim().toLowerCase();
  const column = name === 'licence' ? 'license' : name;
  return (SHEET_COLUMNS as readonly string[]).includes(column) ? (column as SheetColumn) : null;
}

function isoDate(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as CellValue);
    if ('error' in value) return '';
  }
  return String(value);
}

function toRows(table: string[][], firstRow: number, sheet: string): SheetRow[] {
  const [header, ...body] = table;
  const columns = (header ?? []).map(columnOf);
  const missing = (['path', 'name'] as const).filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new CourierError({
      code: 'sheet-columns',
      message: `${sheet} has no ${missing.map((c) => `'${c}'`).join(' or ')} column in its first row; the columns are ${SHEET_COLUMNS.join(', ')}.`,
    });
  }
  const rows: SheetRow[] = [];
  body.forEach((values, i) => {
    const cells: SheetRow['cells'] = {};
    columns.forEach((column, j) => {
      const value = (values[j] ?? '').trim();
      if (column && value !== '' && cells[column] === undefined) cells[column] = value;
    });
    if (Object.keys(cells).length > 0) rows.push({ row: firstRow + 1 + i, cells });
  });
  return rows;
}

async function xlsxTable(file: string): Promise<string[][]> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const values: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      values[column - 1] = cellText(cell.value);
    });
    table[rowNumber - 1] = Array.from(values, (v) => v ?? '');
  });
  return Array.from(table, (row) => row ?? []);
}

async function csvTable(file: string): Promise<string[][]> {
  const text = await readFile(file, 'utf8');
  return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
}

/** The rows of an .xlsx (first worksheet) or .csv upload sheet; the first row names the columns. */
export async function readSheet(file: string): Promise<SheetRow[]> {
  const ext = extname(file).toLowerCase();
  const name = basename(file);
  let table: string[][];
  try {
    if (ext === '.xlsx') table = await xlsxTable(file);
    else if (ext === '.csv') table = await csvTable(file);
    else {
      throw new CourierError({
        code: 'sheet-format',
        message: `${name}: only .xlsx and .csv spreadsheets can be read (save .xls or .ods as .xlsx).`,
      });
    }
  } catch (err) {
    if (err instanceof CourierError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CourierError({
      code: code === 'ENOENT' ? 'missing-file' : 'sheet-unreadable',
      message:
        code === 'ENOENT'
          ? `The spreadsheet ${file} does not exist.`
          : `${name} cannot be read as ${ext.slice(1)}: ${(err as Error).message}`,
      cause: err,
    });
  }
  return toRows(table, 1, name);
}
