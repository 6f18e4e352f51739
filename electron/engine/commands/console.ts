import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname, isAbsolute } from 'node:path';
import { PREVIEW_MAX_BYTES } from '../../../shared/commands/console';
import type { DicomElement, ItemPreview, consoleCommands } from '../../../shared/commands/console';
import { CourierError } from '../../../shared/errors';
import { beginBatchDeletion, finishBatchDeletion, unfinishedDeletions } from '../ledger/batchDeletion';
import { decideMatching } from '../ledger/bulkDecisions';
import { toItemRow } from '../ledger/rows';
import type { ItemRecord } from '../ledger/rows';
import { DicomHeaderReader, DICOM_KEYWORDS } from '../sources/folder/dicomHeader';
import type { DicomKeyword } from '../sources/folder/dicomHeader';
import type { CommandContext, HandlersFor } from './context';

const HEADER_KEYWORDS = (Object.keys(DICOM_KEYWORDS) as DicomKeyword[]).filter(
  (k) => k !== 'EncapsulatedDocument',
);
const DICOM_EXTENSIONS = new Set(['.dcm', '.dicom', '.ima', '.dic']);

export function consoleHandlers(ctx: CommandContext): HandlersFor<typeof consoleCommands> {
  const deleting = new Set<number>();
  const finishDeletion = (batchId: number) => {
    deleting.add(batchId);
    void finishBatchDeletion(ctx.ledger, batchId, { now: () => ctx.clock.now() })
      .catch(() => undefined)
      .finally(() => {
        deleting.delete(batchId);
        ctx.emit('batches.changed', { reason: 'deleted' });
      });
  };
  // A deletion the app stopped in the middle of is finished on the next start.
  const unfinished = ctx.runner ? unfinishedDeletions(ctx.ledger) : [];
  if (unfinished.length > 0) {
    setImmediate(() => {
      // The engine may have been closed in the meantime; then the next start finishes the deletion.
      if (ctx.ledger.db.open) unfinished.forEach(finishDeletion);
    });
  }

  let headerReader: DicomHeaderReader | undefined;
  return {
    'items.preview': ({ itemId }) => {
      const record = ctx.ledger.item(itemId);
      if (!record)
        throw new CourierError({
          code: 'item-not-found',
          message: `There is no item ${itemId} in this ledger.`,
        });
      headerReader ??= new DicomHeaderReader({ keywords: HEADER_KEYWORDS });
      return previewOf(record, headerReader);
    },
    'items.decideMatching': async (args) => {
      ctx.ledger.batches.require(args.batchId);
      const result = await decideMatching(
        ctx.ledger,
        { ...args, actor: 'operator' },
        { now: () => ctx.clock.now() },
      );
      if (result.applied > 0 && ctx.runner) {
        const batch = ctx.ledger.batches.require(args.batchId);
        if (ctx.runner.isActive(batch.id)) ctx.runner.wake(batch.id);
        else if (batch.state === 'finished') ctx.startInBackground(batch.id);
      }
      return result;
    },
    'attention.items': ({ batchId, reason, offset, limit }) => {
      const params = { batchId, reason, offset, limit };
      const rows = ctx.ledger.db
        .prepare(
          `SELECT * FROM items WHERE batch_id = @batchId AND status = 'attention'
           AND (reason = @reason OR (@reason = 'unknown' AND reason IS NULL)) ORDER BY seq LIMIT @limit OFFSET @offset`,
        )
        .all(params) as ItemRecord[];
      const total = ctx.ledger.db
        .prepare(
          `SELECT count(*) FROM items WHERE batch_id = @batchId AND status = 'attention'
           AND (reason = @reason OR (@reason = 'unknown' AND reason IS NULL))`,
        )
        .pluck()
        .get({ batchId, reason }) as number;
      return { rows: rows.map(toItemRow), total };
    },
    'batches.delete': ({ batchId }) => {
      const runner = ctx.requireRunner();
      const batch = ctx.ledger.batches.require(batchId);
      if (deleting.has(batchId)) return { deleted: true, items: 0 };
      if (batch.state === 'running' || runner.isActive(batchId)) {
        throw new CourierError({
          code: 'batch-running',
          message: `The batch '${batch.name}' is running; pause or cancel it before deleting it.`,
        });
      }
      const items = beginBatchDeletion(ctx.ledger, batchId, ctx.clock.now());
      ctx.emit('batches.changed', { reason: 'deleted' });
      finishDeletion(batchId);
      return { deleted: true, items };
    },
  };
}

/** The local files an item stands for: its source path, or where a folder target wrote it. */
function localCandidates(record: ItemRecord): string[] {
  const meta = JSON.parse(record.meta) as Record<string, unknown>;
  const fromMeta = ['localPath', 'file', 'path'].map((k) => meta[k]).filter((v) => typeof v === 'string');
  return [record.path, record.target, ...fromMeta].filter(
    (p): p is string => typeof p === 'string' && p !== '' && !/^[a-z]+:\/\//i.test(p) && isAbsolute(p),
  );
}

function previewOf(record: ItemRecord, reader: DicomHeaderReader): ItemPreview {
  const candidates = localCandidates(record);
  const path = candidates.find((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (!path) {
    return {
      kind: 'none',
      reason:
        candidates.length === 0
          ? 'This file is not on this computer, so there is nothing to preview.'
          : `The file ${candidates[0]} is not there any more (moved or deleted), so there is nothing to preview.`,
    };
  }
  const head = Buffer.alloc(132);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const mime =
    n >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
      ? 'image/png'
      : n >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff
        ? 'image/jpeg'
        : null;
  if (mime) {
    const size = statSync(path).size;
    if (size > PREVIEW_MAX_BYTES) {
      return {
        kind: 'none',
        reason: `${path} is ${(size / 1024 / 1024).toFixed(1)} MB, larger than the ${PREVIEW_MAX_BYTES / 1024 / 1024} MB a preview shows.`,
      };
    }
    return {
      kind: 'image',
      mime,
      path,
      dataUrl: `data:${mime};base64,${readFileSync(path).toString('base64')}`,
    };
  }
  const looksDicom =
    (n >= 132 && head.toString('latin1', 128, 132) === 'DICM') ||
    DICOM_EXTENSIONS.has(extname(path).toLowerCase());
  if (!looksDicom)
    return { kind: 'none', reason: `${path} is not a JPEG, PNG or DICOM file; there is no preview for it.` };
  try {
    const header = reader.readSync(path);
    const elements: DicomElement[] = HEADER_KEYWORDS.filter((k) => header.fields[k] !== undefined).map(
      (k) => {
        const [tag, vr] = DICOM_KEYWORDS[k];
        return {
          tag: `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase(),
          keyword: k,
          vr,
          value: header.fields[k]!,
        };
      },
    );
    return { kind: 'dicom', path, transferSyntaxUid: header.transferSyntaxUid, elements };
  } catch (err) {
    return { kind: 'none', reason: err instanceof Error ? err.message : String(err) };
  }
}
