import type { Engine } from '../engine/engine';
import type { ItemStatus } from '../../shared/status';
import { progressOutput } from './progress';

/** Exit status of a finished batch as DESIGN.md defines it: 1 when anything failed or needs attention. */
export function exitStatusFor(counts: Record<ItemStatus, number>): 0 | 1 {
  return counts.failed + counts.attention + counts.interrupted > 0 ? 1 : 0;
}

/**
 * Runs a batch to its end with progress on stderr; Ctrl-C asks once to stop (files in flight become
 * `interrupted`), a second Ctrl-C stops at once. Returns the exit status.
 */
export async function runBatchWithProgress(engine: Engine, batchId: number): Promise<number> {
  const progress = progressOutput(process.stderr);
  const show = () => progress.update(engine.summary(engine.ledger.batches.require(batchId)));
  const off = engine.on((event, payload) => {
    if (event === 'batch.changed' && (payload as { batchId: number }).batchId === batchId) show();
  });
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        '\nStopping: files in flight will be marked interrupted; the next run continues them. Press Ctrl-C again to quit now.\n',
      );
      void engine.runner?.cancel(batchId);
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    show();
    await engine.runToEnd(batchId);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    off();
    show();
    progress.done();
  }
  const summary = engine.summary(engine.ledger.batches.require(batchId));
  const c = summary.counts;
  process.stderr.write(
    `${summary.name}: ${c.done} done, ${c.skipped} skipped, ${c.duplicate} duplicate, ${c.unmatched} unmatched, ${c.failed} failed, ${c.attention} need attention, ${c.interrupted} interrupted\n`,
  );
  return interrupts > 0 ? 1 : exitStatusFor(c);
}
