import type {
  CommandName,
  CommandResults,
  EventName,
  EventPayloads,
  ParsedArgs,
} from '../../../shared/contract';
import type { BatchSummary } from '../../../shared/domain';
import type { ConnectionStore } from '../connections';
import type { CredentialSource } from '../credentials';
import type { DataFolderHome } from '../dataFolder';
import type { BatchRecord } from '../ledger/batchStore';
import type { Ledger } from '../ledger/ledger';
import type { AdapterRegistry } from '../runner/adapters';
import type { Clock } from '../runner/clock';
import type { Runner } from '../runner/runner';
import type { SecretVault } from '../secretVault';

/** What a feature's command handlers may use of the engine. */
export interface CommandContext {
  readonly ledger: Ledger;
  /** Null when this process opened the ledger read-only beside a running `courier` command. */
  readonly runner: Runner | null;
  readonly adapters: AdapterRegistry;
  readonly vault: SecretVault;
  readonly connections: ConnectionStore;
  /** The data folder (ledger, work folders, default output folders). */
  readonly dataDir: string;
  /** The ledger file in use. */
  readonly dbFile: string;
  /** Where the data-folder choice is kept; null when this host offers no such choice. */
  readonly dataFolderHome: DataFolderHome | null;
  readonly clock: Clock;
  /** Batches busy with work outside the runner (a folder scan), each with what it is doing: they cannot start. */
  readonly preparing: Map<number, string>;
  /** Logins: a saved connection for the URL first, then the environment and ~/.netrc. */
  readonly credentials: CredentialSource;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  summary(batch: BatchRecord): BatchSummary;
  /** The runner, or `read-only` when this process may not run batches. */
  requireRunner(): Runner;
  startInBackground(batchId: number): void;
}

/** The handlers of one feature's commands (`C` is its `…Commands` object from `shared/commands/`). */
export type HandlersFor<C> = {
  [N in keyof C & CommandName]: (args: ParsedArgs<N>) => Promise<CommandResults[N]> | CommandResults[N];
};
