import { basename, dirname, extname, resolve } from 'node:path';
import type { ItemDraft } from '../../ledger/ledger';
import type { SheetRow } from './sheetRows';

/** What a row says about its file, kept in the item's meta for the page text (shared/wikiPage.ts). */
export interface SheetRowMeta {
  file: string;
  row: number;
  description?: string;
  date?: string;
  source?: string;
  author?: string;
  license?: string;
  permission?: string;
  categories: string[];
  comment?: string;
}

/** The wiki name of a row: its `name`, with the file's extension added when the name does not end in it. */
export function nameWithExtension(name: string, filePath: string): string {
  const ext = extname(filePath);
  if (ext === '' || name.toLowerCase().endsWith(ext.toLowerCase())) return name;
  return `${name}${ext}`;
}

/** One item per row: the path resolved against the sheet's folder, the name completed, the cells as meta. */
export function rowDraft(row: SheetRow, sheetFile: string): ItemDraft {
  const { cells } = row;
  const path = cells.path ? resolve(dirname(sheetFile), cells.path) : '';
  const name = cells.name ?? (path ? basename(path) : `row ${row.row}`);
  const meta: SheetRowMeta = {
    file: sheetFile,
    row: row.row,
    description: cells.description,
    date: cells.date,
    source: cells.source,
    author: cells.author,
    license: cells.license,
    permission: cells.permission,
    categories: (cells.categories ?? '')
      .split(';')
      .map((c) => c.trim().replace(/^\[\[\s*Category\s*:\s*|\]\]$/gi, ''))
      .filter(Boolean),
    comment: cells.comment,
  };
  const title = path ? nameWithExtension(name, path) : name;
  return { key: `${row.row}:${path}`, path, name: title, meta: { sheet: meta, wikiTitle: title } };
}
