export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** Longest Retry-After the runner accepts before it caps the wait. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 1_000,
  capMs: 5 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
};

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: capped exponential with full jitter, or
 * the server's Retry-After when it gave one (never less than what the server asked for, up to a cap).
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: spreads retries out without ever retrying immediately.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
