/**
 * xnatuploader's workbook (reference/xnat.md §2.2): sheet `Configuration` with the sections `Paths`,
 * `Mappings` and `XNAT`, and sheet `Files` with one row per scanned file. A workbook made by xnatuploader
 * reads unchanged, and what we write reads unchanged in xnatuploader. Reading and writing stream, so a
 * Files sheet of hundreds of thousands of rows does not have to fit exceljs's in-memory model.
 */
import { access, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CellValue, Row, Worksheet } from 'exceljs';
import { CourierError } from '../../../shared/errors';
import type { PathPattern } from '../../../shared/pathPattern';
import { capturedNames } from '../../../shared/pathPattern';
import { readSheets } from './xlsxSheets';

export interface XnatUploaderConfig {
  /** Pattern rows in order; each label is unique. */
  paths: PathPattern[];
  /** Subject, Session and Dataset (and any other) to the captured or `DICOM:` values they concatenate. */
  mappings: Record<string, string[]>;
  /** Project, Server, AllowFields, SkipImageTypes… as written in the sheet. */
  xnat: Record<string, string>;
}

/** One row of the Files sheet. `values` holds every column after Status, by header. */
export interface FilesRow {
  pattern: string;
  file: string;
  filename: string;
  upload: boolean;
  status: string;
  values: Record<string, string>;
}

export interface WorkbookContents {
  config: XnatUploaderConfig;
  files: FilesRow[];
  /** The Files sheet's headers as found (empty when there is no Files sheet). */
  filesColumns: string[];
}

/** What `xnatuploader init` writes. */
export const DEFAULT_CONFIG: XnatUploaderConfig = {
  paths: [{ label: 'DICOM', cells: ['{SubjectName}-{ID}', '**', '{Directory}', '{filename}.dcm'] }],
  mappings: { Subject: ['ID'], Session: ['DICOM:StudyDate'], Dataset: ['Directory'] },
  xnat: {
    Project: 'Test001',
    Server: 'http://localhost:8080',
    AllowFields: 'AccessionNumber',
    SkipImageTypes: 'DOSE_INFO',
  },
};

export const FILES_FIXED_COLUMNS = ['Pattern', 'File', 'Filename', 'Upload', 'Status'] as const;
/** The DICOM columns xnatuploader writes after SessionLabel, in its order. */
export const FILES_DICOM_COLUMNS = [
  'DICOM:Manufacturer',
  'DICOM:ManufacturerModelName',
  'DICOM:Modality',
  'DICOM:SeriesNumber',
  'DICOM:StationName',
  'DICOM:StudyDate',
  'DICOM:StudyDescription',
];

const HELP_TEXT = `
Paths are a set of patterns to be matched against file paths in the source directory.

Values in curly brackets like {SubjectName} are captured into variables.
Variables with names in all caps like {YYYY} will only match numbers.
The special value * and ** match one or more than one intervening directory.

Mappings are used to combine the variables captured from a path to the
XNAT hierarchy Subject / Session / Dataset.

You can also use metadata from the DICOM files in the mappings, by
using the syntax "DICOM:MetadataName" - for example, DICOM:StudyDate

The XNAT section configures the XNAT project ID and server.
`;
const SECTIONS = ['paths', 'mappings', 'xnat'] as const;

/** The Files sheet's columns for a configuration: fixed ones, mappings, SessionLabel, DICOM, captures. */
export function filesSheetColumns(config: XnatUploaderConfig): string[] {
  return [
    ...FILES_FIXED_COLUMNS,
    ...Object.keys(config.mappings),
    'SessionLabel',
    ...FILES_DICOM_COLUMNS,
    ...capturedNames(config.paths),
  ];
}

/** Writes a workbook holding only the Configuration sheet, laid out as `xnatuploader init` does. */
export async function writeConfigurationWorkbook(
  path: string,
  config: XnatUploaderConfig = DEFAULT_CONFIG,
): Promise<void> {
  await save(path, { configuration: configurationRows(config), others: [] });
}

/** Reads the configuration and the Files sheet (if any) of an xnatuploader workbook. */
export async function readWorkbook(path: string): Promise<WorkbookContents> {
  const sheets = await load(path, { keepFiles: true });
  const config = parseConfiguration(sheets.configuration, path);
  const { columns, rows } = parseFilesSheet(sheets.files ?? []);
  return { config, files: rows, filesColumns: columns };
}

/**
 * Replaces the Files sheet, keeping the Configuration sheet and any other sheet. Columns follow the
 * configuration's layout; values under other headers are appended after them. Refuses with
 * `workbook-locked` while the workbook is open elsewhere.
 */
export async function writeFilesSheet(
  path: string,
  rows: readonly FilesRow[],
  options: { columns?: string[] } = {},
): Promise<void> {
  await assertNotLocked(path);
  const sheets = await load(path, { keepFiles: false });
  const config = parseConfiguration(sheets.configuration, path);
  const columns = [...(options.columns ?? filesSheetColumns(config))];
  for (const row of rows) {
    for (const key of Object.keys(row.values)) if (!columns.includes(key)) columns.push(key);
  }
  await save(path, { configuration: sheets.configuration, others: sheets.others, files: { columns, rows } });
}

function cellFor(row: FilesRow, column: string): string {
  switch (column) {
    case 'Pattern':
      return row.pattern;
    case 'File':
      return row.file;
    case 'Filename':
      return row.filename;
    case 'Upload':
      return row.upload ? 'Y' : 'N';
    case 'Status':
      return row.status;
    default:
      return row.values[column] ?? '';
  }
}

/** A sheet as sparse rows of cell values: rows[rowNumber][columnNumber], both from 1. */
type SheetRows = CellValue[][];

/** The Configuration sheet's cells for a configuration, at the rows `xnatuploader init` uses. */
function configurationRows(config: XnatUploaderConfig): SheetRows {
  const rows: SheetRows = [];
  const put = (row: number, column: number, value: string): void => {
    (rows[row] ??= [])[column] = value;
  };
  put(1, 1, 'Instructions');
  put(2, 1, HELP_TEXT);
  put(4, 1, 'Configuration');
  const section = (start: number, name: string, entries: [string, string[]][]): number => {
    put(start, 1, name);
    entries.forEach(([key, values], i) => {
      put(start + i, 2, key);
      values.forEach((value, j) => put(start + i, 3 + j, value));
    });
    return start + Math.max(entries.length, 1);
  };
  // Rows 5, 10 and 14 as `xnatuploader init` places them, moved down only when a section is longer.
  const pathsEnd = section(
    5,
    'Paths',
    config.paths.map((p) => [p.label, [...p.cells]]),
  );
  const mappingsEnd = section(Math.max(10, pathsEnd + 1), 'Mappings', Object.entries(config.mappings));
  section(
    Math.max(14, mappingsEnd + 1),
    'XNAT',
    Object.entries(config.xnat).map(([key, value]) => [key, [value]]),
  );
  return rows;
}

function parseConfiguration(rows: SheetRows | undefined, path: string): XnatUploaderConfig {
  if (!rows) {
    throw invalid(
      path,
      "it has no sheet named 'Configuration' (make one with `courier init` or xnatuploader init)",
    );
  }
  const found: Partial<Record<(typeof SECTIONS)[number], [string, string[]][]>> = {};
  let section: string | undefined;
  for (const row of rows) {
    if (!row) continue;
    const head = cellText(row[1]);
    if (head !== '') section = head.toLowerCase();
    const key = cellText(row[2]);
    if (key === '' || section === undefined || !(SECTIONS as readonly string[]).includes(section)) continue;
    const values: string[] = [];
    for (let column = 3; column < row.length; column++) {
      const value = cellText(row[column]);
      if (value !== '') values.push(value);
    }
    (found[section as (typeof SECTIONS)[number]] ??= []).push([key, values]);
  }
  const missing = SECTIONS.filter((s) => !found[s]).map(
    (s) => ({ paths: 'Paths', mappings: 'Mappings', xnat: 'XNAT' })[s],
  );
  if (missing.length > 0) {
    throw invalid(
      path,
      `its Configuration sheet has no ${missing.join(', ')} section (a name in column A starts one)`,
    );
  }
  return {
    paths: (found.paths ?? []).map(([label, cells]) => ({ label, cells })),
    mappings: Object.fromEntries(found.mappings ?? []),
    xnat: Object.fromEntries((found.xnat ?? []).map(([key, values]) => [key, values[0] ?? ''])),
  };
}

function parseFilesSheet(sheet: SheetRows): { columns: string[]; rows: FilesRow[] } {
  const header = sheet[1] ?? [];
  const columns: string[] = [];
  for (let column = 1; column < header.length; column++) columns.push(cellText(header[column]));
  const rows: FilesRow[] = [];
  for (let number = 2; number < sheet.length; number++) {
    const row = sheet[number];
    if (!row) continue;
    const cells: Record<string, string> = {};
    columns.forEach((name, i) => (cells[name] = cellText(row[i + 1])));
    if (Object.values(cells).every((v) => v === '')) continue;
    const values: Record<string, string> = {};
    for (const name of columns) {
      if (name === '' || (FILES_FIXED_COLUMNS as readonly string[]).includes(name)) continue;
      values[name] = cells[name] ?? '';
    }
    rows.push({
      pattern: cells.Pattern ?? '',
      file: cells.File ?? '',
      filename: cells.Filename ?? '',
      upload: isYes(cells.Upload ?? ''),
      status: cells.Status ?? '',
      values,
    });
  }
  return { columns, rows };
}

/** xnatuploader uploads only `Y`; we also accept the other ways a person types yes. */
function isYes(value: string): boolean {
  return ['y', 'yes', 'true', '1'].includes(value.trim().toLowerCase());
}

/** A cell's value as the text a person sees: numbers without exponent, dates as YYYYMMDD, formulas by result. */
function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10).replaceAll('-', '');
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('result' in value) return cellText(value.result as CellValue);
  if ('error' in value) return String(value.error);
  return '';
}

interface LoadedSheets {
  configuration: SheetRows | undefined;
  files: SheetRows | undefined;
  /** Every other sheet, in order, to be written back as it was (values only). */
  others: { name: string; rows: SheetRows }[];
}

async function load(path: string, options: { keepFiles: boolean }): Promise<LoadedSheets> {
  const loaded: LoadedSheets = { configuration: undefined, files: undefined, others: [] };
  try {
    for await (const { name, rows: sheetRows } of readSheets(path)) {
      const rows: SheetRows = [];
      let isFiles = name === 'Files';
      for await (const row of sheetRows) {
        const values = row.values as CellValue[];
        if (row.number === 1 && cellText(values[1]) === 'Pattern' && cellText(values[2]) === 'File')
          isFiles = true;
        if (isFiles && !options.keepFiles) continue;
        rows[row.number] = values.slice();
      }
      if (name === 'Configuration') loaded.configuration = rows;
      else if (name === 'Files') loaded.files = rows;
      else if (!isFiles || options.keepFiles) loaded.others.push({ name, rows });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalid(path, 'it does not exist (make one with `courier init`)');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EBUSY') throw locked(path, error);
    throw invalid(path, `it is not an Excel workbook that can be read (${(error as Error).message})`);
  }
  return loaded;
}

interface SheetsToSave {
  configuration: SheetRows | undefined;
  others: { name: string; rows: SheetRows }[];
  files?: { columns: string[]; rows: readonly FilesRow[] };
}

/**
 * Streams the workbook to a file beside the target, then renames it over the target, so a crash or a
 * lock never leaves half a workbook behind.
 */
async function save(path: string, sheets: SheetsToSave): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: temporary,
      useStyles: true,
      useSharedStrings: false,
    });
    if (sheets.configuration) {
      const sheet = workbook.addWorksheet('Configuration');
      for (const column of [1, 2, 3, 4, 5]) sheet.getColumn(column).width = 25;
      if (typeof sheets.configuration[2]?.[1] === 'string') sheet.mergeCells('A2:F2');
      writeRows(sheet, sheets.configuration, (row, number) => {
        if (number !== 2) return;
        row.height = 90;
        row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      });
      await sheet.commit();
    }
    for (const other of sheets.others) {
      const sheet = workbook.addWorksheet(other.name);
      writeRows(sheet, other.rows);
      await sheet.commit();
    }
    if (sheets.files) {
      const { columns, rows } = sheets.files;
      const sheet = workbook.addWorksheet('Files');
      sheet.getColumn(2).width = 50;
      sheet.addRow(columns).commit();
      for (const row of rows) sheet.addRow(columns.map((column) => cellFor(row, column))).commit();
      await sheet.commit();
    }
    await workbook.commit();
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw locked(path, error);
  }
}

function writeRows(sheet: Worksheet, rows: SheetRows, style?: (row: Row, number: number) => void): void {
  rows.forEach((values, number) => {
    if (!values) return;
    const row = sheet.getRow(number);
    values.forEach((value, column) => {
      if (value !== undefined && value !== null) row.getCell(column).value = value;
    });
    style?.(row, number);
    row.commit();
  });
}

/** Excel (`~$name`) and LibreOffice (`.~lock.name#`) leave a lock file beside a workbook they have open. */
async function assertNotLocked(path: string): Promise<void> {
  const name = basename(path);
  for (const lockName of [`~$${name}`, `.~lock.${name}#`]) {
    const lockPath = join(dirname(path), lockName);
    const exists = await access(lockPath).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new CourierError({
        code: 'workbook-locked',
        message: `The workbook ${path} is open in a spreadsheet program (${lockName} exists): close it and try again, or export the results to another file. If it is not open, delete ${lockPath}.`,
        detail: { path, lockPath },
      });
    }
  }
}

function locked(path: string, error: unknown): CourierError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (!['EACCES', 'EPERM', 'EBUSY', 'EROFS', 'ETXTBSY'].includes(code)) {
    return new CourierError({
      code: 'workbook-unwritable',
      message: `Cannot write the workbook ${path}: ${(error as Error).message}.`,
      detail: { path, errno: code },
      cause: error,
    });
  }
  return new CourierError({
    code: 'workbook-locked',
    message: `Cannot write the workbook ${path}: it is open in another program (Excel?) or read-only (${code}). Close it and try again, or export the results to another file.`,
    detail: { path, errno: code },
    cause: error,
  });
}

function invalid(path: string, cause: string): CourierError {
  return new CourierError({
    code: 'workbook-invalid',
    message: `Cannot use the workbook ${path}: ${cause}.`,
    detail: { path },
  });
}
