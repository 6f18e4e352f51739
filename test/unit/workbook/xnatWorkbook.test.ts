import { spawnSync } from 'node:child_process';
import type * as FsPromises from 'node:fs/promises';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CourierError } from '../../../shared/errors';
import type { FilesRow, XnatUploaderConfig } from '../../../electron/engine/reports/xnatWorkbook';
import {
  DEFAULT_CONFIG,
  filesSheetColumns,
  readWorkbook,
  writeConfigurationWorkbook,
  writeFilesSheet,
} from '../../../electron/engine/reports/xnatWorkbook';

const failRename = vi.hoisted(() => ({ code: undefined as string | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (failRename.code)
        throw Object.assign(new Error(`${failRename.code}: resource busy or locked`), {
          code: failRename.code,
        });
      return actual.rename(from, to);
    },
  };
});

const FIXTURE = join(import.meta.dirname, '../../fixtures/xnatuploader/xnatuploader-scanned.xlsx');

let dir: string;
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'courier-workbook-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  failRename.code = undefined;
});

const fresh = (name = 'batch.xlsx'): string => join(dir, `${counter++}-${name}`);

async function caught(promise: Promise<unknown>): Promise<CourierError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CourierError);
    return error as CourierError;
  }
  throw new Error('expected a CourierError');
}

/** xnatuploader's own `load_config`, run by openpyxl, when Debian's python3-openpyxl is installed. */
function xnatuploaderLoadConfig(path: string): unknown {
  const script = `
import json, sys
from openpyxl import load_workbook
ws = load_workbook(sys.argv[1])["Configuration"]
config, section = {}, None
for row in ws:
    if row[0].value is not None:
        section = row[0].value.lower()
    var = row[1].value
    if var is not None and section is not None:
        config.setdefault(section, {})
        cells = [cell.value for cell in row[2:] if cell.value is not None]
        config[section][var] = cells[0] if section == "xnat" else cells
print(json.dumps({k: config[k] for k in ("paths", "mappings", "xnat")}))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

const BIG_CONFIG: XnatUploaderConfig = {
  paths: [
    {
      label: 'Nested',
      cells: ['{SubjectName}-{ID}', '{YYYY}{MM}{DD}', '**', '{Directory}', '{filename}.dcm', '*'],
    },
    { label: 'Flat', cells: ['{SubjectName}-{ID}', '{filename}.dcm'] },
    { label: 'Anything (fallback)', cells: ['**', '{Filename}'] },
  ],
  mappings: {
    Subject: ['ID'],
    Session: ['DICOM:StudyDate', 'YYYY'],
    Dataset: ['Directory', 'DICOM:SeriesNumber'],
    Extra: ['SubjectName'],
  },
  xnat: {
    Project: 'P01',
    Server: 'https://xnat.example.org',
    AllowFields: 'AccessionNumber,StudyDate',
    Note: 'Müller, 頭部',
  },
};

describe('Configuration sheet', () => {
  it('writes the layout of `xnatuploader init` and reads it back', async () => {
    const path = fresh();
    await writeConfigurationWorkbook(path);
    expect(await readWorkbook(path)).toEqual({ config: DEFAULT_CONFIG, files: [], filesColumns: [] });

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Configuration']);
    const sheet = workbook.getWorksheet('Configuration')!;
    const at = (ref: string): unknown => sheet.getCell(ref).value;
    expect([at('A1'), at('A4'), at('A5'), at('B5'), at('C5'), at('D5'), at('E5'), at('F5')]).toEqual([
      'Instructions',
      'Configuration',
      'Paths',
      'DICOM',
      '{SubjectName}-{ID}',
      '**',
      '{Directory}',
      '{filename}.dcm',
    ]);
    expect([at('A10'), at('B10'), at('C10'), at('B11'), at('C11'), at('B12'), at('C12')]).toEqual([
      'Mappings',
      'Subject',
      'ID',
      'Session',
      'DICOM:StudyDate',
      'Dataset',
      'Directory',
    ]);
    expect([at('A14'), at('B14'), at('C14'), at('B15'), at('C15')]).toEqual([
      'XNAT',
      'Project',
      'Test001',
      'Server',
      'http://localhost:8080',
    ]);
  });

  it('round-trips several patterns, long rows, extra mappings and unicode', async () => {
    const path = fresh();
    await writeConfigurationWorkbook(path, BIG_CONFIG);
    expect((await readWorkbook(path)).config).toEqual(BIG_CONFIG);
  });

  it('is read by xnatuploader’s own load_config (openpyxl) to the same values', async () => {
    for (const config of [DEFAULT_CONFIG, BIG_CONFIG]) {
      const path = fresh();
      await writeConfigurationWorkbook(path, config);
      expect(xnatuploaderLoadConfig(path)).toEqual({
        paths: Object.fromEntries(config.paths.map((p) => [p.label, p.cells])),
        mappings: config.mappings,
        xnat: config.xnat,
      });
    }
  });

  it('names a missing section and a missing file', async () => {
    const path = fresh();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Configuration');
    sheet.getCell('A5').value = 'Paths';
    sheet.getCell('B5').value = 'DICOM';
    sheet.getCell('C5').value = '**';
    await workbook.xlsx.writeFile(path);
    const error = await caught(readWorkbook(path));
    expect(error.code).toBe('workbook-invalid');
    expect(error.message).toMatch(/no Mappings, XNAT section/);
    expect((await caught(readWorkbook(join(dir, 'absent.xlsx')))).message).toMatch(/does not exist/);
    writeFileSync(join(dir, 'text.xlsx'), 'not a zip');
    expect((await caught(readWorkbook(join(dir, 'text.xlsx')))).code).toBe('workbook-invalid');
  });
});

describe('a workbook written by xnatuploader (openpyxl)', () => {
  it('reads its configuration, including a second pattern row and the XNAT extras', async () => {
    const { config } = await readWorkbook(FIXTURE);
    expect(config).toEqual({
      paths: [
        { label: 'DICOM', cells: ['{SubjectName}-{ID}', '**', '{Directory}', '{filename}.dcm'] },
        { label: 'Flat', cells: ['{SubjectName}-{ID}', '{filename}.dcm'] },
      ],
      mappings: { Subject: ['ID'], Session: ['DICOM:StudyDate'], Dataset: ['Directory'] },
      xnat: {
        Project: 'Test001',
        Server: 'http://localhost:8080',
        AllowFields: 'AccessionNumber',
        SkipImageTypes: 'DOSE_INFO',
      },
    });
  });

  it('reads its Files sheet by header, with numbers as text and Upload as a flag', async () => {
    const { files, filesColumns, config } = await readWorkbook(FIXTURE);
    expect(filesColumns).toEqual(filesSheetColumns({ ...config, paths: config.paths.slice(0, 1) }));
    expect(files).toHaveLength(4);
    expect(files[0]).toEqual({
      pattern: 'DICOM',
      file: '/data/basic/DOE^JOHN-002304/20200312HeadCT/Head CT/image-00000.dcm',
      filename: 'image-00000.dcm',
      upload: true,
      status: '',
      values: expect.objectContaining({
        Subject: '002304',
        Session: '20200312',
        Dataset: 'Head_CT',
        SessionLabel: '',
        'DICOM:SeriesNumber': '3',
        'DICOM:StudyDate': '20200312',
        'DICOM:StationName': 'CT01',
        Directory: 'Head CT',
        filename: 'image-00000',
      }),
    });
    expect(files.map((f) => [f.upload, f.status])).toEqual([
      [true, ''],
      [false, 'success'],
      [false, 'unmatched'],
      [false, 'DICOM is an encapsulated report'],
    ]);
  });
});

describe('Files sheet', () => {
  const rows: FilesRow[] = [
    {
      pattern: 'DICOM',
      file: '/data/Doe^John-0001/20200312/Chest CT/scan0000.dcm',
      filename: 'scan0000.dcm',
      upload: true,
      status: '',
      values: {
        Subject: '0001',
        Session: '20200312',
        Dataset: 'Chest_CT',
        SessionLabel: '0001_CT1',
        'DICOM:Modality': 'CT',
        'DICOM:SeriesNumber': '2',
        'DICOM:StudyDate': '20200312',
        SubjectName: 'Doe^John',
        ID: '0001',
        Directory: 'Chest CT',
        filename: 'scan0000',
        'DICOM:PatientID': '007',
      },
    },
    {
      pattern: '',
      file: '/data/notes/readme.txt',
      filename: 'readme.txt',
      upload: false,
      status: 'unmatched: cell 1 "{SubjectName}-{ID}": "-" not found',
      values: {},
    },
  ];

  it('keeps the Configuration sheet, replaces Files, and round-trips rows in xnatuploader’s columns', async () => {
    const path = fresh();
    copyFileSync(FIXTURE, path);
    const before = await readWorkbook(path);
    await writeFilesSheet(path, rows);
    await writeFilesSheet(path, rows); // a second write must not pile up sheets
    const after = await readWorkbook(path);
    expect(after.config).toEqual(before.config);
    expect(after.filesColumns).toEqual([...filesSheetColumns(before.config), 'DICOM:PatientID']);
    expect(after.files[0]).toEqual({ ...rows[0], values: expect.objectContaining(rows[0]!.values) });
    expect(after.files[0]!.values['DICOM:Manufacturer']).toBe('');
    expect(after.files[1]).toMatchObject({
      upload: false,
      status: rows[1]!.status,
      file: '/data/notes/readme.txt',
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Configuration', 'Files']);
    // Leading zeros survive because values are written as text.
    expect(workbook.getWorksheet('Files')!.getCell('F2').value).toBe('0001');
  });

  it('keeps other sheets, whatever order the sheets were in', async () => {
    const path = fresh();
    const workbook = new ExcelJS.Workbook();
    const notes = workbook.addWorksheet('Notes');
    notes.getCell('A1').value = 'Scanned by the archive team';
    notes.getCell('B3').value = 42;
    const oldFiles = workbook.addWorksheet('Files');
    oldFiles.addRow(['Pattern', 'File', 'Filename', 'Upload', 'Status']);
    oldFiles.addRow(['DICOM', '/old', 'old', 'Y', '']);
    const configuration = workbook.addWorksheet('Configuration');
    configuration.getCell('A5').value = 'Paths';
    configuration.getCell('B5').value = 'All';
    configuration.getCell('C5').value = '**';
    configuration.getCell('D5').value = '{File}';
    configuration.getCell('A10').value = 'Mappings';
    configuration.getCell('B10').value = 'Subject';
    configuration.getCell('C10').value = 'File';
    configuration.getCell('A14').value = 'xnat';
    configuration.getCell('B14').value = 'Project';
    configuration.getCell('C14').value = 7;
    await workbook.xlsx.writeFile(path);

    await writeFilesSheet(path, [rows[0]!]);
    const after = await readWorkbook(path);
    expect(after.config).toEqual({
      paths: [{ label: 'All', cells: ['**', '{File}'] }],
      mappings: { Subject: ['File'] },
      xnat: { Project: '7' },
    });
    expect(after.files.map((f) => f.file)).toEqual([rows[0]!.file]);
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.readFile(path);
    expect(reread.worksheets.map((s) => s.name)).toEqual(['Configuration', 'Notes', 'Files']);
    expect(reread.getWorksheet('Notes')!.getCell('A1').value).toBe('Scanned by the archive team');
    expect(reread.getWorksheet('Notes')!.getCell('B3').value).toBe(42);
  });

  it('writes a Files sheet openpyxl reads row by row, as xnatuploader upload does', async () => {
    const path = fresh();
    copyFileSync(FIXTURE, path);
    await writeFilesSheet(path, rows);
    const script = `
import json, sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
print(json.dumps({"sheets": wb.sheetnames, "rows": [list(r) for r in wb["Files"].values]}))
`;
    const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { sheets, rows: got } = JSON.parse(run.stdout) as { sheets: string[]; rows: (string | null)[][] };
    expect(sheets).toEqual(['Configuration', 'Files']);
    expect(got[0]?.slice(0, 9)).toEqual([
      'Pattern',
      'File',
      'Filename',
      'Upload',
      'Status',
      'Subject',
      'Session',
      'Dataset',
      'SessionLabel',
    ]);
    // An empty Status reads as None, as in a sheet xnatuploader wrote itself.
    expect(got[1]?.slice(0, 6)).toEqual(['DICOM', rows[0]!.file, 'scan0000.dcm', 'Y', null, '0001']);
    expect(xnatuploaderLoadConfig(path)).toMatchObject({ mappings: { Subject: ['ID'] } });
  });

  it('honours a user’s Upload edits (N, n, yes)', async () => {
    const path = fresh();
    await writeConfigurationWorkbook(path);
    await writeFilesSheet(path, [rows[0]!, { ...rows[0]!, file: '/b' }, { ...rows[0]!, file: '/c' }]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.getWorksheet('Files')!;
    sheet.getCell('D2').value = 'N';
    sheet.getCell('D3').value = 'n';
    sheet.getCell('D4').value = 'yes';
    await workbook.xlsx.writeFile(path);
    expect((await readWorkbook(path)).files.map((f) => f.upload)).toEqual([false, false, true]);
  });

  it('refuses while Excel or LibreOffice holds a lock file, and says what to do', async () => {
    for (const lockName of ['~$', '.~lock.']) {
      const path = fresh('locked.xlsx');
      await writeConfigurationWorkbook(path);
      const name = path.split('/').pop()!;
      const lockPath = join(dir, lockName === '~$' ? `~$${name}` : `.~lock.${name}#`);
      writeFileSync(lockPath, '');
      const error = await caught(writeFilesSheet(path, rows));
      expect(error.code).toBe('workbook-locked');
      expect(error.message).toContain(path);
      expect(error.message).toMatch(/close it and try again, or export the results to another file/);
      rmSync(lockPath);
    }
  });

  it('reports a workbook the system will not let us replace as locked, leaving it intact', async () => {
    const path = fresh('busy.xlsx');
    await writeConfigurationWorkbook(path);
    const original = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    for (const code of ['EBUSY', 'EPERM', 'EACCES']) {
      failRename.code = code;
      const error = await caught(writeFilesSheet(path, rows));
      expect(error.code).toBe('workbook-locked');
      expect(error.message).toMatch(
        new RegExp(
          `Cannot write the workbook ${path.replace(/[.^$]/g, '\\$&')}: it is open in another program \\(Excel\\?\\) or read-only \\(${code}\\)`,
        ),
      );
    }
    expect(readFileSync(path).equals(original)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
