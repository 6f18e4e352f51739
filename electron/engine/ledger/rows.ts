import type { ItemRow } from '../../../shared/domain';
import { allowedActions } from '../../../shared/operatorActions';
import type { ItemStatus, OperatorAction } from '../../../shared/status';

/** An items row as SQLite returns it. */
export interface ItemRecord {
  id: number;
  batch_id: number;
  seq: number;
  key: string;
  path: string;
  name: string;
  group_key: string;
  status: ItemStatus;
  reason: string | null;
  message: string | null;
  actions: string | null;
  attempts: number;
  next_attempt_at: number | null;
  size: number | null;
  sha1: string | null;
  md5: string | null;
  target: string | null;
  meta: string;
  updated_at: number;
}

export const ITEM_ROW_COLUMNS =
  'i.id, i.batch_id, i.seq, i.path, i.name, i.group_key, i.status, i.reason, i.message, i.actions, i.attempts, i.size, i.target, i.updated_at';

export function offeredActions(record: Pick<ItemRecord, 'actions'>): OperatorAction[] {
  return record.actions ? (JSON.parse(record.actions) as OperatorAction[]) : [];
}

export function toItemRow(r: Omit<ItemRecord, 'key' | 'sha1' | 'md5' | 'meta' | 'next_attempt_at'>): ItemRow {
  return {
    id: r.id,
    seq: r.seq,
    batchId: r.batch_id,
    path: r.path,
    name: r.name,
    group: r.group_key,
    status: r.status,
    reason: r.reason,
    message: r.message,
    attempts: r.attempts,
    size: r.size,
    target: r.target,
    updatedAt: r.updated_at,
    actions: allowedActions(r.status, offeredActions(r)),
  };
}
