import type { Clock } from './clock';

export interface HostLimit {
  /** Requests to this host at the same time. */
  concurrency: number;
  /** Least time between the starts of two requests to this host. */
  minIntervalMs: number;
}

export const DEFAULT_HOST_LIMIT: HostLimit = { concurrency: 8, minIntervalMs: 0 };

interface HostState {
  active: number;
  lastStart: number;
  queue: (() => void)[];
}

/** Per-host politeness: at most `concurrency` requests at once and `minIntervalMs` between starts. */
export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly clock: Clock,
    private readonly limitFor: (host: string) => HostLimit = () => DEFAULT_HOST_LIMIT,
  ) {}

  /**
   * Runs `task` when the host allows it; the slot is released when the task settles. An abort of `signal`
   * ends the wait at once, even when the task itself does not listen (a request to a server that never
   * answers, or a login shared with other files): the caller goes on, and the task keeps its slot until
   * it settles by its own deadline.
   */
  async run<T>(host: string | null, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!host) return untilAborted(task(), signal);
    await this.acquire(host, signal);
    let running: Promise<T>;
    try {
      running = task();
    } catch (err) {
      this.release(host);
      throw err;
    }
    const release = () => this.release(host);
    running.then(release, release);
    return untilAborted(running, signal);
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      s = { active: 0, lastStart: -Infinity, queue: [] };
      this.hosts.set(host, s);
    }
    return s;
  }

  private async acquire(host: string, signal?: AbortSignal): Promise<void> {
    const s = this.state(host);
    const limit = this.limitFor(host);
    while (s.active >= limit.concurrency) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          s.queue.splice(s.queue.indexOf(wake), 1);
          reject(new DOMException('The wait was cancelled', 'AbortError'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        s.queue.push(wake);
      });
    }
    s.active++;
    // Reserve the next start time before waiting, so concurrent callers space themselves out.
    const start = Math.max(this.clock.now(), s.lastStart + limit.minIntervalMs);
    s.lastStart = start;
    const wait = start - this.clock.now();
    if (wait > 0) {
      try {
        await this.clock.sleep(wait, signal);
      } catch (err) {
        this.release(host);
        throw err;
      }
    }
  }

  private release(host: string): void {
    const s = this.state(host);
    s.active--;
    s.queue.shift()?.();
  }
}

/** `work`, or an AbortError as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The work was cancelled', 'AbortError');
}
