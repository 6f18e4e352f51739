import { BULK_ACTIONS } from '../../../shared/commands/console';
import type { ItemFilter } from '../../../shared/domain';
import type { OperatorAction } from '../../../shared/status';
import { useApi } from '../api';
import { ActionBar, describeResult } from './ActionBar';
import { selectionSize } from './selection';
import type { Selection } from './selection';
import './console.css';

/** Decisions for the selected files of the table, or for every file matching the filter. */
export function BulkBar({
  batchId,
  selection,
  matching,
  filter,
  onSelectAllMatching,
  onClear,
  onDone,
}: {
  batchId: number;
  selection: Selection;
  /** Files matching the filter. */
  matching: number;
  filter: ItemFilter;
  onSelectAllMatching(): void;
  onClear(): void;
  /** Called with a sentence on the result; the selection is then cleared by the page. */
  onDone(message: string): void;
}) {
  const api = useApi();
  const size = selectionSize(selection, matching);
  if (size === 0) return null;
  const subject =
    selection.kind === 'matching'
      ? `all ${matching.toLocaleString()} matching files`
      : `${size.toLocaleString()} selected file${size === 1 ? '' : 's'}`;
  const run = async (action: OperatorAction, note?: string): Promise<string> => {
    if (selection.kind === 'matching') {
      const r = await api.call('items.decideMatching', {
        batchId,
        filter,
        action: action as (typeof BULK_ACTIONS)[number],
        ...(note ? { note } : {}),
      });
      const message = describeResult(r.applied, r.notAllowed);
      onDone(message);
      return message;
    }
    const r = await api.call('items.decide', {
      batchId,
      itemIds: [...selection.ids],
      action,
      ...(note ? { note } : {}),
    });
    const message = describeResult(r.applied, r.refused.length, r.refused[0]?.reason);
    onDone(message);
    return message;
  };
  return (
    <div className="bulk-bar" role="region" aria-label="Selected files">
      <div className="bulk-count">
        <strong>{size.toLocaleString()}</strong> {size === 1 ? 'file' : 'files'} selected
        {selection.kind === 'matching' && <span className="muted"> (every file matching the filter)</span>}
      </div>
      {selection.kind === 'ids' && matching > size && (
        <button type="button" className="button small" onClick={onSelectAllMatching}>
          Select all {matching.toLocaleString()} matching the filter
        </button>
      )}
      <button type="button" className="button small" onClick={onClear}>
        Clear selection
      </button>
      <ActionBar subject={subject} actions={BULK_ACTIONS} onRun={run} />
    </div>
  );
}
