import { CourierError } from '../../../../shared/errors';
import { fileCalls } from '../../fileCalls';
import type { ItemDraft } from '../../ledger/ledger';
import type { SourceAdapter } from '../../runner/adapters';
import { listFolder } from './folderListing';
import type { DicomItemMeta } from './itemMeta';
import { ScanCheckpoint } from './scanCheckpoint';
import { listFilesSheet } from './sheetListing';
import { dicomFolderConfig } from './sourceConfig';
import type { DicomFolderConfig } from './sourceConfig';
import { assignVisits } from './visitNumbers';

const CHUNK = 2_000;

/**
 * A local folder of DICOM files as xnatuploader's first pass sees it: path patterns and header values
 * give each file its subject, session and dataset. The whole folder is listed before any file is handed
 * on, because visit numbers need every StudyDate of a subject: so the listing is one pass that a batch
 * runs on its own (the scan) before the upload, and a re-listing adds nothing already listed. A cancelled
 * scan keeps the headers it read in the batch's work folder, and the next one continues from them.
 */
export const dicomFolderSource: SourceAdapter<DicomFolderConfig> = {
  kind: 'dicom-folder',
  title: 'Folder of DICOM files (xnatuploader patterns)',
  configSchema: dicomFolderConfig,
  label: (config) => (config.listing === 'files-sheet' && config.workbook ? config.workbook : config.dir),
  host: () => null,

  async *collect(config, ctx) {
    const drafts =
      config.listing === 'files-sheet' ? await listFilesSheet(config, ctx) : await listFolder(config, ctx);
    assignVisits(uploadable(drafts));
    for (let i = 0; i < drafts.length; i += CHUNK) yield drafts.slice(i, i + CHUNK);
    // Every file is in the ledger now: what a cancelled scan kept is no longer needed.
    if (config.listing === 'folder') ScanCheckpoint.remove(ctx.workDir);
  },

  async fetch(item) {
    const info = await fileCalls.stat(item.path).catch((error: NodeJS.ErrnoException) => {
      throw new CourierError({
        code: error.code === 'ENOENT' ? 'missing-file' : 'file-unreadable',
        message:
          error.code === 'ENOENT'
            ? `${item.path} is no longer there (it was listed by the scan); put it back or skip it.`
            : `Cannot read ${item.path}: ${error.message}`,
        retryable: error.code === 'EBUSY' || error.code === 'EMFILE',
      });
    });
    if (!info.isFile()) {
      throw new CourierError({ code: 'not-a-file', message: `${item.path} is no longer a regular file.` });
    }
    return { path: item.path, size: info.size };
  },
};

/** The metas of files that are (or could be, by the Upload flag) sent: pending drafts. */
function* uploadable(drafts: ItemDraft[]): Generator<DicomItemMeta> {
  for (const draft of drafts) {
    if ((draft.status ?? 'pending') === 'pending' && draft.meta) yield draft.meta as unknown as DicomItemMeta;
  }
}
