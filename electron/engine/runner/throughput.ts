import type { Clock } from './clock';

const WINDOW_MS = 60_000;

/** Files settled per second over the last minute. */
export class ThroughputMeter {
  private readonly stamps: number[] = [];
  private readonly started: number;

  constructor(private readonly clock: Clock) {
    this.started = clock.now();
  }

  tick(): void {
    this.stamps.push(this.clock.now());
    if (this.stamps.length > 100_000) this.stamps.splice(0, 50_000);
  }

  perSecond(): number {
    const now = this.clock.now();
    const from = now - WINDOW_MS;
    while (this.stamps.length > 0 && this.stamps[0]! < from) this.stamps.shift();
    const span = Math.max(1_000, Math.min(WINDOW_MS, now - this.started));
    return (this.stamps.length * 1000) / span;
  }
}
