import { createInterface } from 'node:readline';
import type { Engine } from '../engine/engine';
import type { ItemStatus } from '../../shared/status';
import { progressOutput } from './progress';

/** Exit status of a finished batch as DESIGN.md defines it: 1 when anything failed or needs attention. */
export function exitStatusFor(counts: Record<ItemStatus, number>): 0 | 1 {
  return counts.failed + counts.attention + counts.interrupted > 0 ? 1 : 0;
}

export interface InterruptActions {
  /** A person is at a terminal to answer the question. */
  interactive: boolean;
  /** The question for the first Ctrl-C, ending in `[y/N]`. */
  question: string;
  /** Asks `question` and resolves with the answer; `signal` aborts it (a second Ctrl-C came). */
  ask(question: string, signal: AbortSignal): Promise<boolean>;
  /** Takes no new work and stops once the work in flight is done. */
  stopAfterInFlight(): void;
  /** Stops now: work in flight is aborted (files become `interrupted`). */
  stopNow(): void;
  /** Leaves the process at once. */
  quit(): void;
  say(text: string): void;
  /** What is said when stopping; the defaults speak of files in flight. */
  texts?: { now?: string; afterInFlight?: string };
}

/**
 * What each Ctrl-C does. On a terminal the first one asks whether to stop after the work in flight
 * (the run goes on while the question is open; "no" carries on); without a terminal it stops at once.
 * A Ctrl-C while asking or while stopping stops at once; one more after that quits.
 */
export function interruptHandler(actions: InterruptActions): {
  onSignal(): void;
  /** Withdraws an open question (the work ended meanwhile). */
  dispose(): void;
  readonly asking: boolean;
} {
  let state: 'running' | 'asking' | 'stopping' | 'stopping-now' = 'running';
  let question: AbortController | null = null;
  const stopNow = () => {
    state = 'stopping-now';
    question?.abort();
    actions.say(
      actions.texts?.now ??
        'Stopping now: files in flight are marked interrupted; the next run continues them. Press Ctrl-C again to quit at once.',
    );
    actions.stopNow();
  };
  return {
    get asking() {
      return state === 'asking';
    },
    dispose() {
      question?.abort();
      question = null;
    },
    onSignal() {
      switch (state) {
        case 'running': {
          if (!actions.interactive) {
            stopNow();
            return;
          }
          state = 'asking';
          question = new AbortController();
          const asked = question;
          actions.ask(actions.question, asked.signal).then(
            (yes) => {
              if (asked.signal.aborted || state !== 'asking') return;
              question = null;
              if (yes) {
                state = 'stopping';
                actions.say(
                  actions.texts?.afterInFlight ??
                    'Stopping after the files in flight; the next run continues with the rest. Press Ctrl-C to stop at once.',
                );
                actions.stopAfterInFlight();
              } else {
                state = 'running';
                actions.say('Carrying on.');
              }
            },
            () => undefined,
          );
          return;
        }
        case 'asking':
        case 'stopping':
          stopNow();
          return;
        case 'stopping-now':
          actions.quit();
      }
    },
  };
}

/** Asks a yes/no question on the terminal; only `y` or `yes` is a yes. */
export function askOnTerminal(question: string, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    // Not in terminal mode: Ctrl-C keeps reaching the process as a signal while the question is open.
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    let answered = false;
    const finish = (yes: boolean) => {
      // Closing the interface below emits 'close' at once: only the first answer counts.
      if (answered) return;
      answered = true;
      signal.removeEventListener('abort', onAbort);
      rl.close();
      process.stdin.pause();
      resolve(yes);
    };
    const onAbort = () => {
      process.stderr.write('\n');
      finish(false);
    };
    signal.addEventListener('abort', onAbort);
    process.stderr.write(`\n${question} `);
    rl.once('line', (line) => finish(/^\s*y(es)?\s*$/i.test(line)));
    rl.once('close', () => finish(false));
  });
}

/** Ctrl-C (and SIGTERM) handling for the lifetime of `work`, with the confirmation above. */
export async function withInterrupts<T>(
  options: Omit<InterruptActions, 'interactive' | 'ask' | 'quit' | 'say'> & { interactive?: boolean },
  work: (interrupts: { readonly asking: boolean; readonly count: number }) => Promise<T>,
): Promise<T> {
  let count = 0;
  const handler = interruptHandler({
    interactive: options.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true),
    question: options.question,
    texts: options.texts,
    ask: askOnTerminal,
    stopAfterInFlight: options.stopAfterInFlight,
    stopNow: options.stopNow,
    quit: () => process.exit(130),
    say: (text) => process.stderr.write(`\n${text}\n`),
  });
  const onSignal = () => {
    count++;
    handler.onSignal();
  };
  const onTerm = () => {
    count++;
    options.stopNow();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onTerm);
  try {
    return await work({
      get asking() {
        return handler.asking;
      },
      get count() {
        return count;
      },
    });
  } finally {
    handler.dispose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onTerm);
  }
}

/**
 * Runs a batch to its end with progress on stderr. Ctrl-C on a terminal asks "Stop after the files in
 * flight? [y/N]"; without a terminal, or on a second Ctrl-C, files in flight are stopped and become
 * `interrupted`. Either way the next run continues. Returns the exit status.
 */
export async function runBatchWithProgress(engine: Engine, batchId: number): Promise<number> {
  const progress = progressOutput(process.stderr);
  let quiet = () => false;
  const show = () => {
    if (!quiet()) progress.update(engine.summary(engine.ledger.batches.require(batchId)));
  };
  let drained: (() => void) | null = null;
  const off = engine.on((event, payload) => {
    if (event !== 'batch.changed' || (payload as { batchId: number }).batchId !== batchId) return;
    show();
    drained?.();
  });
  const runner = engine.requireRunner();
  let stopped = false;
  try {
    await withInterrupts(
      {
        question: 'Stop after the files in flight? [y/N]',
        stopAfterInFlight: () => {
          stopped = true;
          runner.pause(batchId);
          drained = () => {
            if (engine.ledger.counts(batchId).running > 0) return;
            drained = null;
            void runner.cancel(batchId);
          };
          drained();
        },
        stopNow: () => {
          stopped = true;
          drained = null;
          void runner.cancel(batchId);
        },
      },
      async (interrupts) => {
        quiet = () => interrupts.asking;
        show();
        await engine.runToEnd(batchId);
      },
    );
  } finally {
    off();
    quiet = () => false;
    show();
    progress.done();
  }
  const summary = engine.summary(engine.ledger.batches.require(batchId));
  const c = summary.counts;
  process.stderr.write(
    `${summary.name}: ${c.done} done, ${c.skipped} skipped, ${c.duplicate} duplicate, ${c.unmatched} unmatched, ${c.failed} failed, ${c.attention} need attention, ${c.interrupted} interrupted\n`,
  );
  if (stopped) {
    process.stderr.write(
      `Stopped before the end; ${c.pending + c.interrupted} file(s) are left for the next run.\n`,
    );
  }
  return stopped ? 1 : exitStatusFor(c);
}
