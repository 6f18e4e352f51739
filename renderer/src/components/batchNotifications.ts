import type { BatchState } from '../../../shared/status';

/** What a notification decision needs to know of a batch at one moment. */
export interface BatchMoment {
  name: string;
  state: BatchState;
  total: number;
  done: number;
  failed: number;
  attention: number;
}

export interface BatchNotice {
  title: string;
  body: string;
  /** One notice per batch and kind replaces the previous one instead of piling up. */
  tag: string;
}

const files = (n: number) => `${n.toLocaleString('en')} file${n === 1 ? '' : 's'}`;

/**
 * Whether a change of a batch deserves a desktop notification: when it finishes, or when files start
 * needing a person (none did before). Nothing on the first sight of a batch, so opening the app is quiet.
 */
export function batchNotice(
  batchId: number,
  before: BatchMoment | undefined,
  now: BatchMoment,
): BatchNotice | null {
  if (!before) return null;
  if (now.state === 'finished' && before.state !== 'finished') {
    const problems = now.failed + now.attention;
    return {
      title: `Batch finished: ${now.name}`,
      body:
        problems > 0
          ? `${files(now.done)} done; ${files(problems)} failed or need attention.`
          : `All ${files(now.total)} settled, ${files(now.done)} done.`,
      tag: `batch-${batchId}-finished`,
    };
  }
  if (now.attention > 0 && before.attention === 0) {
    return {
      title: `${now.name} needs attention`,
      body: `${files(now.attention)} ${now.attention === 1 ? 'waits' : 'wait'} for a decision.`,
      tag: `batch-${batchId}-attention`,
    };
  }
  return null;
}
