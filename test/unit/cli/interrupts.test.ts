import { describe, expect, it } from 'vitest';
import { interruptHandler } from '../../../electron/cli/runBatch';
import type { InterruptActions } from '../../../electron/cli/runBatch';

/** A terminal whose answers the test gives, and a log of what the handler did. */
function harness(interactive: boolean) {
  const log: string[] = [];
  const questions: { question: string; signal: AbortSignal; answer(yes: boolean): void }[] = [];
  const actions: InterruptActions = {
    interactive,
    question: 'Stop after the files in flight? [y/N]',
    ask: (question, signal) =>
      new Promise<boolean>((resolve) => questions.push({ question, signal, answer: resolve })),
    stopAfterInFlight: () => log.push('stop-after-in-flight'),
    stopNow: () => log.push('stop-now'),
    quit: () => log.push('quit'),
    say: (text) => log.push(`say: ${text}`),
  };
  return {
    handler: interruptHandler(actions),
    log,
    questions,
    actions: () => log.filter((l) => !l.startsWith('say')),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Ctrl-C during a run', () => {
  it('on a terminal asks first; yes stops after the files in flight, a second Ctrl-C stops at once, a third quits', async () => {
    const h = harness(true);
    h.handler.onSignal();
    expect(h.questions.map((q) => q.question)).toEqual(['Stop after the files in flight? [y/N]']);
    expect(h.handler.asking).toBe(true);
    expect(h.actions()).toEqual([]);
    h.questions[0]!.answer(true);
    await settle();
    expect(h.actions()).toEqual(['stop-after-in-flight']);
    h.handler.onSignal();
    expect(h.actions()).toEqual(['stop-after-in-flight', 'stop-now']);
    h.handler.onSignal();
    expect(h.actions()).toEqual(['stop-after-in-flight', 'stop-now', 'quit']);
  });

  it('no (or just Enter) carries on, and the next Ctrl-C asks again', async () => {
    const h = harness(true);
    h.handler.onSignal();
    h.questions[0]!.answer(false);
    await settle();
    expect(h.actions()).toEqual([]);
    expect(h.log.at(-1)).toBe('say: Carrying on.');
    expect(h.handler.asking).toBe(false);
    h.handler.onSignal();
    expect(h.questions).toHaveLength(2);
    expect(h.actions()).toEqual([]);
  });

  it('a second Ctrl-C while the question is open stops at once and withdraws the question', async () => {
    const h = harness(true);
    h.handler.onSignal();
    h.handler.onSignal();
    expect(h.questions[0]!.signal.aborted).toBe(true);
    expect(h.actions()).toEqual(['stop-now']);
    // A late answer to the withdrawn question changes nothing.
    h.questions[0]!.answer(true);
    await settle();
    expect(h.actions()).toEqual(['stop-now']);
  });

  it('without a terminal stops at once (files in flight become interrupted), then quits on the next', () => {
    const h = harness(false);
    h.handler.onSignal();
    expect(h.questions).toHaveLength(0);
    expect(h.actions()).toEqual(['stop-now']);
    expect(h.log.some((l) => l.includes('interrupted'))).toBe(true);
    h.handler.onSignal();
    expect(h.actions()).toEqual(['stop-now', 'quit']);
  });

  it('dispose withdraws a question left open when the run ended by itself', () => {
    const h = harness(true);
    h.handler.onSignal();
    h.handler.dispose();
    expect(h.questions[0]!.signal.aborted).toBe(true);
  });
});
