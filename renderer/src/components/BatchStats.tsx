import type { ReactNode } from 'react';
import type { BatchSummary } from '../../../shared/domain';
import { formatEta } from '../format';

/** A batch's figures under its progress bar: settled, needing a person, rate and time left. */
export function BatchStats({ batch, children }: { batch: BatchSummary; children?: ReactNode }) {
  const { counts, total, throughput, checking } = batch;
  const settled = counts.done + counts.skipped + counts.duplicate + counts.unmatched;
  const problems = counts.failed + counts.attention;
  return (
    <div className="batch-stats">
      <span>
        <strong>{settled.toLocaleString()}</strong> of {total.toLocaleString()} settled
      </span>
      {problems > 0 && (
        <span className="text-problem">{problems.toLocaleString()} need a decision or retry</span>
      )}
      {checking > 0 && <span>{checking.toLocaleString()} sent, waiting for their check</span>}
      {throughput ? <span>{throughput.toFixed(1)} files/s</span> : null}
      <span className="muted">{formatEta(total - settled - problems, throughput)}</span>
      {children}
    </div>
  );
}
