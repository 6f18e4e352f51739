import type { BatchState, ItemStatus } from '../../../shared/status';

export const STATUS_LABEL: Record<ItemStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  attention: 'Needs attention',
  skipped: 'Skipped',
  duplicate: 'Duplicate',
  unmatched: 'Unmatched',
  interrupted: 'Interrupted',
};

export const STATE_LABEL: Record<BatchState, string> = {
  idle: 'Not started',
  running: 'Running',
  paused: 'Paused',
  cancelled: 'Cancelled',
  finished: 'Finished',
};

export function StatusBadge({ status }: { status: ItemStatus }) {
  return <span className={`badge status-${status}`}>{STATUS_LABEL[status]}</span>;
}

export function StateBadge({ state }: { state: BatchState }) {
  return <span className={`badge state-${state}`}>{STATE_LABEL[state]}</span>;
}
