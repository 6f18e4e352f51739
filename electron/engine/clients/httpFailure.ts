import { CourierError, parseRetryAfter } from '../../../shared/errors';

/** The User-Agent every client sends: a non-browser product token with a contact, as archives ask. */
export const USER_AGENT = 'ImagingCourier/0.1 (+https://example.org/imaging-courier; courier@example.org)';

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Turns a non-success HTTP answer into a CourierError: 408/429/5xx are retryable (honouring Retry-After),
 * anything else is final. `what` names the request in words ("upload of scan 3/DICOM/img1.dcm").
 */
export function httpFailure(
  status: number,
  what: string,
  opts: { retryAfter?: string | null; body?: string; nowMs?: number } = {},
): CourierError {
  const body = (opts.body ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
  return new CourierError({
    code: `http-${status}`,
    message: `${what}: the server answered ${status}${body ? ` (${body})` : ''}`,
    retryable: RETRYABLE_STATUS.has(status),
    retryAfterMs: parseRetryAfter(opts.retryAfter, opts.nowMs ?? Date.now()),
    detail: { status },
  });
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns a thrown network error (reset, refused, timeout) into a retryable CourierError naming the request. */
export function networkFailure(err: unknown, what: string): CourierError {
  if (err instanceof CourierError) return err;
  const name = (err as { name?: string } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new CourierError({
      code: 'timeout',
      message: `${what}: no answer in time`,
      retryable: true,
      cause: err,
    });
  }
  const code = networkCode(err) ?? 'network';
  const reason = err instanceof Error ? err.message : String(err);
  return new CourierError({
    code: code === 'network' ? 'network' : `net-${code.toLowerCase()}`,
    message: `${what}: ${reason}${code !== 'network' ? ` (${code})` : ''}`,
    retryable: code === 'network' || RETRYABLE_NETWORK_CODES.has(code),
    cause: err,
  });
}
