import { useState } from 'react';
import type { BatchSummary } from '../../../shared/domain';
import { useApi } from '../api';

type Command = 'batches.start' | 'batches.pause' | 'batches.resume' | 'batches.cancel';

/** Start, pause, resume, cancel and delete (cancel and delete ask first). */
export function BatchControls({
  batch,
  onError,
  onDeleted,
  startBlocked = false,
}: {
  batch: BatchSummary;
  /** Start belongs elsewhere for now (a folder scan under way, or the review that follows it). */
  startBlocked?: boolean;
  onError(message: string): void;
  /** After the batch was deleted (the batch page leaves for the list). */
  onDeleted?(): void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const act = (command: Command) => {
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
  const remove = () => {
    const files = `${batch.total.toLocaleString()} file${batch.total === 1 ? '' : 's'}`;
    if (
      !window.confirm(
        `Delete the batch “${batch.name}” and its record of ${files}? Its history and decisions are removed from the ledger. No file on disk or on any server is deleted.`,
      )
    )
      return;
    setBusy(true);
    api.call('batches.delete', { batchId: batch.id }).then(
      () => onDeleted?.(),
      (e: Error) => {
        onError(e.message);
        setBusy(false);
      },
    );
  };
  const buttons: { command: Command; verb: string; text: string; kind: string; when: boolean }[] = [
    {
      command: 'batches.start',
      verb: 'Start',
      text: batch.state === 'idle' ? 'Start' : 'Run again',
      kind: 'primary',
      when:
        !startBlocked &&
        (batch.state === 'idle' || batch.state === 'cancelled' || batch.state === 'finished'),
    },
    { command: 'batches.pause', verb: 'Pause', text: 'Pause', kind: '', when: batch.state === 'running' },
    {
      command: 'batches.resume',
      verb: 'Resume',
      text: 'Resume',
      kind: 'primary',
      when: batch.state === 'paused',
    },
    {
      command: 'batches.cancel',
      verb: 'Cancel',
      text: 'Cancel',
      kind: 'danger',
      when: batch.state === 'running' || batch.state === 'paused',
    },
  ];
  return (
    <div className="controls">
      {buttons
        .filter((b) => b.when)
        .map((b) => (
          <button
            key={b.command}
            type="button"
            className={`button ${b.kind}`.trim()}
            disabled={busy}
            aria-label={`${b.verb} ${batch.name}`}
            onClick={() => act(b.command)}
          >
            {b.text}
          </button>
        ))}
      {batch.state !== 'running' && (
        <button
          type="button"
          className="button danger"
          disabled={busy}
          aria-label={`Delete ${batch.name}`}
          onClick={remove}
        >
          Delete
        </button>
      )}
    </div>
  );
}
