import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchState } from '../../../shared/status';
import type { ClaimedItem, ItemOutcome, Ledger } from '../ledger/ledger';
import type { BatchRecord } from '../ledger/batchStore';
import type { LocalFile, SourceAdapter, StepContext, TargetAdapter } from './adapters';
import { backoffDelay } from './backoff';
import type { BackoffPolicy } from './backoff';
import { classifyError } from './classifyError';
import { napUntilAbort } from './clock';
import type { Clock } from './clock';
import type { CredentialSource } from '../credentials';
import type { HostLimiter } from './hostLimiter';
import { settledItems, toWorkItem } from './settledItems';
import { ThroughputMeter } from './throughput';

export interface BatchRunDeps {
  ledger: Ledger;
  clock: Clock;
  random: () => number;
  hosts: HostLimiter;
  backoff: BackoffPolicy;
  workRoot: string;
  credentials: CredentialSource;
  onItemProgress?: (batchId: number, itemId: number, done: number, total: number | null) => void;
  onChecking?: (batchId: number) => void;
}

export interface BatchRunPlan {
  batch: BatchRecord;
  source: SourceAdapter;
  sourceConfig: unknown;
  target: TargetAdapter;
  targetConfig: unknown;
  concurrency: number;
  maxAttempts: number;
}

type Stop = 'cancel' | 'shutdown' | 'error';
const LONG_NAP_MS = 2 ** 31 - 1;
/**
 * How long a finished item's outcome may wait for others to share its transaction. Each transaction
 * costs about as much as four more items in it; a few milliseconds is short against any file's transfer.
 */
const FLUSH_DELAY_MS = 3;
/**
 * Items whose delivery only waits for its confirmation (see Delivery.confirm) give their slot to another,
 * up to this many per slot: enough for a shared check to cover many files, few enough to bound what waits.
 */
const CONFIRMING_PER_SLOT = 8;

/** The reason a timed nap is cut short by a wake (made once: an abort without one builds an error each time). */
const WOKEN = new DOMException('Woken', 'AbortError');

/**
 * One batch being worked on: lists its files (overlapping with delivery), keeps up to `concurrency`
 * items in flight, schedules retries, and settles every item it started before it ends.
 */
export class BatchRun {
  readonly throughput: ThroughputMeter;
  readonly finished: Promise<BatchState>;
  private readonly inFlight = new Map<number, AbortController>();
  /** Items in flight that gave up their slot while their delivery is confirmed. */
  private readonly confirming = new Set<number>();
  private readonly listing = new AbortController();
  private readonly unrecorded: { outcome: ItemOutcome; resolve(): void; reject(e: Error): void }[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushQueued = false;
  private readonly workDir: string;
  private paused = false;
  private stop: Stop | undefined;
  private collected: boolean;
  private wakeController: AbortController | undefined;
  private wakeUp: (() => void) | undefined;
  private wakePending = false;
  private failure: Error | undefined;

  constructor(
    private readonly plan: BatchRunPlan,
    private readonly deps: BatchRunDeps,
  ) {
    this.collected = plan.batch.collected;
    this.throughput = new ThroughputMeter(deps.clock);
    this.workDir = join(deps.workRoot, `batch-${plan.batch.id}`);
    mkdirSync(this.workDir, { recursive: true });
    this.finished = this.loop();
  }

  get batchId(): number {
    return this.plan.batch.id;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Items delivered and waiting for their confirmation, without a slot. */
  get confirmingCount(): number {
    return this.confirming.size;
  }

  pause(): void {
    if (this.paused || this.stop) return;
    this.paused = true;
    this.deps.ledger.batches.setState(
      this.batchId,
      'paused',
      'Paused by the operator; files in flight finish.',
    );
    this.wake();
  }

  resume(): void {
    if (!this.paused || this.stop) return;
    this.paused = false;
    this.deps.ledger.batches.setState(this.batchId, 'running', 'Resumed.');
    this.wake();
  }

  /** Stops the batch: files in flight are aborted and become `interrupted`. */
  cancel(kind: 'cancel' | 'shutdown'): Promise<BatchState> {
    if (!this.stop) this.stop = kind;
    this.listing.abort();
    for (const controller of this.inFlight.values()) controller.abort();
    this.wake();
    return this.finished;
  }

  /** Wakes the loop: new items, a decision, or a state change. */
  wake(): void {
    this.wakePending = true;
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
    if (this.wakeController) this.wakeController.abort(WOKEN);
  }

  /** Waits for the next wake, however long; runs once per finished item, so it needs no timer or abort. */
  private async waitForWake(): Promise<void> {
    if (!this.wakePending) {
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
    }
    this.wakePending = false;
  }

  /** Waits for a wake or `ms` on the clock, whichever comes first. */
  private async nap(ms: number): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return;
    }
    this.wakeController = new AbortController();
    await napUntilAbort(this.deps.clock, Math.min(ms, LONG_NAP_MS), this.wakeController.signal);
    this.wakeController = undefined;
    this.wakePending = false;
  }

  private async loop(): Promise<BatchState> {
    const { ledger } = this.deps;
    ledger.batches.setState(this.batchId, 'running', 'Started.');
    const collecting = this.collected ? Promise.resolve() : this.collect();
    try {
      for (;;) {
        if (this.stop) break;
        if (this.paused) {
          await this.waitForWake();
          continue;
        }
        const free = this.freeSlots([]);
        const claimed = free > 0 ? ledger.claim(this.batchId, free) : [];
        for (const item of claimed) this.launch(item);
        if (this.inFlight.size === 0 && claimed.length === 0) {
          if (!this.collected) {
            await this.waitForWake();
            continue;
          }
          const next = ledger.nextRetryAt(this.batchId);
          if (next === null) break;
          await this.nap(next - this.deps.clock.now());
          continue;
        }
        await this.waitForWake();
      }
    } finally {
      await collecting;
      await this.settleInFlight();
    }
    if (!this.stop && !this.failure) await this.finishSource();
    await this.plan.source
      .close?.(this.plan.sourceConfig, this.context(new AbortController()))
      .catch(() => undefined);
    return this.end();
  }

  private async finishSource(): Promise<void> {
    const { source, sourceConfig, targetConfig } = this.plan;
    if (!source.finish) return;
    try {
      await source.finish(
        sourceConfig,
        () => settledItems(this.deps.ledger, this.batchId),
        this.context(new AbortController()),
        targetConfig,
      );
    } catch (err) {
      this.failure = classifyError(err, `Finishing ${source.label(sourceConfig)}`);
    }
  }

  private async collect(): Promise<void> {
    const { ledger } = this.deps;
    let listed = 0;
    try {
      for await (const chunk of this.plan.source.collect(
        this.plan.sourceConfig,
        this.context(this.listing),
      )) {
        listed += ledger.addItems(this.batchId, chunk);
        this.wake();
        if (this.stop) return;
      }
      // A source may end its listing early, without an error, once it sees the abort: not the whole list.
      if (this.listing.signal.aborted) return;
      ledger.batches.markCollected(this.batchId, `The source listed ${listed} new file(s).`);
      this.collected = true;
    } catch (err) {
      if (this.listing.signal.aborted) return;
      const error = classifyError(err, `Listing ${this.plan.source.label(this.plan.sourceConfig)}`);
      this.failure = error;
      this.stop = 'error';
      for (const controller of this.inFlight.values()) controller.abort();
    } finally {
      this.wake();
    }
  }

  private launch(item: ClaimedItem): void {
    const controller = new AbortController();
    this.inFlight.set(item.id, controller);
    void this.process(item, controller)
      .then(async (outcome) => {
        await this.recordSoon(outcome);
        if (outcome.status === 'done' || outcome.status === 'duplicate' || outcome.status === 'skipped') {
          this.throughput.tick();
        }
      })
      .catch((err: unknown) => {
        // The ledger itself failed (disk full, database locked): stop rather than lose track.
        this.failure = classifyError(err, `Recording ${item.name}`);
        this.stop = 'error';
        for (const c of this.inFlight.values()) c.abort();
      })
      .finally(() => {
        this.inFlight.delete(item.id);
        if (this.confirming.delete(item.id)) this.deps.onChecking?.(this.batchId);
        this.wake();
      });
  }

  /**
   * Records an outcome together with others that finish close to it: one transaction for several small
   * files, which also claims the items taking their places. Resolves once it is committed.
   */
  private recordSoon(outcome: ItemOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.unrecorded.push({ outcome, resolve, reject });
      this.flushSoon();
    });
  }

  /**
   * Schedules the next write of waiting outcomes and claim of free slots: at once when half the batch's
   * slots are free or about to be, or nothing in flight is still working, and otherwise within
   * FLUSH_DELAY_MS, so that outcomes and freed slots close together share a transaction.
   */
  private flushSoon(): void {
    if (this.flushQueued) return;
    const free = this.freeSlots(this.unrecorded);
    if (free >= Math.ceil(this.plan.concurrency / 2) || this.unrecorded.length >= this.inFlight.size) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.flushQueued = true;
      setImmediate(() => this.flushOutcomes());
    } else {
      this.flushTimer ??= setTimeout(() => this.flushOutcomes(), FLUSH_DELAY_MS);
    }
  }

  private flushOutcomes(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushQueued = false;
    const group = this.unrecorded.splice(0);
    const { ledger } = this.deps;
    const free = this.freeSlots(group);
    const claiming = free > 0 && !this.paused && !this.stop;
    if (group.length === 0 && !claiming) return;
    let claimed: ClaimedItem[];
    try {
      // The slots these items free are claimed again in the same transaction: one commit per turn, not two.
      claimed = ledger.settle(
        this.batchId,
        group.map((g) => g.outcome),
        claiming ? free : 0,
      );
    } catch (err) {
      for (const g of group) g.reject(err as Error);
      return;
    }
    for (const item of claimed) this.launch(item);
    for (const g of group) g.resolve();
  }

  private context(controller: AbortController, itemId?: number): StepContext {
    return {
      signal: controller.signal,
      clock: this.deps.clock,
      hosts: this.deps.hosts,
      workDir: this.workDir,
      credentials: this.deps.credentials,
      batchItems: (name) => settledItems(this.deps.ledger, this.deps.ledger.batches.requireByName(name).id),
      addItems: (drafts) => {
        const added = this.deps.ledger.addItems(this.batchId, drafts);
        if (added > 0) this.wake();
        return added;
      },
      progress: (done, total) => {
        if (itemId !== undefined) this.deps.onItemProgress?.(this.batchId, itemId, done, total);
      },
    };
  }

  private async process(item: ClaimedItem, controller: AbortController): Promise<ItemOutcome> {
    const { source, sourceConfig, target, targetConfig } = this.plan;
    const work = toWorkItem(item);
    const ctx = this.context(controller, item.id);
    const { hosts } = this.deps;
    let file: LocalFile | undefined;
    try {
      const fetched = await hosts.run(
        source.host(sourceConfig),
        () => source.fetch(work, sourceConfig, ctx),
        ctx.signal,
      );
      file = fetched;
      const targetHost = target.host(targetConfig);
      const present = await hosts.run(
        targetHost,
        () => target.probe(work, fetched, targetConfig, ctx),
        ctx.signal,
      );
      const delivery =
        present ??
        (await hosts.run(targetHost, () => target.deliver(work, fetched, targetConfig, ctx), ctx.signal));
      if (delivery.tookFile) file = undefined;
      const settled = delivery.confirm ? await this.confirm(item.id, delivery.confirm) : delivery;
      if (settled.tookFile) file = undefined;
      return {
        itemId: item.id,
        status: settled.status,
        reason: settled.reason ?? (present ? 'already-there' : null),
        message: settled.message ?? null,
        actions: settled.actions ?? [],
        attempts: item.attempts + 1,
        nextAttemptAt: null,
        name: work.name !== item.name ? work.name : undefined,
        target: settled.target ?? null,
        size: settled.size ?? fetched.size,
        sha1: settled.sha1 ?? fetched.sha1 ?? null,
        md5: settled.md5 ?? fetched.md5 ?? null,
        meta: settled.meta,
      };
    } catch (err) {
      if (controller.signal.aborted) {
        return {
          itemId: item.id,
          status: 'interrupted',
          reason: 'interrupted',
          message:
            this.stop === 'cancel'
              ? 'Cancelled while in flight; it will be checked and resumed on the next run.'
              : 'Stopped while in flight; it will be checked and resumed on the next run.',
        };
      }
      return this.failureOutcome(item, err);
    } finally {
      await file?.release?.().catch(() => undefined);
    }
  }

  /** Waits for a delivery's confirmation, giving the item's slot to another while there is room. */
  private confirm<T>(itemId: number, confirmation: () => Promise<T>): Promise<T> {
    if (this.confirming.size < this.plan.concurrency * CONFIRMING_PER_SLOT) {
      this.confirming.add(itemId);
      this.deps.onChecking?.(this.batchId);
      this.flushSoon();
    }
    return confirmation();
  }

  /**
   * Slots free once the given outcomes are recorded: items in flight hold one each, except those waiting
   * for a confirmation, and an outcome being recorded frees its item's.
   */
  private freeSlots(recording: { outcome: ItemOutcome }[]): number {
    const taken = this.inFlight.size - this.confirming.size;
    const freed = recording.filter((r) => !this.confirming.has(r.outcome.itemId)).length;
    return this.plan.concurrency - taken + freed;
  }

  private failureOutcome(item: ClaimedItem, err: unknown): ItemOutcome {
    const error = classifyError(err, item.name);
    const attempts = item.attempts + 1;
    const event = { data: { code: error.code, ...(error.detail ?? {}) } };
    const retry = error.retryable && attempts < this.plan.maxAttempts;
    // Retryable with an attention reason: retried first, and a person decides once the attempts are used up.
    if (error.attention && !retry) {
      return {
        itemId: item.id,
        status: 'attention',
        reason: error.attention.reason,
        message: error.retryable ? `${error.message} — still so after ${attempts} attempts` : error.message,
        actions: error.attention.actions,
        attempts,
        event,
      };
    }
    if (retry) {
      const delay = backoffDelay(attempts, error.retryAfterMs, this.deps.random, this.deps.backoff);
      return {
        itemId: item.id,
        status: 'failed',
        reason: error.code,
        message: `${error.message} — attempt ${attempts} of ${this.plan.maxAttempts}; retrying in ${Math.ceil(delay / 1000)} s`,
        attempts,
        nextAttemptAt: this.deps.clock.now() + delay,
        event: { data: { ...event.data, retryInMs: delay } },
      };
    }
    return {
      itemId: item.id,
      status: 'failed',
      reason: error.code,
      message: error.retryable ? `${error.message} — gave up after ${attempts} attempts` : error.message,
      attempts,
      nextAttemptAt: null,
      event,
    };
  }

  private async settleInFlight(): Promise<void> {
    while (this.inFlight.size > 0) await this.waitForWake();
  }

  private end(): BatchState {
    const { ledger } = this.deps;
    const leftRunning = ledger.runningItems(this.batchId);
    if (leftRunning.length > 0) ledger.interrupt(this.batchId, leftRunning, 'Stopped while in flight.');
    if (this.failure) {
      ledger.batches.setState(this.batchId, 'paused', `Stopped: ${this.failure.message}`);
      throw this.failure;
    }
    if (this.stop === 'cancel') {
      ledger.batches.setState(this.batchId, 'cancelled', 'Cancelled by the operator.');
      return 'cancelled';
    }
    // On shutdown the batch stays `running`, so the next start of the app resumes it.
    if (this.stop === 'shutdown') return 'running';
    const counts = ledger.counts(this.batchId);
    const open = counts.failed + counts.attention + counts.interrupted;
    ledger.batches.setState(
      this.batchId,
      'finished',
      open === 0
        ? 'Finished: every file is settled.'
        : `Finished with ${open} file(s) that need a decision or a retry.`,
    );
    return 'finished';
  }
}
