import { CourierError } from '../../../shared/errors';
import type { BatchState } from '../../../shared/status';
import type { Ledger } from '../ledger/ledger';
import { environmentCredentials } from '../credentials';
import type { CredentialSource } from '../credentials';
import type { AdapterRegistry } from './adapters';
import { DEFAULT_BACKOFF } from './backoff';
import type { BackoffPolicy } from './backoff';
import { BatchRun } from './batchRun';
import type { Clock } from './clock';
import { HostLimiter } from './hostLimiter';
import type { HostLimit } from './hostLimiter';
import { LimitSettingsStore } from './limitSettings';

export interface RunnerOptions {
  ledger: Ledger;
  adapters: AdapterRegistry;
  clock: Clock;
  workRoot: string;
  credentials?: CredentialSource;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Per-host limits; default: Settings → Limits as saved in the ledger. */
  hostLimit?: (host: string) => HostLimit;
  defaults?: { concurrency?: number; maxAttempts?: number };
  onItemProgress?: (batchId: number, itemId: number, done: number, total: number | null) => void;
  /** Told when the number of a batch's files waiting for the target's check changes (see `checking`). */
  onChecking?: (batchId: number) => void;
  /** Told when a batch run ends with an error that stopped the whole batch. */
  onRunError?: (batchId: number, error: Error) => void;
}

/** Runs batches: one BatchRun per active batch, all sharing the per-host limits. */
export class Runner {
  private readonly runs = new Map<number, BatchRun>();
  private readonly hosts: HostLimiter;
  private readonly limits: LimitSettingsStore;

  constructor(private readonly options: RunnerOptions) {
    this.limits = new LimitSettingsStore(options.ledger.db);
    this.hosts = new HostLimiter(options.clock, options.hostLimit ?? ((host) => this.limits.hostLimit(host)));
  }

  /** Starts (or resumes) a batch; resolves with its final state when the run ends. */
  start(batchId: number): Promise<BatchState> {
    const existing = this.runs.get(batchId);
    if (existing) {
      existing.resume();
      existing.wake();
      return existing.finished;
    }
    const { ledger, adapters } = this.options;
    const batch = ledger.batches.require(batchId);
    const source = adapters.source(batch.sourceKind);
    const target = adapters.target(batch.targetKind);
    if (!source)
      throw new CourierError({
        code: 'unknown-source',
        message: `This build cannot read sources of kind '${batch.sourceKind}'.`,
      });
    if (!target)
      throw new CourierError({
        code: 'unknown-target',
        message: `This build cannot deliver to targets of kind '${batch.targetKind}'.`,
      });
    const sourceConfig = parseConfig(
      source.configSchema,
      batch.sourceConfig,
      `source of batch '${batch.name}'`,
    );
    const targetConfig = parseConfig(
      target.configSchema,
      batch.targetConfig,
      `target of batch '${batch.name}'`,
    );
    const run = new BatchRun(
      {
        batch,
        source,
        sourceConfig,
        target,
        targetConfig,
        concurrency:
          batch.settings.concurrency ??
          this.limits.defaultConcurrency() ??
          this.options.defaults?.concurrency ??
          4,
        maxAttempts: batch.settings.maxAttempts ?? this.options.defaults?.maxAttempts ?? 5,
      },
      {
        ledger,
        clock: this.options.clock,
        random: this.options.random ?? Math.random,
        hosts: this.hosts,
        backoff: this.options.backoff ?? DEFAULT_BACKOFF,
        workRoot: this.options.workRoot,
        credentials: this.options.credentials ?? environmentCredentials(),
        onItemProgress: this.options.onItemProgress,
        onChecking: this.options.onChecking,
      },
    );
    this.runs.set(batchId, run);
    const finished = run.finished.finally(() => this.runs.delete(batchId));
    finished.catch((err: unknown) => this.options.onRunError?.(batchId, err as Error));
    return finished;
  }

  pause(batchId: number): void {
    const run = this.runs.get(batchId);
    if (run) run.pause();
    else this.options.ledger.batches.setState(batchId, 'paused', 'Paused by the operator.');
  }

  resume(batchId: number): Promise<BatchState> {
    return this.start(batchId);
  }

  async cancel(batchId: number): Promise<BatchState> {
    const run = this.runs.get(batchId);
    if (run) return run.cancel('cancel');
    this.options.ledger.batches.setState(batchId, 'cancelled', 'Cancelled by the operator.');
    return 'cancelled';
  }

  /** Tells a running batch that items became runnable (an operator decision, new items). */
  wake(batchId: number): void {
    this.runs.get(batchId)?.wake();
  }

  isActive(batchId: number): boolean {
    return this.runs.has(batchId);
  }

  throughput(batchId: number): number | null {
    return this.runs.get(batchId)?.throughput.perSecond() ?? null;
  }

  /** Files of the batch sent and waiting for the target's check (they count as running). */
  checking(batchId: number): number {
    return this.runs.get(batchId)?.confirmingCount ?? 0;
  }

  /** Stops every batch; files in flight become `interrupted` and batches stay `running` for the next start. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.runs.values()].map((run) => run.cancel('shutdown')));
  }
}

function parseConfig<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues
    .map((i) => `${i.path.map(String).join('.') || '(config)'}: ${i.message}`)
    .join('; ');
  throw new CourierError({ code: 'bad-config', message: `The ${what} is not valid: ${details}` });
}
