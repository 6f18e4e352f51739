import type { Clock } from '../../electron/engine/runner/clock';

interface Timer {
  at: number;
  resolve(): void;
  reject(e: Error): void;
}

/** A clock that only moves when the test says so; sleeps resolve when their time is reached. */
export class FakeClock implements Clock {
  private current: number;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
      const timer: Timer = { at: this.current + Math.max(0, ms), resolve, reject };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          reject(new DOMException('aborted', 'AbortError'));
        },
        { once: true },
      );
    });
  }

  /** The earliest time a sleeper waits for, if any (ignoring "forever" naps). */
  nextTimer(): number | undefined {
    const due = this.timers.filter((t) => t.at - this.current < 2 ** 30).map((t) => t.at);
    return due.length ? Math.min(...due) : undefined;
  }

  /** Moves time forward by `ms`, waking every sleeper whose time has come. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((t) => t.at <= this.current);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const t of due) t.resolve();
  }
}

/** Lets pending promise callbacks and I/O run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` between event-loop turns until it holds (bounded), for state reached asynchronously. */
export async function until(condition: () => boolean, what: string, maxTurns = 20_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await settle();
  }
  throw new Error(`Timed out waiting for: ${what}`);
}
