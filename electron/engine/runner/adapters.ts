import type { z } from 'zod';
import type { OperatorAction } from '../../../shared/status';
import type { ItemDraft } from '../ledger/ledger';
import type { CredentialSource } from '../credentials';
import type { Clock } from './clock';
import type { HostLimiter } from './hostLimiter';

/** An item as an adapter sees it while working on it; a source may correct `name` (say, the real extension). */
export interface WorkItem {
  id: number;
  batchId: number;
  key: string;
  path: string;
  name: string;
  group: string;
  attempts: number;
  size: number | null;
  meta: Record<string, unknown>;
}

/** Everything an adapter may use while it works; all platform specifics come in through here. */
export interface StepContext {
  signal: AbortSignal;
  clock: Clock;
  hosts: HostLimiter;
  /** A folder of the batch's own for temporary files. */
  workDir: string;
  /** Tells the UI how far a long step is (bytes done of total). */
  progress(done: number, total: number | null): void;
  /** A login for a service at a URL (never stored in the ledger or the batch's settings). */
  credentials: CredentialSource;
  /** The items of another batch of this ledger, by name, in order (a later batch may start from them). */
  batchItems(batchName: string): Iterable<SettledItem>;
  /** Adds files to this batch while it runs (a retried step that found more, e.g. a case read again). */
  addItems(drafts: ItemDraft[]): number;
}

/** The bytes of an item, available as a local file while the target delivers it. */
export interface LocalFile {
  path: string;
  size: number;
  sha1?: string;
  md5?: string;
  /** A downloaded copy of the engine's own (in the work folder): a local target may move it instead of copying. */
  temporary?: boolean;
  /** Removes temporary copies once the item is settled. */
  release?(): Promise<void>;
}

/** A settled item as a source sees it when the batch finishes (for per-batch files such as metadata.csv). */
export interface SettledItem extends WorkItem {
  status: string;
  target: string | null;
  sha1: string | null;
  md5: string | null;
}

/** A delivery's outcome as the ledger records it. */
export interface Settlement {
  status: 'done' | 'duplicate' | 'skipped';
  target?: string | null;
  message?: string;
  reason?: string;
  size?: number;
  sha1?: string;
  md5?: string;
  meta?: Record<string, unknown>;
  /** Decisions the operator may still take on a settled item (say, approve a duplicate to send it anyway). */
  actions?: OperatorAction[];
  /** The target moved the source's temporary file into place: there is nothing left to release. */
  tookFile?: boolean;
}

/** How an item ended at the target. */
export interface Delivery extends Settlement {
  /**
   * A last check of the delivery that does not need the item's slot (say, a digest read from a listing that
   * many files share): the runner starts another item while it waits, and records what it returns (or
   * throws) instead of this Delivery. Requests it makes go through `ctx.hosts`, as every other does.
   */
  confirm?: () => Promise<Settlement>;
}

interface AdapterBase<Config> {
  readonly kind: string;
  /** What the operator sees for this kind ("Local folder"). */
  readonly title: string;
  readonly configSchema: z.ZodType<Config>;
  /** A short description of a configured instance ("/data/out"). */
  label(config: Config): string;
  /** The host requests go to, for per-host limits; null for local work. */
  host(config: Config): string | null;
}

/** Where files come from. */
export interface SourceAdapter<Config = unknown> extends AdapterBase<Config> {
  /** Lists the batch's files in chunks. Re-run after an interruption, so keys must be stable. */
  collect(config: Config, ctx: StepContext): AsyncIterable<ItemDraft[]>;
  /** Makes an item's bytes available locally (the file itself, or a download). */
  fetch(item: WorkItem, config: Config, ctx: StepContext): Promise<LocalFile>;
  /**
   * Called once when the batch has finished, with every item of the batch in order: writes what
   * belongs to the batch as a whole (a metadata table, attribution, licences) next to the files.
   */
  finish?(
    config: Config,
    items: () => Iterable<SettledItem>,
    ctx: StepContext,
    targetConfig: unknown,
  ): Promise<void>;
  /** Releases what the source holds for the batch (a browser, a session), however the run ended. */
  close?(config: Config, ctx: StepContext): Promise<void>;
}

/** Where files go. Every step must be safe to repeat: `probe` checks the target before anything is sent. */
export interface TargetAdapter<Config = unknown> extends AdapterBase<Config> {
  /** Is this item already at the target? A Delivery when it is (or conflicts), null when it must be sent. */
  probe(item: WorkItem, file: LocalFile, config: Config, ctx: StepContext): Promise<Delivery | null>;
  deliver(item: WorkItem, file: LocalFile, config: Config, ctx: StepContext): Promise<Delivery>;
}

/** The sources and targets this build knows, by kind. */
export class AdapterRegistry {
  private readonly sources = new Map<string, SourceAdapter>();
  private readonly targets = new Map<string, TargetAdapter>();

  addSource<C>(adapter: SourceAdapter<C>): this {
    this.sources.set(adapter.kind, adapter as unknown as SourceAdapter);
    return this;
  }

  addTarget<C>(adapter: TargetAdapter<C>): this {
    this.targets.set(adapter.kind, adapter as unknown as TargetAdapter);
    return this;
  }

  source(kind: string): SourceAdapter | undefined {
    return this.sources.get(kind);
  }

  target(kind: string): TargetAdapter | undefined {
    return this.targets.get(kind);
  }

  sourceKinds(): string[] {
    return [...this.sources.keys()];
  }

  targetKinds(): string[] {
    return [...this.targets.keys()];
  }
}
