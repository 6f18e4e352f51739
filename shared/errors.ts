import type { OperatorAction } from './status';

/**
 * What went wrong, in a form both the ledger and a person can use: a stable `code`, a sentence that
 * says what to do, and how the runner should treat it.
 *
 * - `retryable`: the runner retries with backoff (timeouts, resets, 5xx, 429).
 * - `attention`: a person must decide; `actions` are the decisions that make sense.
 * - both: the runner retries first, and the item goes to `attention` (not `failed`) once the attempts are used up.
 * - neither: the item fails for good (until an operator asks for a retry).
 */
export interface CourierErrorInit {
  code: string;
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
  attention?: { reason: string; actions: OperatorAction[] };
  detail?: Record<string, unknown>;
  cause?: unknown;
}

export class CourierError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly attention: { reason: string; actions: OperatorAction[] } | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(init: CourierErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'CourierError';
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.attention = init.attention;
    this.detail = init.detail;
  }
}

export function isCourierError(value: unknown): value is CourierError {
  return value instanceof CourierError;
}

/** Parses an HTTP `Retry-After` header (seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
