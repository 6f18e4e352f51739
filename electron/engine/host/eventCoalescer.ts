export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const MAX_LISTED = 500;

interface Pending {
  ids: Set<number> | 'many';
  timer: unknown;
}

/**
 * Collects item changes per batch and hands them on at most once every `intervalMs` per batch: the
 * first change after a quiet spell goes out at once, later ones wait for the interval to pass.
 */
export class EventCoalescer {
  private readonly pending = new Map<number, Pending>();
  private readonly lastFlush = new Map<number, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (batchId: number, changed: number[] | 'many') => void,
    private readonly scheduler: Scheduler = realScheduler,
  ) {}

  add(batchId: number, ids: number[] | 'many'): void {
    let p = this.pending.get(batchId);
    if (!p) {
      p = { ids: new Set(), timer: undefined };
      this.pending.set(batchId, p);
    }
    if (ids === 'many' || p.ids === 'many') p.ids = 'many';
    else {
      for (const id of ids) p.ids.add(id);
      if (p.ids.size > MAX_LISTED) p.ids = 'many';
    }
    if (p.timer === undefined) {
      const since = this.scheduler.now() - (this.lastFlush.get(batchId) ?? -Infinity);
      const wait = Math.max(0, this.intervalMs - since);
      p.timer = this.scheduler.setTimeout(() => this.emit(batchId), wait);
    }
  }

  /** Sends everything still pending now (before shutdown). */
  drain(): void {
    for (const batchId of [...this.pending.keys()]) this.emit(batchId);
  }

  private emit(batchId: number): void {
    const p = this.pending.get(batchId);
    if (!p) return;
    this.scheduler.clearTimeout(p.timer);
    this.pending.delete(batchId);
    this.lastFlush.set(batchId, this.scheduler.now());
    this.flush(batchId, p.ids === 'many' ? 'many' : [...p.ids]);
  }
}
