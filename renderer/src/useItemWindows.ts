import { useCallback, useEffect, useRef, useState } from 'react';
import type { ItemFilter, ItemRow, SortColumn } from '../../shared/domain';
import { useApi, useEngineEvent } from './api';

export const PAGE_SIZE = 100;

export interface ItemQuery {
  batchId: number;
  filter: ItemFilter;
  sort: { column: SortColumn; direction: 'asc' | 'desc' };
}

/**
 * Rows of a batch fetched by the page as the table scrolls: only what is visible (plus a margin) is
 * ever asked for. On a change event the visible pages are fetched again and the rest forgotten.
 */
export function useItemWindows(query: ItemQuery): {
  total: number | null;
  rowAt(index: number): ItemRow | undefined;
  ensure(start: number, end: number): void;
  error: string | null;
} {
  const api = useApi();
  const key = JSON.stringify(query);
  const pages = useRef(new Map<number, ItemRow[]>());
  const inFlight = useRef(new Set<number>());
  const visible = useRef<[number, number]>([0, 0]);
  const generation = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const fetchPage = useCallback(
    (page: number) => {
      if (inFlight.current.has(page)) return;
      inFlight.current.add(page);
      const gen = generation.current;
      api
        .call('items.window', { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then(
          (result) => {
            if (gen !== generation.current) return;
            pages.current.set(page, result.rows);
            setTotal(result.total);
            setError(null);
            setTick((t) => t + 1);
          },
          (e: Error) => {
            if (gen === generation.current) setError(e.message);
          },
        )
        .finally(() => {
          if (gen === generation.current) inFlight.current.delete(page);
        });
    },
    // `key` stands for the query's content, so a new query object with the same content keeps the cache.
    [api, key],
  );

  useEffect(() => {
    generation.current++;
    pages.current.clear();
    inFlight.current.clear();
    setTotal(null);
    fetchPage(0);
  }, [fetchPage]);

  const ensure = useCallback(
    (start: number, end: number) => {
      visible.current = [start, end];
      for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(Math.max(start, end) / PAGE_SIZE); p++) {
        if (!pages.current.has(p)) fetchPage(p);
      }
    },
    [fetchPage],
  );

  useEngineEvent('batch.changed', (p) => {
    if (p.batchId !== query.batchId) return;
    const [start, end] = visible.current;
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor(Math.max(start, end) / PAGE_SIZE);
    for (const page of [...pages.current.keys()]) if (page < first || page > last) pages.current.delete(page);
    for (let page = first; page <= last; page++) {
      inFlight.current.delete(page);
      fetchPage(page);
    }
  });

  return {
    total,
    rowAt: (index) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    ensure,
    error,
  };
}
