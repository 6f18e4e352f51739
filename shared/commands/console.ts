/**
 * The operator console: a file's preview, decisions over every file matching a filter, the files of an
 * attention group, and deleting a batch from the ledger.
 */
import { z } from 'zod';
import type { ItemRow } from '../domain';
import { ITEM_STATUSES } from '../status';

const batchId = z.number().int().positive();
const itemId = z.number().int().positive();

/** The files table's filter, plus the attention queue's reason. */
export const matchingFilter = z
  .object({
    statuses: z.array(z.enum(ITEM_STATUSES)).max(ITEM_STATUSES.length).optional(),
    group: z.string().max(1000).optional(),
    text: z.string().max(500).optional(),
    reason: z.string().max(200).optional(),
  })
  .strict();
export type MatchingFilter = z.infer<typeof matchingFilter>;

/** Decisions that may be taken over every file matching a filter (rename needs one name per file). */
export const BULK_ACTIONS = ['retry', 'skip', 'approve', 'mark-done', 'convert'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Most bytes of an image sent for a preview. */
export const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;

export interface DicomElement {
  tag: string;
  keyword: string;
  vr: string;
  value: string;
}

export type ItemPreview =
  | { kind: 'image'; mime: 'image/png' | 'image/jpeg'; dataUrl: string; path: string }
  | { kind: 'dicom'; path: string; transferSyntaxUid: string; elements: DicomElement[] }
  | { kind: 'none'; reason: string };

export const consoleCommands = {
  'items.preview': z.object({ itemId }).strict(),
  'items.decideMatching': z
    .object({
      batchId,
      filter: matchingFilter.default({}),
      action: z.enum(BULK_ACTIONS),
      note: z.string().max(2000).optional(),
    })
    .strict(),
  'attention.items': z
    .object({
      batchId,
      reason: z.string().max(200),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict(),
  'batches.delete': z.object({ batchId }).strict(),
} as const satisfies Record<string, z.ZodType>;

export interface ConsoleResults {
  'items.preview': ItemPreview;
  /** `applied`: files decided; `notAllowed`: files that matched but where the decision is not possible. */
  'items.decideMatching': { matched: number; applied: number; notAllowed: number };
  'attention.items': { rows: ItemRow[]; total: number };
  'batches.delete': { deleted: boolean; items: number };
}
