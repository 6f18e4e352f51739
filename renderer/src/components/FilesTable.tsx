import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import { elementScroll, observeElementOffset, useVirtualizer } from '@tanstack/react-virtual';
import type { ItemRow, SortColumn } from '../../../shared/domain';
import type { OperatorAction } from '../../../shared/status';
import { formatBytes, formatTime } from '../format';
import type { ItemQuery } from '../useItemWindows';
import { useItemWindows } from '../useItemWindows';
import { StatusBadge } from './StatusBadge';

const ROW_HEIGHT = 32;
/** Above this the scroll area is compressed: browsers cap an element's height (~33.5M px in Chromium). */
const MAX_SCROLL_PX = 8_000_000;

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, ItemRow>();

interface ColumnMeta {
  sort?: SortColumn;
  width: string;
  align?: 'end';
}

export interface FilesTableProps {
  query: ItemQuery;
  onSortChange(sort: ItemQuery['sort']): void;
  onGroup(group: string): void;
  onDecide(item: ItemRow, action: OperatorAction): void;
}

const QUICK_ACTIONS: OperatorAction[] = ['retry', 'skip'];

export function FilesTable({ query, onSortChange, onGroup, onDecide }: FilesTableProps) {
  const { total, rowAt, ensure, error } = useItemWindows(query);
  const scrollRef = useRef<HTMLDivElement>(null);
  const compress = useRef(1);
  const [, rerender] = useState(0);
  const count = total ?? 0;

  const virtualHeight = count * ROW_HEIGHT;
  const viewport = scrollRef.current?.clientHeight ?? 600;
  const realHeight = Math.min(virtualHeight, MAX_SCROLL_PX);
  compress.current =
    virtualHeight > MAX_SCROLL_PX ? (virtualHeight - viewport) / Math.max(1, realHeight - viewport) : 1;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => rowAt(index)?.id ?? `pending-${index}`,
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

  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor('seq', {
          header: '#',
          meta: { sort: 'seq', width: '84px', align: 'end' } as ColumnMeta,
        }),
        helper.accessor('name', {
          header: 'Name',
          meta: { sort: 'name', width: 'minmax(220px, 5fr)' } as ColumnMeta,
        }),
        helper.accessor('group', {
          header: 'Group',
          meta: { sort: 'group', width: 'minmax(90px, 1fr)' } as ColumnMeta,
        }),
        helper.accessor('status', {
          header: 'Status',
          meta: { sort: 'status', width: '128px' } as ColumnMeta,
        }),
        helper.accessor('message', {
          header: 'Reason',
          meta: { sort: 'reason', width: 'minmax(120px, 2fr)' } as ColumnMeta,
        }),
        helper.accessor('size', {
          header: 'Size',
          meta: { sort: 'size', width: '76px', align: 'end' } as ColumnMeta,
        }),
        helper.accessor('attempts', {
          header: 'Tries',
          meta: { sort: 'attempts', width: '52px', align: 'end' } as ColumnMeta,
        }),
        helper.accessor('updatedAt', {
          header: 'Updated',
          meta: { sort: 'updatedAt', width: '136px' } as ColumnMeta,
        }),
        helper.display({ id: 'actions', header: 'Actions', meta: { width: '132px' } as ColumnMeta }),
      ]),
    [],
  );
  const rows = items.map((v) => rowAt(v.index));
  const loaded = useMemo(() => rows.filter((r): r is ItemRow => r !== undefined), [rows]);
  const table = useTable({ features, columns, data: loaded, getRowId: (r) => String(r.id) });
  const template = columns.map((c) => (c.meta as ColumnMeta).width).join(' ');

  const cell = (row: ItemRow, id: string): ReactNode => {
    switch (id) {
      case 'seq':
        return row.seq.toLocaleString();
      case 'name':
        return <span title={row.path}>{row.name}</span>;
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

  // Keys move the real scroll position (the virtualizer maps it to rows), so they work alike whether
  // the scroll area is compressed or not.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const el = scrollRef.current;
    if (!el) return;
    const row = ROW_HEIGHT / compress.current;
    const page = Math.max(row, el.clientHeight - ROW_HEIGHT / compress.current);
    const moves: Record<string, number> = { ArrowDown: row, ArrowUp: -row, PageDown: page, PageUp: -page };
    if (e.key === 'Home') el.scrollTop = 0;
    else if (e.key === 'End') el.scrollTop = el.scrollHeight;
    else if (moves[e.key] !== undefined) el.scrollTop += moves[e.key]!;
    else return;
    e.preventDefault();
  };

  const offset = virtualizer.scrollOffset ?? 0;
  const scrollTop = scrollRef.current?.scrollTop ?? 0;
  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  return (
    <div
      className="files-table"
      role="grid"
      aria-label="Files"
      aria-rowcount={count + 1}
      aria-busy={total === null}
    >
      <div className="files-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
        {headers.map((h) => {
          const meta = h.column.columnDef.meta as ColumnMeta;
          const sorted = meta.sort && query.sort.column === meta.sort ? query.sort.direction : null;
          const title = String(h.column.columnDef.header);
          return (
            <div
              key={h.id}
              role="columnheader"
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
              className={meta.align === 'end' ? 'cell-end' : undefined}
            >
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
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="File rows, scroll with arrow keys, Page Up, Page Down, Home and End"
      >
        <div
          style={{ height: `${Math.min(virtualizer.getTotalSize(), MAX_SCROLL_PX)}px`, position: 'relative' }}
        >
          {items.map((v) => {
            const row = rowAt(v.index);
            const top = v.start - offset + scrollTop;
            return (
              <div
                key={v.key}
                role="row"
                aria-rowindex={v.index + 2}
                className={`files-row ${v.index % 2 ? 'odd' : ''}`}
                style={{ gridTemplateColumns: template, transform: `translateY(${top}px)` }}
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
                        {cell(row, h.column.id)}
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
      {total === 0 && <div className="empty">No files match this filter.</div>}
    </div>
  );
}
