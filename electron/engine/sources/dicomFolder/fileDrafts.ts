import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CourierError } from '../../../../shared/errors';
import type { PatternFailure } from '../../../../shared/pathPattern';
import type { ItemDraft } from '../../ledger/ledger';
import { classifyForUpload, DicomHeaderReader } from '../folder/dicomHeader';
import type { DicomFields, DicomKeyword } from '../folder/dicomHeader';
import { mapValues, matchedMeta } from './itemMeta';
import type { DicomItemMeta } from './itemMeta';
import { DICOM_PREFIX } from './sourceConfig';

/** Header values not worth keeping in the ledger (bulk bytes; the guards have already looked at them). */
const NOT_KEPT: readonly DicomKeyword[] = ['EncapsulatedDocument'];

/** A header reader that also learns each file's size from the open descriptor (one fstat, no extra lookup). */
export class SizedHeaderReader {
  private lastSize = 0;
  private readonly reader: DicomHeaderReader;

  constructor(keywords: readonly DicomKeyword[]) {
    this.reader = new DicomHeaderReader({
      keywords,
      io: {
        openSync: (path) => {
          const fd = openSync(path, 'r');
          try {
            this.lastSize = fstatSync(fd).size;
          } catch (error) {
            closeSync(fd);
            throw error;
          }
          return fd;
        },
        readSync: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
        closeSync: (fd) => closeSync(fd),
      },
    });
  }

  /** The header's values and the file's size; throws CourierError `not-dicom`, `dicom-corrupt` or `file-unreadable`. */
  read(path: string): { fields: DicomFields; size: number } {
    const header = this.reader.readSync(path);
    return { fields: header.fields, size: this.lastSize };
  }
}

/** "pattern "DICOM", cell 3 "{Directory}" on "x": why" for each pattern row, as one sentence. */
export function describeFailures(failures: readonly PatternFailure[]): string {
  return failures
    .map((f) => {
      const cell = f.cell ? `cell ${f.cellIndex + 1} "${f.cell}"` : `after cell ${f.cellIndex}`;
      const on = f.component ? ` on "${f.component}"` : '';
      return `pattern "${f.label}", ${cell}${on}: ${f.reason}`;
    })
    .join('; ');
}

/** A file no pattern row matches: `unmatched`, with every row's failing cell. */
export function unmatchedDraft(
  key: string,
  path: string,
  name: string,
  failures: PatternFailure[],
): ItemDraft {
  return {
    key,
    path,
    name,
    status: 'unmatched',
    reason: 'no-pattern-match',
    message: `${name}: no path pattern matches — ${describeFailures(failures)}`,
    meta: {
      upload: false,
      unmatched: failures.map((f) => ({
        label: f.label,
        cell: f.cellIndex,
        text: f.cell,
        component: f.component,
        reason: f.reason,
      })),
    },
  };
}

export interface MatchedFile {
  key: string;
  path: string;
  name: string;
  pattern: string;
  captured: Record<string, string>;
  upload: boolean;
  sessionLabel?: string;
  /** Mapping values given ready-made (a Files sheet); otherwise they are formed from the mappings. */
  mapped?: Record<string, string>;
}

/**
 * The draft for a file whose path matched: reads its header, applies xnatuploader's guards and the
 * mappings. Not DICOM or damaged → `skipped` naming the file and why; a guard → `skipped` with the
 * guard's reason; a mapping value missing → `unmatched` (listed only when `includeUnmatched`).
 */
export function matchedDraft(
  file: MatchedFile,
  reader: SizedHeaderReader,
  options: {
    mappings: Record<string, string[]>;
    skipImageTypes: readonly string[];
    includeUnmatched: boolean;
  },
): ItemDraft | null {
  let header: { fields: DicomFields; size: number };
  try {
    header = reader.read(file.path);
  } catch (error) {
    const e = error instanceof CourierError ? error : null;
    return {
      key: file.key,
      path: file.path,
      name: file.name,
      status: 'skipped',
      reason: e?.code ?? 'file-unreadable',
      message: e?.message ?? `Cannot read ${file.path}: ${String(error)}`,
      meta: { upload: false, pattern: file.pattern, captured: file.captured },
    };
  }
  const { fields, size } = header;
  const guard = classifyForUpload(fields, { skipImageTypes: options.skipImageTypes });
  for (const keyword of NOT_KEPT) delete fields[keyword];
  const mapped = file.mapped ? { mapped: file.mapped } : mapValues(options.mappings, file.captured, fields);
  if ('missing' in mapped) {
    if (!options.includeUnmatched) return null;
    const where = mapped.missing.startsWith(DICOM_PREFIX)
      ? 'which the DICOM header does not have'
      : 'which the pattern did not capture';
    return {
      key: file.key,
      path: file.path,
      name: file.name,
      size,
      status: 'unmatched',
      reason: 'mapping-incomplete',
      message: `${file.name}: the mapping for ${mapped.mapping} needs ${mapped.missing}, ${where}`,
      meta: { upload: false, pattern: file.pattern, captured: file.captured, dicom: fields },
    };
  }
  const meta: DicomItemMeta = matchedMeta(
    file.pattern,
    mapped.mapped,
    file.captured,
    fields,
    file.upload && !guard.skip,
  );
  if (file.sessionLabel) meta.sessionLabel = file.sessionLabel;
  const draft: ItemDraft = {
    key: file.key,
    path: file.path,
    name: file.name,
    group: `${meta.subject}/${meta.session}`,
    size,
    meta: meta as unknown as Record<string, unknown>,
  };
  if (guard.skip) {
    draft.status = 'skipped';
    draft.reason = guard.code;
    draft.message = `${file.name}: ${guard.reason}`;
  }
  return draft;
}
