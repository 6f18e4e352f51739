import { useCallback, useEffect, useState } from 'react';
import type { EventPayloads } from '../../shared/contract';
import type { BatchSummary } from '../../shared/domain';
import { useApi, useEngineEvent } from './api';

/** A batch summary with the figures of a `batch.changed` event applied. */
function withChange(b: BatchSummary, p: EventPayloads['batch.changed']): BatchSummary {
  const { state, counts, total, version, throughput, checking } = p;
  return { ...b, state, counts, total, version, throughput, checking };
}

/** Every batch, kept current from `batch.changed` events (counts patched in place, no reload). */
export function useBatches(): { batches: BatchSummary[] | null; error: string | null } {
  const api = useApi();
  const [batches, setBatches] = useState<BatchSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.call('batches.list', {}).then(setBatches, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(load, [load]);
  useEngineEvent('batches.changed', load);
  useEngineEvent('batch.changed', (p) => {
    setBatches((list) => {
      if (!list) return list;
      if (!list.some((b) => b.id === p.batchId)) {
        load();
        return list;
      }
      return list.map((b) => (b.id === p.batchId ? withChange(b, p) : b));
    });
  });
  return { batches, error };
}

/** One batch, kept current the same way. */
export function useBatch(batchId: number): {
  batch: BatchSummary | null;
  error: string | null;
  reload(): void;
} {
  const api = useApi();
  const [batch, setBatch] = useState<BatchSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.call('batches.get', { batchId }).then(setBatch, (e: Error) => setError(e.message));
  }, [api, batchId]);
  useEffect(reload, [reload]);
  useEngineEvent('batch.changed', (p) => {
    if (p.batchId !== batchId) return;
    setBatch((b) => (b ? withChange(b, p) : b));
    if (p.state !== batch?.state) reload();
  });
  return { batch, error, reload };
}
