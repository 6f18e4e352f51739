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

  /** Runs `task` when the host allows it; the slot is released when the task settles. */
  async run<T>(host: string | null, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!host) return task();
    await this.acquire(host, signal);
    try {
      return await task();
    } finally {
      this.release(host);
    }
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
