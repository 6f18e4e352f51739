/** Every state an item can be in. The order is the order the UI lists them in. */
export const ITEM_STATUSES = [
  'pending',
  'running',
  'done',
  'failed',
  'attention',
  'skipped',
  'duplicate',
  'unmatched',
  'interrupted',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Statuses in which an item needs nothing more: the batch can be finished with them. */
export const SETTLED_STATUSES: readonly ItemStatus[] = ['done', 'skipped', 'duplicate', 'unmatched'];

/** Statuses the runner picks up when a batch starts or resumes. */
export const RUNNABLE_STATUSES: readonly ItemStatus[] = ['pending', 'interrupted'];

export const BATCH_STATES = ['idle', 'running', 'paused', 'cancelled', 'finished'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** Decisions an operator can take on an item. */
export const OPERATOR_ACTIONS = [
  'retry',
  'skip',
  'approve',
  'rename',
  'mark-done',
  'convert',
  'open-in-browser',
] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

export type StatusCounts = Record<ItemStatus, number>;

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as StatusCounts;
}
