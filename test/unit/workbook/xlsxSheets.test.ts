import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { readSheets } from '../../../electron/engine/reports/xlsxSheets';
import { tempDir } from '../../support/tempDir';

const dir = tempDir('xlsx-sheets-');
afterAll(() => dir.cleanup());

/** A zip of `parts`, stored in the order given. */
async function zipOf(name: string, parts: [string, string][]): Promise<string> {
  const path = join(dir.path, name);
  const zip = new yazl.ZipFile();
  for (const [file, text] of parts) zip.addBuffer(Buffer.from(text), file);
  zip.end();
  await finished(zip.outputStream.pipe(createWriteStream(path)));
  return path;
}

const sheetXml = (rows: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
const RELS = (prefix: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
  `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${prefix}worksheets/sheet2.xml"/>` +
  `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${prefix}worksheets/sheet1.xml"/>` +
  `</Relationships>`;
const WORKBOOK =
  `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
  `<sheets><sheet name="Configuration" sheetId="1" r:id="rId1"/><sheet name="Files" sheetId="2" r:id="rId2"/></sheets></workbook>`;
const SHARED = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Pattern</t></si><si><t>Paths</t></si></sst>`;
const SHEETS: [string, string][] = [
  [
    'xl/worksheets/sheet1.xml',
    sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c></row>'),
  ],
  [
    'xl/worksheets/sheet2.xml',
    sheetXml(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>Configuration</t></is></c></row><row r="5"><c r="A5" t="s"><v>1</v></c></row>',
    ),
  ],
];

async function collect(path: string): Promise<{ name: string; rows: [number, unknown[]][] }[]> {
  const out: { name: string; rows: [number, unknown[]][] }[] = [];
  for await (const sheet of readSheets(path)) {
    const rows: [number, unknown[]][] = [];
    for await (const row of sheet.rows) rows.push([row.number, (row.values as unknown[]).slice(1)]);
    out.push({ name: sheet.name, rows });
  }
  return out;
}

const EXPECTED = [
  {
    name: 'Configuration',
    rows: [
      [1, ['Configuration']],
      [5, ['Paths']],
    ],
  },
  { name: 'Files', rows: [[1, ['Pattern', 42]]] },
];

describe('readSheets', () => {
  it('names every sheet from the workbook even when the workbook is stored after the worksheets', async () => {
    // Worksheets first and the workbook last, as exceljs and openpyxl store them, with relative targets.
    const path = await zipOf('last.xlsx', [
      ...SHEETS,
      ['xl/sharedStrings.xml', SHARED],
      ['xl/_rels/workbook.xml.rels', RELS('')],
      ['xl/workbook.xml', WORKBOOK],
    ]);
    expect(await collect(path)).toEqual(EXPECTED);
  });

  it('follows absolute targets (openpyxl) and the workbook’s sheet order, not the zip’s', async () => {
    const path = await zipOf('absolute.xlsx', [
      ['xl/workbook.xml', WORKBOOK],
      ['xl/_rels/workbook.xml.rels', RELS('/xl/')],
      ['xl/sharedStrings.xml', SHARED],
      ...SHEETS.slice().reverse(),
    ]);
    expect(await collect(path)).toEqual(EXPECTED);
  });

  it('names the missing part of a zip that is not a workbook, and passes on the file system’s error', async () => {
    const path = await zipOf('notbook.zip', [['readme.txt', 'hello']]);
    await expect(collect(path)).rejects.toThrow('it has no xl/_rels/workbook.xml.rels');
    const text = join(dir.path, 'plain.xlsx');
    writeFileSync(text, 'not a zip');
    await expect(collect(text)).rejects.toThrow(/central directory/);
    await expect(collect(join(dir.path, 'missing.xlsx'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
