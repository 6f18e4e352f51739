import { describe, expect, it } from 'vitest';
import { batchNotice } from '../../../renderer/src/components/batchNotifications';
import type { BatchMoment } from '../../../renderer/src/components/batchNotifications';

const base: BatchMoment = { name: 'study', state: 'running', total: 10, done: 2, failed: 0, attention: 0 };

describe('when a batch deserves a desktop notification', () => {
  it('says nothing on the first sight of a batch, even a finished one', () => {
    expect(batchNotice(1, undefined, { ...base, state: 'finished', done: 10 })).toBeNull();
  });

  it('tells when a batch finishes, with its problems', () => {
    expect(batchNotice(1, base, { ...base, state: 'finished', done: 10 })).toEqual({
      title: 'Batch finished: study',
      body: 'All 10 files settled, 10 files done.',
      tag: 'batch-1-finished',
    });
    expect(batchNotice(1, base, { ...base, state: 'finished', done: 7, failed: 2, attention: 1 })?.body).toBe(
      '7 files done; 3 files failed or need attention.',
    );
  });

  it('does not repeat itself for a batch that stays finished', () => {
    const finished = { ...base, state: 'finished' as const, done: 10 };
    expect(batchNotice(1, finished, finished)).toBeNull();
  });

  it('tells when files start needing attention, and not again while more arrive', () => {
    expect(batchNotice(2, base, { ...base, attention: 1 })).toEqual({
      title: 'study needs attention',
      body: '1 file waits for a decision.',
      tag: 'batch-2-attention',
    });
    expect(batchNotice(2, { ...base, attention: 1 }, { ...base, attention: 5 })).toBeNull();
  });

  it('ignores progress, pauses and cancellations', () => {
    expect(batchNotice(1, base, { ...base, done: 5 })).toBeNull();
    expect(batchNotice(1, base, { ...base, state: 'paused' })).toBeNull();
    expect(batchNotice(1, base, { ...base, state: 'cancelled' })).toBeNull();
  });
});
