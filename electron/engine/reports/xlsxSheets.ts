/**
 * The worksheets of an .xlsx file, each read a row at a time, by name.
 *
 * exceljs's streaming reader takes the zip's parts in stored order from a single pass. Writers (exceljs
 * and openpyxl among them) store `xl/workbook.xml` last, and on a busy machine that pass can hand out
 * the worksheets before it has read the workbook, so a sheet comes out without its name. Here the parts
 * are found through the zip's central directory instead: the workbook's relationships, the workbook, the
 * shared strings and the styles are read first, then each worksheet in the workbook's order. The cells
 * are still decoded by exceljs's own readers, one row at a time, so a large sheet never sits in memory.
 */
import type { Readable } from 'node:stream';
import type { Row } from 'exceljs';
import yauzl from 'yauzl';

export interface OpenedSheet {
  name: string;
  rows: AsyncIterable<Row>;
}

/** The parts of exceljs 4's streaming workbook reader used here (lib/stream/xlsx/workbook-reader.js). */
interface WorkbookReaderParts {
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { name: string; rId: string }[] };
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncIterable<unknown>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseWorksheet(
    stream: Readable,
    sheetNo: string,
  ): Iterable<{ eventType: string; value: AsyncIterable<Row> }>;
}

/**
 * Yields the worksheets in the workbook's order. Each sheet's rows must be read (or abandoned) before
 * the next sheet is asked for. Throws the file system's error when the file can't be opened, and a
 * plain Error naming the missing part when it is not a workbook.
 */
export async function* readSheets(path: string): AsyncGenerator<OpenedSheet> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  try {
    const entries = new Map<string, yauzl.Entry>();
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    const part = (name: string): Promise<Readable> => {
      const entry = entries.get(name);
      if (!entry) throw new Error(`it has no ${name}`);
      return zip.openReadStreamPromise(entry);
    };

    const { default: ExcelJS } = await import('exceljs');
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    }) as unknown as WorkbookReaderParts;
    await reader._parseRels(await part('xl/_rels/workbook.xml.rels'));
    await reader._parseWorkbook(await part('xl/workbook.xml'));
    if (entries.has('xl/sharedStrings.xml')) {
      for await (const _ of reader._parseSharedStrings(await part('xl/sharedStrings.xml'))) void _;
    }
    if (entries.has('xl/styles.xml')) await reader._parseStyles(await part('xl/styles.xml'));

    for (const sheet of reader.model?.sheets ?? []) {
      const target = reader.workbookRels?.find((rel) => rel.Id === sheet.rId)?.Target ?? '';
      // Relative to xl/ (exceljs, Excel) or absolute from the package root (openpyxl).
      const name = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
      const sheetNo = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name)?.[1];
      if (sheetNo === undefined || !entries.has(name)) continue;
      for (const { eventType, value } of reader._parseWorksheet(await part(name), sheetNo)) {
        if (eventType === 'worksheet') yield { name: sheet.name, rows: value };
      }
    }
  } finally {
    zip.close();
  }
}
