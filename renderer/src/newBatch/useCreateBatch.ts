import { useState } from 'react';
import type { CommandArgs } from '../../../shared/contract';
import { useApi } from '../api';
import { hrefOf } from '../route';

/** Creates a batch and opens its page; `error` holds the engine's message when it refuses. */
export function useCreateBatch(): {
  create(args: CommandArgs<'batches.create'>): Promise<void>;
  busy: boolean;
  error: string | null;
} {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const create = async (args: CommandArgs<'batches.create'>) => {
    setBusy(true);
    setError(null);
    try {
      const batch = await api.call('batches.create', args);
      location.hash = hrefOf({ page: 'batch', batchId: batch.id });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { create, busy, error };
}
