import { describe, expect, it } from 'vitest';
import { EventCoalescer } from '../../../electron/engine/host/eventCoalescer';
import type { Scheduler } from '../../../electron/engine/host/eventCoalescer';

function fakeScheduler() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      timers = timers.filter((t) => t !== due);
      due.fn();
    }
    now = end;
  };
  return { scheduler, advance };
}

describe('event coalescing', () => {
  it('sends at most one message per batch every 200 ms however many items change', () => {
    const { scheduler, advance } = fakeScheduler();
    const sent: { batchId: number; changed: number[] | 'many'; at: number }[] = [];
    const c = new EventCoalescer(
      200,
      (batchId, changed) => sent.push({ batchId, changed, at: scheduler.now() }),
      scheduler,
    );
    // 5,000 changes spread evenly over one second, on two batches.
    for (let i = 0; i < 5_000; i++) {
      c.add(i % 2 ? 1 : 2, [i]);
      advance(0.2);
    }
    advance(1_000);
    for (const batch of [1, 2]) {
      const mine = sent.filter((s) => s.batchId === batch);
      expect(mine.length).toBeLessThanOrEqual(6);
      const gaps = mine.slice(1).map((s, i) => s.at - mine[i]!.at);
      expect(gaps.every((g) => g >= 200)).toBe(true);
    }
    // Nothing is lost on the way: every changed item is named in some message.
    const named = new Set(sent.flatMap((s) => (s.changed === 'many' ? [] : s.changed)));
    expect(named.size).toBe(5_000);
  });

  it('sends the first change after a quiet spell at once, listing the changed items', () => {
    const { scheduler, advance } = fakeScheduler();
    const sent: (number[] | 'many')[] = [];
    const c = new EventCoalescer(200, (_b, changed) => sent.push(changed), scheduler);
    c.add(1, [3, 4]);
    advance(0);
    expect(sent).toEqual([[3, 4]]);
    c.add(1, [5]);
    c.add(1, [5, 6]);
    advance(199);
    expect(sent).toHaveLength(1);
    advance(1);
    expect(sent[1]).toEqual([5, 6]);
  });
});
