import { CourierError } from '../../../../shared/errors';
import type { BatchRecord, Ledger } from '../../ledger/ledger';
import { xnatTargetConfig } from './targetConfig';
import type { XnatTargetConfig } from './targetConfig';

/** The newest DICOM-folder → XNAT batch made from this workbook, if any. */
export function batchForWorkbook(ledger: Ledger, workbook: string): BatchRecord | undefined {
  return ledger.batches
    .list()
    .find(
      (b) =>
        b.sourceKind === 'dicom-folder' && b.targetKind === 'xnat' && b.sourceConfig.workbook === workbook,
    );
}

/** Refuses batches that are not a DICOM folder going to XNAT. */
export function requireUploadBatch(batch: BatchRecord): void {
  if (batch.sourceKind !== 'dicom-folder' || batch.targetKind !== 'xnat') {
    throw new CourierError({
      code: 'wrong-batch-kind',
      message: `Batch '${batch.name}' is ${batch.sourceKind} → ${batch.targetKind}, not a scanned DICOM folder going to XNAT.`,
    });
  }
}

/**
 * The target settings for this upload: command-line values first, then the workbook's XNAT section,
 * then what the batch had. A server and a project are required.
 */
export function uploadTarget(
  batch: BatchRecord,
  choices: {
    server?: string;
    project?: string;
    overwrite: boolean;
    afterUpload?: XnatTargetConfig['afterUpload'];
    workbookServer?: string;
    workbookProject?: string;
  },
): XnatTargetConfig {
  const stored = xnatTargetConfig.parse(batch.targetConfig);
  const parsed = xnatTargetConfig.safeParse({
    ...stored,
    server: choices.server ?? choices.workbookServer ?? stored.server,
    project: choices.project ?? choices.workbookProject ?? stored.project,
    overwrite: choices.overwrite,
    afterUpload: choices.afterUpload ?? stored.afterUpload,
  });
  if (!parsed.success) {
    throw new CourierError({
      code: 'bad-config',
      message: parsed.error.issues.map((i) => `${i.path.join('.') || 'target'}: ${i.message}`).join('; '),
    });
  }
  const target = parsed.data;
  if (!target.server) {
    throw new CourierError({
      code: 'xnat-config',
      message: "No XNAT server: give --server, or set Server in the workbook's XNAT section.",
    });
  }
  if (!target.project) {
    throw new CourierError({
      code: 'xnat-config',
      message: "No XNAT project: give --project, or set Project in the workbook's XNAT section.",
    });
  }
  return target;
}

/**
 * Stores this run's target settings and concurrency in the batch. A batch that has already sent files
 * keeps its server and project: sending the rest elsewhere would split one job over two archives.
 */
export function storeUploadSettings(
  ledger: Ledger,
  batch: BatchRecord,
  target: XnatTargetConfig,
  concurrency: number | undefined,
): void {
  const stored = xnatTargetConfig.parse(batch.targetConfig);
  const sent = ledger.counts(batch.id).done;
  const moved =
    (stored.server && stored.server !== target.server) ||
    (stored.project && stored.project !== target.project);
  if (sent > 0 && moved) {
    throw new CourierError({
      code: 'batch-target-changed',
      message:
        `Batch '${batch.name}' has already sent ${sent} file(s) to ${stored.server} project ${stored.project}; ` +
        `to send to ${target.server} project ${target.project}, scan again into a new batch (courier scan --batch NAME).`,
    });
  }
  const settings = { ...batch.settings, ...(concurrency ? { concurrency } : {}) };
  ledger.batches.updateTarget(batch.id, target, settings);
}

/** Queues the files that failed for good on an earlier run again (interrupted ones are picked up anyway). */
export function queueFailedAgain(ledger: Ledger, batchId: number, actor: string): number {
  const ids = ledger.db
    .prepare(`SELECT id FROM items WHERE batch_id = ? AND status = 'failed'`)
    .pluck()
    .all(batchId) as number[];
  if (ids.length === 0) return 0;
  return ledger.decide({ batchId, itemIds: ids, action: 'retry', note: 'upload run again', actor }).applied;
}
