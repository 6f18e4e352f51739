import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CommandName,
  CommandResults,
  EventName,
  EventPayloads,
  ParsedArgs,
} from '../../shared/contract';
import type { BatchSummary } from '../../shared/domain';
import { CourierError } from '../../shared/errors';
import { ConnectionStore } from './connections';
import { environmentCredentials } from './credentials';
import type { CredentialSource } from './credentials';
import type { DataFolderHome } from './dataFolder';
import { connectionHandlers } from './commands/connections';
import { consoleHandlers } from './commands/console';
import type { CommandContext } from './commands/context';
import { isicHandlers } from './commands/isic';
import { radiopaediaHandlers } from './commands/radiopaedia';
import { reportHandlers } from './commands/reports';
import { settingsHandlers } from './commands/settings';
import { wikiHandlers } from './commands/wiki';
import { xnatDownloadHandlers } from './commands/xnatDownload';
import { xnatUploadHandlers } from './commands/xnatUpload';
import { Ledger } from './ledger/ledger';
import type { BatchRecord } from './ledger/batchStore';
import { EventCoalescer } from './host/eventCoalescer';
import type { Scheduler } from './host/eventCoalescer';
import { builtInAdapters } from './adapters';
import type { AdapterRegistry } from './runner/adapters';
import { systemClock } from './runner/clock';
import type { Clock } from './runner/clock';
import { Runner } from './runner/runner';
import type { RunnerOptions } from './runner/runner';
import { SecretVault } from './secretVault';
import type { SecretCipher } from './secretVault';

export const ENGINE_VERSION = '0.1.0';

export interface EngineOptions {
  dbFile: string;
  dataDir: string;
  mode: 'desktop' | 'web' | 'cli';
  /** `reader` opens the ledger beside a runner in another process: no batches are run from here. */
  role?: 'runner' | 'reader';
  /** Start again the batches a previous run left `running` (desktop and web mode). */
  autoResume?: boolean;
  adapters?: AdapterRegistry;
  clock?: Clock;
  random?: () => number;
  scheduler?: Scheduler;
  cipher?: SecretCipher | null;
  defaults?: RunnerOptions['defaults'];
  backoff?: RunnerOptions['backoff'];
  openInBrowser?: (url: string) => Promise<void>;
  actor?: string;
  /** Logins for archives; default: environment variables, then ~/.netrc. */
  credentials?: CredentialSource;
  /** Where the data-folder choice is kept (Settings → Data folder); absent: the choice is not offered. */
  dataFolder?: DataFolderHome;
}

type Handlers = {
  [N in CommandName]: (args: ParsedArgs<N>) => Promise<CommandResults[N]> | CommandResults[N];
};
type Listener = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

/** The application without any window: ledger, runner and the contract's commands and events. */
export class Engine implements CommandContext {
  readonly ledger: Ledger;
  readonly runner: Runner | null;
  readonly adapters: AdapterRegistry;
  readonly vault: SecretVault;
  readonly connections: ConnectionStore;
  readonly credentials: CredentialSource;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly dbFile: string;
  readonly preparing = new Map<number, string>();
  readonly dataFolderHome: DataFolderHome | null;
  readonly handlers: Handlers;
  private readonly listeners = new Set<Listener>();
  private readonly coalescer: EventCoalescer;
  private readonly unsubscribe: () => void;
  private readonly textIndexer: NodeJS.Timeout | undefined;
  private readonly outsideWrites: NodeJS.Timeout;

  constructor(private readonly options: EngineOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.dataDir = options.dataDir;
    this.dbFile = options.dbFile;
    this.dataFolderHome = options.dataFolder ?? null;
    this.adapters = options.adapters ?? builtInAdapters();
    this.ledger = Ledger.open(options.dbFile, { now: () => clock.now(), role: options.role ?? 'runner' });
    this.vault = new SecretVault(this.ledger.db, options.cipher ?? null, () => clock.now());
    this.connections = new ConnectionStore(this.ledger.db, this.vault);
    const fallback = options.credentials ?? environmentCredentials();
    this.credentials = async (service, url) => {
      const saved = this.connections.match(service, url);
      if (!saved || saved.password === 'none') return fallback(service, url);
      try {
        return await this.connections.login(saved.id);
      } catch (err) {
        // Saved by the desktop app, which alone can decrypt it: the environment or ~/.netrc may still know.
        if (err instanceof CourierError && err.code === 'secret-locked') return fallback(service, url);
        throw err;
      }
    };
    this.runner =
      (options.role ?? 'runner') === 'runner'
        ? new Runner({
            ledger: this.ledger,
            adapters: this.adapters,
            clock,
            random: options.random,
            workRoot: join(options.dataDir, 'work'),
            defaults: options.defaults,
            backoff: options.backoff,
            credentials: this.credentials,
            // The count of files waiting for their check shows in the batch's figures.
            onChecking: (batchId) => this.coalescer.add(batchId, []),
          })
        : null;
    this.coalescer = new EventCoalescer(
      200,
      (batchId, changed) => this.emitBatchChanged(batchId, changed),
      options.scheduler,
    );
    this.unsubscribe = this.ledger.onChange((batchId, ids) => this.coalescer.add(batchId, ids));
    this.handlers = this.createHandlers();
    if (this.runner) {
      // Small steps keep the engine responsive while a large batch is indexed for search.
      this.textIndexer = setInterval(() => {
        try {
          this.ledger.indexText(2_000);
        } catch {
          // Busy or read-only for a moment: the next tick tries again.
        }
      }, 250);
      this.textIndexer.unref();
    }
    this.outsideWrites = this.watchOutsideWrites();
    if (options.autoResume && this.runner) {
      for (const batch of this.ledger.batches.list()) {
        if (batch.state === 'running') void this.runner.start(batch.id).catch(() => undefined);
      }
    }
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs a batch to its end (CLI); rejects with the error that stopped it, if any. */
  async runToEnd(batchId: number): Promise<BatchRecord['state']> {
    return this.requireRunner().start(batchId);
  }

  summary(batch: BatchRecord): BatchSummary {
    const counts = this.ledger.counts(batch.id);
    const source = this.adapters.source(batch.sourceKind);
    const target = this.adapters.target(batch.targetKind);
    const note = this.ledger.db
      .prepare(`SELECT message FROM events WHERE batch_id = ? AND item_id IS NULL ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get(batch.id) as string | undefined;
    return {
      id: batch.id,
      name: batch.name,
      source: { kind: batch.sourceKind, label: safeLabel(source, batch.sourceConfig) },
      target: { kind: batch.targetKind, label: safeLabel(target, batch.targetConfig) },
      state: batch.state,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      counts,
      version: batch.version,
      createdAt: batch.createdAt,
      updatedAt: batch.updatedAt,
      startedAt: batch.startedAt,
      finishedAt: batch.finishedAt,
      throughput: this.runner?.throughput(batch.id) ?? null,
      checking: this.runner?.checking(batch.id) ?? 0,
      collected: batch.collected,
      note: note ?? null,
    };
  }

  /** Stops running batches (in-flight files become interrupted), flushes events and closes the ledger. */
  async close(): Promise<void> {
    if (this.textIndexer) clearInterval(this.textIndexer);
    clearInterval(this.outsideWrites);
    await this.runner?.shutdown();
    this.coalescer.drain();
    this.unsubscribe();
    this.ledger.close();
  }

  /**
   * Another process (a `courier` command beside the app) may change the ledger: SQLite's data_version
   * tells when, and each batch whose version moved is announced like a change of our own.
   */
  private watchOutsideWrites(): NodeJS.Timeout {
    const seen = new Map(this.ledger.batches.list().map((b) => [b.id, b.version]));
    let dataVersion = this.ledger.db.pragma('data_version', { simple: true }) as number;
    const timer = setInterval(() => {
      let now: number;
      try {
        now = this.ledger.db.pragma('data_version', { simple: true }) as number;
      } catch {
        // The connection is busy or closing for a moment: the next tick looks again.
        return;
      }
      if (now === dataVersion) return;
      dataVersion = now;
      let listChanged = false;
      for (const b of this.ledger.batches.list()) {
        if (!seen.has(b.id)) listChanged = true;
        if (seen.get(b.id) !== b.version) this.coalescer.add(b.id, 'many');
        seen.set(b.id, b.version);
      }
      if (listChanged) this.emit('batches.changed', { reason: 'created' });
    }, 1_000);
    timer.unref();
    return timer;
  }

  requireRunner(): Runner {
    if (!this.runner) {
      throw new CourierError({
        code: 'read-only',
        message:
          'This window opened the ledger read-only because another Imaging Courier is running its batches.',
      });
    }
    return this.runner;
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  private emitBatchChanged(batchId: number, changed: number[] | 'many'): void {
    const batch = this.ledger.batches.get(batchId);
    if (!batch) return;
    const s = this.summary(batch);
    this.emit('batch.changed', {
      batchId,
      version: s.version,
      state: s.state,
      total: s.total,
      counts: s.counts,
      throughput: s.throughput,
      checking: s.checking,
      changed,
    });
  }

  startInBackground(batchId: number): void {
    const busy = this.preparing.get(batchId);
    if (busy) {
      const batch = this.ledger.batches.require(batchId);
      throw new CourierError({
        code: 'batch-busy',
        message: `Batch '${batch.name}' cannot start yet: ${busy}. Wait until that ends, or cancel it.`,
      });
    }
    void this.requireRunner()
      .start(batchId)
      .catch(() => undefined);
  }

  private createHandlers(): Handlers {
    const ledger = this.ledger;
    const byId = (batchId: number) => this.summary(ledger.batches.require(batchId));
    return {
      'app.info': () => ({
        version: ENGINE_VERSION,
        mode: this.options.mode === 'desktop' ? 'desktop' : 'web',
        dataDir: this.options.dataDir,
        sourceKinds: this.adapters.sourceKinds(),
        targetKinds: this.adapters.targetKinds(),
      }),
      'batches.list': () => ledger.batches.list().map((b) => this.summary(b)),
      'batches.get': ({ batchId }) => byId(batchId),
      'batches.create': (args) => {
        const source = this.adapters.source(args.source.kind);
        const target = this.adapters.target(args.target.kind);
        if (!source)
          throw new CourierError({
            code: 'unknown-source',
            message: `Unknown source kind '${args.source.kind}'.`,
          });
        if (!target)
          throw new CourierError({
            code: 'unknown-target',
            message: `Unknown target kind '${args.target.kind}'.`,
          });
        const sourceConfig = validateConfig(source.configSchema, args.source.config, 'source');
        const targetConfig = validateConfig(target.configSchema, args.target.config, 'target');
        const batch = ledger.batches.create({
          name: args.name,
          sourceKind: source.kind,
          sourceConfig,
          targetKind: target.kind,
          targetConfig,
          settings: args.settings ?? {},
        });
        this.emit('batches.changed', { reason: 'created' });
        if (args.start) this.startInBackground(batch.id);
        return byId(batch.id);
      },
      'batches.start': ({ batchId }) => {
        ledger.batches.require(batchId);
        this.startInBackground(batchId);
        return byId(batchId);
      },
      'batches.pause': ({ batchId }) => {
        this.requireRunner().pause(batchId);
        return byId(batchId);
      },
      'batches.resume': ({ batchId }) => {
        ledger.batches.require(batchId);
        this.startInBackground(batchId);
        return byId(batchId);
      },
      'batches.cancel': async ({ batchId }) => {
        ledger.batches.require(batchId);
        await this.requireRunner().cancel(batchId);
        return byId(batchId);
      },
      'items.window': (args) => ledger.window(args),
      'items.detail': ({ itemId }) => ledger.detail(itemId),
      'items.decide': async (args) => {
        const result = ledger.decide({ ...args, actor: this.options.actor ?? 'operator' });
        if (args.action === 'open-in-browser' && result.applied > 0 && this.options.openInBrowser) {
          for (const itemId of args.itemIds) {
            const url = ledger.item(itemId)?.path;
            if (url && /^https?:\/\//.test(url)) await this.options.openInBrowser(url);
          }
        }
        if (result.applied > 0 && this.runner) {
          const batch = ledger.batches.require(args.batchId);
          if (this.runner.isActive(batch.id)) this.runner.wake(batch.id);
          else if (batch.state === 'finished') this.startInBackground(batch.id);
        }
        return result;
      },
      'attention.summary': ({ batchId }) => ledger.attentionSummary(batchId),
      ...connectionHandlers(this),
      ...consoleHandlers(this),
      ...reportHandlers(this),
      ...settingsHandlers(this),
      ...xnatUploadHandlers(this),
      ...xnatDownloadHandlers(this),
      ...isicHandlers(this),
      ...radiopaediaHandlers(this),
      ...wikiHandlers(this),
    };
  }
}

function safeLabel(
  adapter:
    | {
        label(c: never): string;
        configSchema: { safeParse(v: unknown): { success: boolean; data?: unknown } };
      }
    | undefined,
  config: Record<string, unknown>,
): string {
  if (!adapter) return '(unknown kind)';
  const parsed = adapter.configSchema.safeParse(config);
  return parsed.success ? adapter.label(parsed.data as never) : '(invalid settings)';
}

function validateConfig(
  schema: {
    safeParse(v: unknown): {
      success: boolean;
      data?: unknown;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  },
  value: unknown,
  what: string,
): Record<string, unknown> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const details = (parsed.error?.issues ?? [])
    .map((i) => `${i.path.map(String).join('.') || what}: ${i.message}`)
    .join('; ');
  throw new CourierError({ code: 'bad-config', message: `The ${what} settings are not valid: ${details}` });
}
