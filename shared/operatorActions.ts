import type { ItemStatus, OperatorAction } from './status';

/** Which statuses each decision may be taken from. Adapter-specific ones also need the item to offer them. */
const FROM: Record<OperatorAction, readonly ItemStatus[]> = {
  retry: ['failed', 'attention', 'interrupted', 'skipped', 'duplicate', 'unmatched'],
  skip: ['pending', 'failed', 'attention', 'interrupted', 'duplicate', 'unmatched'],
  'mark-done': ['failed', 'attention', 'interrupted'],
  rename: ['pending', 'failed', 'attention', 'interrupted', 'duplicate'],
  approve: ['attention', 'duplicate'],
  convert: ['attention'],
  'open-in-browser': [
    'pending',
    'running',
    'done',
    'failed',
    'attention',
    'skipped',
    'duplicate',
    'interrupted',
  ],
};

/** Decisions that only make sense where the source or target offered them for this item. */
const OFFERED_ONLY: ReadonlySet<OperatorAction> = new Set(['approve', 'convert', 'open-in-browser']);

/** The decisions an operator may take on an item in `status` whose adapters offered `offered`. */
export function allowedActions(status: ItemStatus, offered: readonly OperatorAction[]): OperatorAction[] {
  return (Object.keys(FROM) as OperatorAction[]).filter(
    (action) => FROM[action].includes(status) && (!OFFERED_ONLY.has(action) || offered.includes(action)),
  );
}

/** The status a decision moves an item to, or null when it does not change the status. */
export function statusAfter(action: OperatorAction): ItemStatus | null {
  switch (action) {
    case 'retry':
    case 'rename':
    case 'approve':
    case 'convert':
      return 'pending';
    case 'skip':
      return 'skipped';
    case 'mark-done':
      return 'done';
    case 'open-in-browser':
      return null;
  }
}
