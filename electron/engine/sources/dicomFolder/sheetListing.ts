import { isAbsolute, relative, resolve, sep } from 'node:path';
import { CourierError } from '../../../../shared/errors';
import { capturedNames } from '../../../../shared/pathPattern';
import type { ItemDraft } from '../../ledger/ledger';
import { readWorkbook } from '../../reports/xnatWorkbook';
import { matchedDraft, SizedHeaderReader } from './fileDrafts';
import { breathe, cancelledScan } from './folderListing';
import type { ListingProgress } from './folderListing';
import type { DicomFolderConfig } from './sourceConfig';
import { HIERARCHY, keywordsFor, skipImageTypes } from './sourceConfig';

const STEP = 500;

/** A file's name for people: its path below the folder when it is inside, else the full path. */
function displayName(root: string, abs: string): string {
  const rel = relative(root, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  const name = inside ? rel : abs;
  return sep === '/' ? name : name.split(sep).join('/');
}

/**
 * The files of a workbook's Files sheet (one made by xnatuploader, or by us and then edited): each row's
 * file with the Subject, Session and Dataset the sheet gives, its Upload flag and, when xnatuploader
 * already chose one, its session label. Headers are read again, so the guards and DICOM values are
 * those of the file as it is now; rows marked `unmatched` stay unmatched.
 */
export async function listFilesSheet(config: DicomFolderConfig, ctx: ListingProgress): Promise<ItemDraft[]> {
  if (!config.workbook) {
    throw new CourierError({
      code: 'bad-config',
      message: 'A listing from a Files sheet needs the workbook it comes from.',
    });
  }
  const { files } = await readWorkbook(config.workbook);
  const reader = new SizedHeaderReader(keywordsFor(config));
  const captureNames = capturedNames(config.paths);
  const mappingNames = [...new Set([...HIERARCHY, ...Object.keys(config.mappings)])];
  const options = {
    mappings: config.mappings,
    skipImageTypes: skipImageTypes(config),
    includeUnmatched: true,
  };
  const drafts: ItemDraft[] = [];
  const seenKeys = new Set<string>();
  for (let i = 0; i < files.length; i++) {
    const row = files[i]!;
    if (!row.file) continue;
    const abs = isAbsolute(row.file) ? row.file : resolve(config.dir, row.file);
    if (seenKeys.has(abs)) continue;
    seenKeys.add(abs);
    const name = displayName(config.dir, abs);
    const subject = row.values.Subject ?? '';
    if (!row.pattern || row.status.toLowerCase() === 'unmatched' || subject === '') {
      drafts.push({
        key: abs,
        path: abs,
        name,
        status: 'unmatched',
        reason: 'no-pattern-match',
        message: `${name}: unmatched in the workbook's Files sheet`,
        meta: { upload: false },
      });
      continue;
    }
    const captured = Object.fromEntries(captureNames.map((n) => [n, row.values[n] ?? '']));
    const mapped = Object.fromEntries(mappingNames.map((n) => [n, row.values[n] ?? '']));
    const sessionLabel = row.values.SessionLabel?.trim();
    const draft = matchedDraft(
      {
        key: abs,
        path: abs,
        name,
        pattern: row.pattern,
        captured,
        mapped,
        upload: row.upload,
        ...(sessionLabel ? { sessionLabel } : {}),
      },
      reader,
      options,
    );
    if (draft) drafts.push(draft);
    if ((i + 1) % STEP === 0) {
      ctx.progress(i + 1, files.length);
      await breathe();
      if (ctx.signal.aborted) throw cancelledScan();
    }
  }
  ctx.progress(files.length, files.length);
  return drafts;
}
