import { CourierError } from '../../../../shared/errors';
import { backoffDelay } from '../../runner/backoff';
import type { BackoffPolicy } from '../../runner/backoff';
import type { Clock } from '../../runner/clock';

/**
 * The runner retries items, not the listing or the batch's closing files: a 429 or a passing 503 on
 * a search page must not end a batch of 70,000 images. So the source retries those requests itself,
 * with the same capped, jittered backoff (and the server's Retry-After) the runner uses for items.
 */
export interface RequestRetryPolicy extends BackoffPolicy {
  attempts: number;
}

export const DEFAULT_REQUEST_RETRY: RequestRetryPolicy = {
  attempts: 8,
  baseMs: 1_000,
  capMs: 60_000,
  maxRetryAfterMs: 10 * 60_000,
};

/**
 * How long to wait before trying `err`'s request again after `attempt` tries; throws the error itself
 * when it is final (not retryable, or the attempts are used up).
 */
export function retryDelay(
  err: unknown,
  attempt: number,
  policy: RequestRetryPolicy,
  random: () => number = Math.random,
): number {
  if (!(err instanceof CourierError) || !err.retryable) throw err;
  if (attempt >= policy.attempts) {
    throw new CourierError({
      code: err.code,
      message: `${err.message} — gave up after ${attempt} attempts`,
      retryable: true,
      retryAfterMs: err.retryAfterMs,
      detail: err.detail,
      cause: err,
    });
  }
  return backoffDelay(attempt, err.retryAfterMs, random, policy);
}

/** Runs `request`, again after a backoff while it fails with a retryable error. */
export async function withRequestRetry<T>(
  request: () => Promise<T>,
  opts: { clock: Clock; signal: AbortSignal; policy: RequestRetryPolicy },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      await opts.clock.sleep(retryDelay(err, attempt, opts.policy), opts.signal);
    }
  }
}
