import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';
import {
  columnResizingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { elementScroll, observeElementOffset, useVirtualizer } from '@tanstack/react-virtual';
import type { ItemRow, SortColumn } from '../../../shared/domain';
import type { OperatorAction } from '../../../shared/status';
import { formatBytes, formatTime } from '../format';
import type { ItemQuery } from '../useItemWindows';
import { useItemWindows } from '../useItemWindows';
import { ColumnChooser } from './ColumnChooser';
import { isSelected, withIds } from './selection';
import type { Selection } from './selection';
import { StatusBadge } from './StatusBadge';
import { loadTableSettings, saveTableSettings } from './tableSettings';
import './console.css';

const ROW_HEIGHT = 32;
const estimateSize = () => ROW_HEIGHT;
/** Above this the scroll area is compressed: browsers cap an element's height (~33.5M px in Chromium). */
const MAX_SCROLL_PX = 8_000_000;

const features = tableFeatures({ columnSizingFeature, columnResizingFeature, columnVisibilityFeature });
const helper = createColumnHelper<typeof features, ItemRow>();

interface ColumnMeta {
  sort?: SortColumn;
  align?: 'end';
  /** Columns the chooser cannot hide. */
  fixed?: boolean;
}

export interface FilesTableProps {
  query: ItemQuery;
  onSortChange(sort: ItemQuery['sort']): void;
  onGroup(group: string): void;
  onDecide(item: ItemRow, action: OperatorAction): void;
  selection: Selection;
  onSelectionChange(selection: Selection): void;
  /** Opens a file's details (click or Enter on a row). */
  onOpen(item: ItemRow): void;
  /** Changes when the table should take the keyboard focus back (the drawer closed). */
  focusRequest?: number;
  /** Called with the number of files matching the filter whenever it is known. */
  onTotal?(total: number | null): void;
}

const QUICK_ACTIONS: OperatorAction[] = ['retry', 'skip'];

const COLUMNS = helper.columns([
  helper.accessor('seq', {
    header: '#',
    size: 104,
    minSize: 84,
    meta: { sort: 'seq', align: 'end', fixed: true } as ColumnMeta,
  }),
  helper.accessor('name', { header: 'Name', size: 380, minSize: 120, meta: { sort: 'name' } as ColumnMeta }),
  helper.accessor('group', {
    header: 'Group',
    size: 120,
    minSize: 60,
    meta: { sort: 'group' } as ColumnMeta,
  }),
  helper.accessor('status', {
    header: 'Status',
    size: 132,
    minSize: 90,
    meta: { sort: 'status' } as ColumnMeta,
  }),
  helper.accessor('message', {
    header: 'Reason',
    size: 260,
    minSize: 80,
    meta: { sort: 'reason' } as ColumnMeta,
  }),
  helper.accessor('path', { header: 'Path', size: 300, minSize: 80, meta: { sort: 'path' } as ColumnMeta }),
  helper.accessor('size', {
    header: 'Size',
    size: 84,
    minSize: 60,
    meta: { sort: 'size', align: 'end' } as ColumnMeta,
  }),
  helper.accessor('attempts', {
    header: 'Tries',
    size: 64,
    minSize: 50,
    meta: { sort: 'attempts', align: 'end' } as ColumnMeta,
  }),
  helper.accessor('updatedAt', {
    header: 'Updated',
    size: 140,
    minSize: 80,
    meta: { sort: 'updatedAt' } as ColumnMeta,
  }),
  helper.display({ id: 'actions', header: 'Actions', size: 136, minSize: 80, meta: {} as ColumnMeta }),
]);

/** Hidden until the operator shows them. */
const HIDDEN_BY_DEFAULT = ['path'];

export function FilesTable({
  query,
  onSortChange,
  onGroup,
  onDecide,
  selection,
  onSelectionChange,
  onOpen,
  focusRequest,
  onTotal,
}: FilesTableProps) {
  const { total, rowAt, ensure, error } = useItemWindows(query);
  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const compress = useRef(1);
  const [, rerender] = useState(0);
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  const anchor = useRef<number | null>(null);
  const [settings, setSettings] = useState(() => {
    const saved = loadTableSettings();
    const known = localStorage.getItem('courier.filesTable.v1') !== null;
    return known ? saved : { ...saved, hidden: HIDDEN_BY_DEFAULT };
  });
  const count = total ?? 0;

  useEffect(() => onTotal?.(total), [total, onTotal]);
  useEffect(() => saveTableSettings(settings), [settings]);
  useEffect(() => {
    if (focusRequest) gridRef.current?.focus();
  }, [focusRequest]);
  // A new filter or sort starts at the top with nothing focused.
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    setFocusIndex(null);
    anchor.current = null;
  }, [queryKey]);

  const virtualHeight = count * ROW_HEIGHT;
  const viewport = scrollRef.current?.clientHeight ?? 600;
  const realHeight = Math.min(virtualHeight, MAX_SCROLL_PX);
  compress.current =
    virtualHeight > MAX_SCROLL_PX ? (virtualHeight - viewport) / Math.max(1, realHeight - viewport) : 1;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    // Stable functions only: a new estimateSize or getItemKey each render makes the virtualizer measure
    // every one of a million rows again. Rows are keyed by position (all rows have one height).
    estimateSize,
    overscan: 12,
    observeElementOffset: (instance, cb) =>
      observeElementOffset(instance, (offset, scrolling) => cb(offset * compress.current, scrolling)),
    scrollToFn: (offset, options, instance) => elementScroll(offset / compress.current, options, instance),
    onChange: () => rerender((n) => n + 1),
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (count > 0) ensure(first, last);
  }, [first, last, count, ensure]);

  const columnVisibility = useMemo(
    () => Object.fromEntries(settings.hidden.map((id) => [id, false])),
    [settings.hidden],
  );
  const table = useTable({
    features,
    columns: COLUMNS,
    data: [] as ItemRow[],
    getRowId: (r: ItemRow) => String(r.id),
    columnResizeMode: 'onChange',
    state: { columnSizing: settings.sizes, columnVisibility },
    onColumnSizingChange: (updater) =>
      setSettings((s) => ({ ...s, sizes: typeof updater === 'function' ? updater(s.sizes) : updater })),
    onColumnVisibilityChange: (updater) =>
      setSettings((s) => {
        const before = Object.fromEntries(s.hidden.map((id) => [id, false]));
        const next = typeof updater === 'function' ? updater(before) : updater;
        return { ...s, hidden: Object.keys(next).filter((id) => next[id] === false) };
      }),
  });
  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  // A last flexible track takes the room the columns leave, so rows stay full width.
  const template = `${headers.map((h) => `${h.getSize()}px`).join(' ')} minmax(0, 1fr)`;
  const minWidth = headers.reduce((sum, h) => sum + h.getSize(), 0);

  const loadedIdsBetween = (a: number, b: number): number[] => {
    const ids: number[] = [];
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
      const r = rowAt(i);
      if (r) ids.push(r.id);
    }
    return ids;
  };

  const toggle = (index: number, row: ItemRow, range: boolean) => {
    if (range && anchor.current !== null) {
      onSelectionChange(withIds(selection, loadedIdsBetween(anchor.current, index), true));
    } else {
      onSelectionChange(withIds(selection, [row.id], !isSelected(selection, row.id)));
      anchor.current = index;
    }
  };

  const allMatching = selection.kind === 'matching';
  const someSelected = selection.kind === 'ids' && selection.ids.size > 0;

  const cell = (row: ItemRow, id: string, index: number): ReactNode => {
    switch (id) {
      case 'seq':
        return (
          <span className="seq-cell">
            <input
              type="checkbox"
              className="row-check"
              checked={isSelected(selection, row.id)}
              aria-label={`Select ${row.name}`}
              tabIndex={-1}
              onClick={(e) => {
                e.stopPropagation();
                toggle(index, row, e.shiftKey);
              }}
              onChange={() => undefined}
            />
            <span>{row.seq.toLocaleString()}</span>
          </span>
        );
      case 'name':
        // A file delivered to a web archive (a wiki page, say) links to where it now is.
        return row.status === 'done' && row.target && /^https?:\/\//i.test(row.target) ? (
          <a href={row.target} target="_blank" rel="noreferrer noopener" title={row.target}>
            {row.name}
          </a>
        ) : (
          <span title={row.path}>{row.name}</span>
        );
      case 'path':
        return <span title={row.path}>{row.path}</span>;
      case 'group':
        return row.group ? (
          <button
            type="button"
            className="link-button"
            onClick={() => onGroup(row.group)}
            aria-label={`Show only group ${row.group}`}
          >
            {row.group}
          </button>
        ) : null;
      case 'status':
        return <StatusBadge status={row.status} />;
      case 'message':
        return <span title={row.message ?? ''}>{row.message ?? row.reason ?? ''}</span>;
      case 'size':
        return formatBytes(row.size);
      case 'attempts':
        return row.attempts || '';
      case 'updatedAt':
        return formatTime(row.updatedAt);
      case 'actions':
        return (
          <span className="row-actions">
            {QUICK_ACTIONS.filter((a) => row.actions.includes(a)).map((a) => (
              <button
                key={a}
                type="button"
                className="button small"
                onClick={() => onDecide(row, a)}
                aria-label={`${a === 'retry' ? 'Retry' : 'Skip'} ${row.name}`}
              >
                {a === 'retry' ? 'Retry' : 'Skip'}
              </button>
            ))}
          </span>
        );
      default:
        return null;
    }
  };

  const moveFocus = (to: number, extend: boolean) => {
    if (count === 0) return;
    const target = Math.max(0, Math.min(count - 1, to));
    if (extend) {
      const from = focusIndex ?? target;
      anchor.current ??= from;
      onSelectionChange(withIds(selection, loadedIdsBetween(from, target), true));
    }
    setFocusIndex(target);
    const el = scrollRef.current;
    if (target === 0 && el) el.scrollTop = 0;
    else if (target === count - 1 && el) el.scrollTop = el.scrollHeight;
    else virtualizer.scrollToIndex(target, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys meant for a control inside the table (a group link, a Retry button) stay with it.
    if (e.target !== gridRef.current && e.target !== scrollRef.current) return;
    const visibleRows = Math.max(1, items.length - 2 * 12);
    const current = focusIndex !== null && focusIndex >= first && focusIndex <= last ? focusIndex : null;
    const base = current ?? focusIndex ?? first;
    const row = focusIndex !== null ? rowAt(focusIndex) : undefined;
    switch (e.key) {
      case 'ArrowDown':
        moveFocus(current === null && focusIndex === null ? first : base + 1, e.shiftKey);
        break;
      case 'ArrowUp':
        moveFocus(base - 1, e.shiftKey);
        break;
      case 'PageDown':
        moveFocus(base + visibleRows, e.shiftKey);
        break;
      case 'PageUp':
        moveFocus(base - visibleRows, e.shiftKey);
        break;
      case 'Home':
        moveFocus(0, e.shiftKey);
        break;
      case 'End':
        moveFocus(count - 1, e.shiftKey);
        break;
      case 'Enter':
        if (row) onOpen(row);
        break;
      case ' ':
        if (row && focusIndex !== null) toggle(focusIndex, row, e.shiftKey);
        break;
      case 'a':
        if (!(e.ctrlKey || e.metaKey)) return;
        onSelectionChange({ kind: 'matching' });
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const onRowClick = (e: MouseEvent<HTMLDivElement>, index: number, row: ItemRow) => {
    if ((e.target as HTMLElement).closest('button, a, input')) return;
    setFocusIndex(index);
    if (e.ctrlKey || e.metaKey || e.shiftKey) {
      toggle(index, row, e.shiftKey);
      return;
    }
    anchor.current = index;
    onOpen(row);
  };

  const offset = virtualizer.scrollOffset ?? 0;
  const scrollTop = scrollRef.current?.scrollTop ?? 0;
  return (
    <div className="files-wrap">
      <div className="files-toolbar">
        <ColumnChooser
          columns={table.getAllLeafColumns().map((c) => ({
            id: c.id,
            label: String(c.columnDef.header),
            visible: c.getIsVisible(),
            fixed: (c.columnDef.meta as ColumnMeta).fixed === true,
          }))}
          onToggle={(id, visible) => table.getColumn(id)?.toggleVisibility(visible)}
          onReset={() => setSettings({ hidden: HIDDEN_BY_DEFAULT, sizes: {} })}
        />
      </div>
      <div
        ref={gridRef}
        className="files-table"
        role="grid"
        aria-label="Files"
        aria-description="Arrow keys move, Enter opens details, Space selects, Shift extends the selection"
        aria-rowcount={count + 1}
        aria-busy={total === null}
        aria-multiselectable="true"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={focusIndex !== null ? `files-row-${focusIndex}` : undefined}
      >
        <div className="files-hscroll">
          <div className="files-inner" style={{ minWidth: `${minWidth}px` }}>
            <div
              className="files-head"
              role="row"
              aria-rowindex={1}
              style={{ gridTemplateColumns: template }}
            >
              {headers.map((h) => {
                const meta = h.column.columnDef.meta as ColumnMeta;
                const sorted = meta.sort && query.sort.column === meta.sort ? query.sort.direction : null;
                const title = String(h.column.columnDef.header);
                return (
                  <div
                    key={h.id}
                    role="columnheader"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                    className={`head-cell ${meta.align === 'end' ? 'cell-end' : ''}`}
                    data-column={h.column.id}
                  >
                    {h.column.id === 'seq' && (
                      <input
                        type="checkbox"
                        className="row-check"
                        checked={allMatching}
                        ref={(el) => {
                          if (el) el.indeterminate = someSelected;
                        }}
                        onChange={() =>
                          onSelectionChange(
                            allMatching || someSelected
                              ? { kind: 'ids', ids: new Set() }
                              : { kind: 'matching' },
                          )
                        }
                        aria-label={
                          allMatching || someSelected
                            ? 'Clear the selection'
                            : `Select all ${count.toLocaleString()} files matching the filter`
                        }
                      />
                    )}
                    {meta.sort ? (
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() =>
                          onSortChange({ column: meta.sort!, direction: sorted === 'asc' ? 'desc' : 'asc' })
                        }
                      >
                        {title}
                        <span aria-hidden="true" className="sort-mark">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                        </span>
                      </button>
                    ) : (
                      title
                    )}
                    <div
                      role="separator"
                      aria-orientation="vertical"
                      aria-label={`Resize column ${title}`}
                      aria-valuenow={Math.round(h.getSize())}
                      aria-valuemin={h.column.columnDef.minSize ?? 40}
                      aria-valuemax={2000}
                      tabIndex={0}
                      className={`col-resizer ${h.column.getIsResizing() ? 'resizing' : ''}`}
                      onMouseDown={h.getResizeHandler()}
                      onTouchStart={h.getResizeHandler()}
                      onDoubleClick={() => h.column.resetSize()}
                      onKeyDown={(e) => {
                        const step = e.key === 'ArrowRight' ? 16 : e.key === 'ArrowLeft' ? -16 : 0;
                        if (!step) return;
                        e.preventDefault();
                        const min = h.column.columnDef.minSize ?? 40;
                        const size = Math.max(min, Math.round(h.getSize()) + step);
                        setSettings((s) => ({ ...s, sizes: { ...s.sizes, [h.column.id]: size } }));
                      }}
                    />
                  </div>
                );
              })}
            </div>
            {error && (
              <div role="alert" className="banner banner-error">
                {error}
              </div>
            )}
            <div
              ref={scrollRef}
              className="files-scroll"
              // Focusable for scripts and a click into the rows; the keys are handled by the grid.
              tabIndex={-1}
              role="rowgroup"
            >
              <div
                style={{
                  height: `${Math.min(virtualizer.getTotalSize(), MAX_SCROLL_PX)}px`,
                  position: 'relative',
                }}
              >
                {items.map((v) => {
                  const row = rowAt(v.index);
                  const top = v.start - offset + scrollTop;
                  const selected = row ? isSelected(selection, row.id) : false;
                  return (
                    <div
                      key={v.key}
                      id={`files-row-${v.index}`}
                      role="row"
                      aria-rowindex={v.index + 2}
                      aria-selected={selected}
                      className={`files-row ${v.index % 2 ? 'odd' : ''} ${selected ? 'selected' : ''} ${
                        focusIndex === v.index ? 'focused' : ''
                      }`}
                      style={{ gridTemplateColumns: template, transform: `translateY(${top}px)` }}
                      onClick={row ? (e) => onRowClick(e, v.index, row) : undefined}
                    >
                      {row ? (
                        headers.map((h) => {
                          const meta = h.column.columnDef.meta as ColumnMeta;
                          return (
                            <div
                              key={h.id}
                              role="gridcell"
                              className={meta.align === 'end' ? 'cell-end' : undefined}
                            >
                              {cell(row, h.column.id, v.index)}
                            </div>
                          );
                        })
                      ) : (
                        <div role="gridcell" className="loading-cell">
                          Loading…
                        </div>
                      )}
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        </div>
        {total === 0 && <div className="empty">No files match this filter.</div>}
      </div>
    </div>
  );
}
