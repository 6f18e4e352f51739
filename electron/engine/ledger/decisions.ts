import type { Database, Statement } from 'better-sqlite3';
import { allowedActions, statusAfter } from '../../../shared/operatorActions';
import type { OperatorAction } from '../../../shared/status';
import { offeredActions } from './rows';
import type { CountMoves } from './statusCounts';
import type { ItemRecord } from './rows';

export interface DecisionRequest {
  batchId: number;
  itemIds: number[];
  action: OperatorAction;
  note?: string;
  newName?: string;
  actor: string;
}

export const DESCRIBE: Record<OperatorAction, string> = {
  retry: 'Operator asked for a retry',
  skip: 'Operator skipped the file',
  approve: 'Operator approved the file',
  rename: 'Operator renamed the file',
  'mark-done': 'Operator marked the file done',
  convert: 'Operator asked for a conversion',
  'open-in-browser': 'Operator opened the page in the browser',
};

/**
 * Applies one decision to one item inside the caller's transaction. Returns why it was refused, or
 * null when it was applied and recorded (a decisions row and an event).
 */
export function applyDecision(
  db: Database,
  eventStmt: Statement,
  record: ItemRecord | undefined,
  request: DecisionRequest,
  now: number,
  moves: CountMoves,
): string | null {
  if (!record || record.batch_id !== request.batchId) return 'not in this batch';
  const allowed = allowedActions(record.status, offeredActions(record));
  if (!allowed.includes(request.action))
    return `'${request.action}' is not possible for a ${record.status} item`;

  const next = statusAfter(request.action);
  const meta: Record<string, unknown> = {};
  if (request.action === 'approve') meta.approved = { at: now, by: request.actor, reason: record.reason };
  if (request.action === 'convert') meta.convert = true;
  if (next !== null) {
    const resetAttempts = next === 'pending';
    db.prepare(
      `UPDATE items SET status = @status, name = coalesce(@name, name),
        attempts = CASE WHEN @reset THEN 0 ELSE attempts END, next_attempt_at = NULL,
        reason = CASE WHEN @status = 'pending' THEN NULL ELSE @reason END,
        message = CASE WHEN @status = 'pending' THEN NULL ELSE @message END,
        meta = json_patch(meta, @meta), updated_at = @now WHERE id = @id`,
    ).run({
      status: next,
      name: request.newName ?? null,
      reset: resetAttempts ? 1 : 0,
      reason: `operator-${request.action}`,
      message: request.note ?? DESCRIBE[request.action],
      meta: JSON.stringify(meta),
      now,
      id: record.id,
    });
    moves.move(record.batch_id, record.status, next);
  }
  db.prepare(
    `INSERT INTO decisions(batch_id, item_id, action, note, new_name, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    request.batchId,
    record.id,
    request.action,
    request.note ?? null,
    request.newName ?? null,
    request.actor,
    now,
  );
  const message = [
    DESCRIBE[request.action],
    request.newName ? `as '${request.newName}'` : '',
    request.note ? `— ${request.note}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  eventStmt.run(
    request.batchId,
    record.id,
    now,
    'decision',
    next,
    request.action,
    message,
    JSON.stringify({
      actor: request.actor,
      from: record.status,
      note: request.note ?? null,
      newName: request.newName ?? null,
    }),
  );
  return null;
}
