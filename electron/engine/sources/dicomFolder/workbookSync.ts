import { basename, resolve } from 'node:path';
import type { ItemStatus } from '../../../../shared/status';
import type { ItemOutcome, Ledger } from '../../ledger/ledger';
import { FILES_DICOM_COLUMNS, readWorkbook, writeFilesSheet } from '../../reports/xnatWorkbook';
import type { FilesRow } from '../../reports/xnatWorkbook';
import { DICOM_PREFIX } from './sourceConfig';

interface ItemRowLite {
  id: number;
  path: string;
  status: ItemStatus;
  reason: string | null;
  message: string | null;
  meta: string;
}

type Meta = Record<string, unknown> & {
  upload?: boolean;
  pattern?: string;
  subject?: string;
  session?: string;
  dataset?: string;
  mappings?: Record<string, string>;
  captured?: Record<string, string>;
  dicom?: Record<string, string>;
};

/** Why an item is skipped when the workbook's Upload column says N. */
export const UPLOAD_OFF_REASON = 'upload-off';
const UPLOAD_OFF_MESSAGE = 'Upload = N in the workbook; not sent.';

function* batchItems(ledger: Ledger, batchId: number): Generator<ItemRowLite> {
  yield* ledger.itemsInOrder(batchId);
}

/** The Status cell xnatuploader writes and reads back: `success` is never sent again, anything else is. */
export function xnatuploaderStatus(item: Pick<ItemRowLite, 'status' | 'reason' | 'message'>): string {
  switch (item.status) {
    case 'done':
    case 'duplicate':
      return 'success';
    case 'unmatched':
      return 'unmatched';
    case 'interrupted':
      return 'Upload interrupted by user';
    case 'failed':
    case 'attention':
      return `Error: ${item.message ?? item.reason ?? 'upload failed'}`;
    case 'skipped':
      return item.reason === UPLOAD_OFF_REASON ? '' : (item.message ?? item.reason ?? 'skipped');
    default:
      return '';
  }
}

/** One Files-sheet row for an item, in xnatuploader's layout. */
export function filesRowOf(
  item: Pick<ItemRowLite, 'path' | 'status' | 'reason' | 'message'>,
  meta: Meta,
  sessionLabel: (meta: Meta) => string,
): FilesRow {
  const values: Record<string, string> = {};
  if (meta.subject !== undefined) {
    values.Subject = meta.subject;
    values.Session = meta.session ?? '';
    values.Dataset = meta.dataset ?? '';
    Object.assign(values, meta.mappings ?? {});
    values.SessionLabel = sessionLabel(meta);
  }
  const dicom = meta.dicom ?? {};
  for (const column of FILES_DICOM_COLUMNS) {
    values[column] = dicom[column.slice(DICOM_PREFIX.length)] ?? '';
  }
  Object.assign(values, meta.captured ?? {});
  return {
    pattern: meta.pattern ?? '',
    file: item.path,
    filename: basename(item.path),
    upload: meta.upload === true,
    status: xnatuploaderStatus(item),
    values,
  };
}

/**
 * Writes the batch into the workbook's Files sheet (xnatuploader's columns, our statuses), keeping the
 * Configuration sheet. Throws `workbook-locked` while the workbook is open elsewhere.
 */
export async function writeBatchToWorkbook(
  ledger: Ledger,
  batchId: number,
  workbook: string,
  sessionLabel: (meta: Meta) => string,
): Promise<number> {
  const rows: FilesRow[] = [];
  for (const item of batchItems(ledger, batchId)) {
    rows.push(filesRowOf(item, JSON.parse(item.meta) as Meta, sessionLabel));
  }
  await writeFilesSheet(workbook, rows);
  return rows.length;
}

export interface UploadFlagChanges {
  /** Files the sheet now says N to: skipped. */
  deselected: number;
  /** Files the sheet now says Y to again: pending. */
  reselected: number;
  /** Files marked Y that stay skipped because a guard or their header keeps them out. */
  keptOut: number;
}

/**
 * Applies the Upload column of the workbook's Files sheet to the batch: N skips a file not yet sent,
 * Y brings back a file an earlier N skipped. Files already sent are left alone, as are rows the batch
 * does not know. Relative `File` paths (xnatuploader writes them as given to its --dir) start at `baseDir`.
 */
export async function applyUploadFlags(
  ledger: Ledger,
  batchId: number,
  workbook: string,
  baseDir: string,
): Promise<UploadFlagChanges> {
  const { files } = await readWorkbook(workbook);
  const wanted = new Map<string, boolean>();
  for (const row of files) if (row.file) wanted.set(resolve(baseDir, row.file), row.upload);
  const outcomes: ItemOutcome[] = [];
  const changes: UploadFlagChanges = { deselected: 0, reselected: 0, keptOut: 0 };
  const event = { kind: 'workbook' };
  for (const item of batchItems(ledger, batchId)) {
    const upload = wanted.get(item.path);
    if (upload === undefined) continue;
    const meta = JSON.parse(item.meta) as Meta;
    if (meta.upload === undefined || ['done', 'duplicate', 'unmatched', 'running'].includes(item.status))
      continue;
    if (!upload) {
      if (item.status === 'skipped') continue;
      outcomes.push({
        itemId: item.id,
        status: 'skipped',
        reason: UPLOAD_OFF_REASON,
        message: UPLOAD_OFF_MESSAGE,
        meta: { upload: false },
        event,
      });
      changes.deselected++;
    } else if (!meta.upload) {
      if (item.status === 'skipped' && item.reason !== UPLOAD_OFF_REASON) {
        changes.keptOut++;
        continue;
      }
      outcomes.push({
        itemId: item.id,
        status: 'pending',
        message: 'Upload = Y in the workbook.',
        meta: { upload: true },
        event,
      });
      changes.reselected++;
    }
  }
  for (let i = 0; i < outcomes.length; i += 1_000) ledger.record(batchId, outcomes.slice(i, i + 1_000));
  return changes;
}
