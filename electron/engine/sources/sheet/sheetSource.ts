import { stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import type { ItemDraft } from '../../ledger/ledger';
import type { SourceAdapter } from '../../runner/adapters';
import { rowDraft } from './sheetItems';
import { readSheet } from './sheetRows';

export const sheetSourceConfig = z
  .object({
    /** Absolute path of the .xlsx or .csv file. */
    file: z.string().min(1).refine(isAbsolute, 'must be an absolute path'),
  })
  .strict();
export type SheetSourceConfig = z.infer<typeof sheetSourceConfig>;

const CHUNK = 500;

function rowOf(meta: Record<string, unknown>): number | null {
  const row = (meta.sheet as { row?: unknown } | undefined)?.row;
  return typeof row === 'number' ? row : null;
}

/**
 * Files listed in a spreadsheet (xlsx or csv, Pattypan's columns): one item per row, its path relative to
 * the sheet, its cells kept for the page text. A row whose file is missing fails on its own, naming the file;
 * the other rows go on.
 */
export const sheetSource: SourceAdapter<SheetSourceConfig> = {
  kind: 'sheet',
  title: 'Spreadsheet of files',
  configSchema: sheetSourceConfig,
  label: (config) => basename(config.file),
  host: () => null,
  async *collect(config) {
    const rows = await readSheet(config.file);
    let chunk: ItemDraft[] = [];
    for (const row of rows) {
      const draft = rowDraft(row, config.file);
      if (draft.path) {
        draft.size = await stat(draft.path).then(
          (info) => (info.isFile() ? info.size : null),
          () => null,
        );
      }
      chunk.push(draft);
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  },
  async fetch(item, config) {
    const where = `Row ${rowOf(item.meta) ?? '?'} of ${basename(config.file)}`;
    if (!item.path) {
      throw new CourierError({
        code: 'sheet-row',
        message: `${where} has no path; fill in the file's path (relative to the spreadsheet) or delete the row.`,
      });
    }
    const info = await stat(item.path).catch(() => null);
    if (!info?.isFile()) {
      throw new CourierError({
        code: 'missing-file',
        message: `${where}: the file ${item.path} does not exist; correct the path or skip the row.`,
      });
    }
    return { path: item.path, size: info.size };
  },
};
