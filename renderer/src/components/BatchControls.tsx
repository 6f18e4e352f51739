import { useState } from 'react';
import type { BatchSummary } from '../../../shared/domain';
import { useApi } from '../api';

/** Start, pause, resume and cancel (cancel asks first). */
export function BatchControls({ batch, onError }: { batch: BatchSummary; onError(message: string): void }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const act = (command: 'batches.start' | 'batches.pause' | 'batches.resume' | 'batches.cancel') => {
    if (
      command === 'batches.cancel' &&
      !window.confirm(
        `Cancel “${batch.name}”? Files in flight are stopped and marked interrupted; you can start the batch again later.`,
      )
    )
      return;
    setBusy(true);
    api
      .call(command, { batchId: batch.id })
      .catch((e: Error) => onError(e.message))
      .finally(() => setBusy(false));
  };
  const label = (verb: string) => `${verb} ${batch.name}`;
  return (
    <div className="controls">
      {(batch.state === 'idle' || batch.state === 'cancelled' || batch.state === 'finished') && (
        <button
          type="button"
          className="button primary"
          disabled={busy}
          aria-label={label('Start')}
          onClick={() => act('batches.start')}
        >
          {batch.state === 'idle' ? 'Start' : 'Run again'}
        </button>
      )}
      {batch.state === 'running' && (
        <button
          type="button"
          className="button"
          disabled={busy}
          aria-label={label('Pause')}
          onClick={() => act('batches.pause')}
        >
          Pause
        </button>
      )}
      {batch.state === 'paused' && (
        <button
          type="button"
          className="button primary"
          disabled={busy}
          aria-label={label('Resume')}
          onClick={() => act('batches.resume')}
        >
          Resume
        </button>
      )}
      {(batch.state === 'running' || batch.state === 'paused') && (
        <button
          type="button"
          className="button danger"
          disabled={busy}
          aria-label={label('Cancel')}
          onClick={() => act('batches.cancel')}
        >
          Cancel
        </button>
      )}
    </div>
  );
}
