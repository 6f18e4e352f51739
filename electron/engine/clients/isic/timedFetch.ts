import { CourierError } from '../../../../shared/errors';
import { networkFailure } from '../httpFailure';

/**
 * fetch with two deadlines, both through one AbortController: `connectTimeoutMs` until the answer's
 * headers arrive (connecting plus the server's thinking), `readTimeoutMs` of silence while the body
 * streams. A caller's `signal` cancels too, and is reported as `cancelled`, never as a timeout.
 */

export interface Deadlines {
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

export interface TimedResponse {
  response: Response;
  /** The body's chunks, each read under the read deadline; ends the deadlines when done or abandoned. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Drops the body (and its connection if still streaming). */
  discard(): Promise<void>;
}

function timeoutReason(what: string, ms: number, phase: string): Error {
  const err = new Error(`${what}: ${phase} for ${ms} ms`);
  err.name = 'TimeoutError';
  return err;
}

export function cancelledError(what: string, reason?: unknown): CourierError {
  return new CourierError({ code: 'cancelled', message: `${what}: cancelled`, cause: reason });
}

export async function timedFetch(
  url: string,
  what: string,
  init: { headers: Record<string, string>; signal?: AbortSignal | undefined },
  deadlines: Deadlines,
  fetchImpl: typeof fetch,
): Promise<TimedResponse> {
  const external = init.signal;
  if (external?.aborted) throw cancelledError(what, external.reason);
  const controller = new AbortController();
  const onAbort = () => controller.abort(external?.reason);
  external?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined = setTimeout(
    () => controller.abort(timeoutReason(what, deadlines.connectTimeoutMs, 'no answer')),
    deadlines.connectTimeoutMs,
  );
  const finish = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    external?.removeEventListener('abort', onAbort);
  };
  const fail = (err: unknown): CourierError => {
    if (external?.aborted) return cancelledError(what, external.reason);
    const reason = controller.signal.aborted ? controller.signal.reason : err;
    return networkFailure(reason, what);
  };

  let response: Response;
  try {
    response = await fetchImpl(url, { headers: init.headers, signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    finish();
    throw fail(err);
  }

  // From here the same timer measures silence on the body.
  clearTimeout(timer);
  const readTimeout = () =>
    controller.abort(timeoutReason(what, deadlines.readTimeoutMs, 'the answer stalled'));
  timer = setTimeout(readTimeout, deadlines.readTimeoutMs);

  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!response.body) {
      finish();
      return;
    }
    const reader = response.body.getReader();
    let settled = false;
    try {
      for (;;) {
        let step: Awaited<ReturnType<typeof reader.read>>;
        try {
          step = await reader.read();
        } catch (err) {
          settled = true;
          throw fail(err);
        }
        if (step.done) {
          settled = true;
          return;
        }
        timer?.refresh();
        yield step.value;
      }
    } finally {
      finish();
      // A consumer that stops early must not leave the connection half-read.
      if (!settled) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }

  return {
    response,
    chunks,
    discard: async () => {
      finish();
      try {
        await response.body?.cancel();
      } catch {
        // The body may already be errored or consumed; nothing to drop then.
      }
    },
  };
}

/** Reads a whole body as text under the read deadline, keeping at most `maxBytes`. */
export async function readText(timed: TimedResponse, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of timed.chunks()) {
    if (total < maxBytes) parts.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
