import { ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus, StatusCounts } from '../../../shared/status';
import { STATUS_LABEL } from './StatusBadge';

/** Filter chips, one per status with its count; none selected means every status. */
export function StatusChips({
  counts,
  selected,
  onChange,
}: {
  counts: StatusCounts;
  selected: ItemStatus[];
  onChange(next: ItemStatus[]): void;
}) {
  const total = ITEM_STATUSES.reduce((n, s) => n + counts[s], 0);
  const toggle = (s: ItemStatus) =>
    onChange(selected.includes(s) ? selected.filter((x) => x !== s) : [...selected, s]);
  return (
    <div className="chips" role="group" aria-label="Filter by status">
      <button
        type="button"
        className="chip"
        aria-pressed={selected.length === 0}
        onClick={() => onChange([])}
      >
        All <span className="chip-count">{total.toLocaleString()}</span>
      </button>
      {ITEM_STATUSES.filter((s) => counts[s] > 0 || selected.includes(s)).map((s) => (
        <button
          key={s}
          type="button"
          className={`chip chip-${s}`}
          aria-pressed={selected.includes(s)}
          onClick={() => toggle(s)}
        >
          {STATUS_LABEL[s]} <span className="chip-count">{counts[s].toLocaleString()}</span>
        </button>
      ))}
    </div>
  );
}
