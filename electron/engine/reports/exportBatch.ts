import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { stringify } from 'csv-stringify';
import { CourierError } from '../../../shared/errors';
import type { Ledger } from '../ledger/ledger';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One exported row: the fields DESIGN.md promises for `export`, plus name, group and attempts. */
export interface ExportRow {
  path: string;
  name: string;
  group: string;
  status: string;
  reason: string | null;
  message: string | null;
  target: string | null;
  size: number | null;
  sha1: string | null;
  md5: string | null;
  attempts: number;
  updatedAt: string;
  meta: Record<string, unknown>;
}

const COLUMNS: (keyof ExportRow)[] = [
  'path',
  'name',
  'group',
  'status',
  'reason',
  'message',
  'target',
  'size',
  'sha1',
  'md5',
  'attempts',
  'updatedAt',
  'meta',
];

function* rows(ledger: Ledger, batchId: number): Generator<ExportRow> {
  for (const r of ledger.itemsInOrder(batchId)) {
    yield {
      path: r.path,
      name: r.name,
      group: r.group_key,
      status: r.status,
      reason: r.reason,
      message: r.message,
      target: r.target,
      size: r.size,
      sha1: r.sha1,
      md5: r.md5,
      attempts: r.attempts,
      updatedAt: new Date(r.updated_at).toISOString(),
      meta: JSON.parse(r.meta) as Record<string, unknown>,
    };
  }
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** Writes every item of a batch to `file` (through a temporary name), streaming: memory stays flat at any size. */
export async function exportBatch(
  ledger: Ledger,
  batchId: number,
  format: ExportFormat,
  file: string,
): Promise<number> {
  const part = `${file}.part`;
  let count = 0;
  try {
    if (format === 'json') {
      const out = createWriteStream(part);
      await write(out, '[');
      for (const row of rows(ledger, batchId)) {
        await write(out, `${count === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`);
        count++;
      }
      await write(out, '\n]\n');
      out.end();
      await once(out, 'finish');
    } else if (format === 'csv') {
      const out = createWriteStream(part);
      const csv = stringify({ header: true, columns: COLUMNS as string[] });
      csv.pipe(out);
      for (const row of rows(ledger, batchId)) {
        if (!csv.write({ ...row, meta: JSON.stringify(row.meta) })) await once(csv, 'drain');
        count++;
      }
      csv.end();
      await once(out, 'finish');
    } else {
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: part, useStyles: false });
      const sheet = workbook.addWorksheet('Files');
      sheet.columns = COLUMNS.map((key) => ({ header: key, key }));
      for (const row of rows(ledger, batchId)) {
        sheet.addRow({ ...row, meta: JSON.stringify(row.meta) }).commit();
        count++;
      }
      sheet.commit();
      await workbook.commit();
    }
    await rename(part, file);
  } catch (err) {
    await rm(part, { force: true });
    if (err instanceof CourierError) throw err;
    throw new CourierError({
      code: 'export-failed',
      message: `Could not write ${file}: ${(err as Error).message}`,
      cause: err,
    });
  }
  return count;
}
