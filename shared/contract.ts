/**
 * The one contract between the engine and every host (Electron IPC, web mode, CLI): each command's
 * argument schema (validated by the host that receives it) and result type, and each event's payload.
 */
import { z } from 'zod';
import type { AttentionGroup, BatchSummary, ItemDetail, ItemRow } from './domain';
import { SORT_COLUMNS } from './domain';
import { ITEM_STATUSES, OPERATOR_ACTIONS } from './status';
import type { StatusCounts, BatchState } from './status';
import { connectionCommands } from './commands/connections';
import type { ConnectionResults } from './commands/connections';
import { consoleCommands } from './commands/console';
import type { ConsoleResults } from './commands/console';
import { reportCommands } from './commands/reports';
import type { ReportResults } from './commands/reports';
import { settingsCommands } from './commands/settings';
import type { SettingsResults } from './commands/settings';
import { xnatUploadCommands } from './commands/xnatUpload';
import type { XnatUploadResults } from './commands/xnatUpload';
import { xnatDownloadCommands } from './commands/xnatDownload';
import type { XnatDownloadResults } from './commands/xnatDownload';
import { isicCommands } from './commands/isic';
import type { IsicResults } from './commands/isic';
import { radiopaediaCommands } from './commands/radiopaedia';
import type { RadiopaediaResults } from './commands/radiopaedia';
import { wikiCommands } from './commands/wiki';
import type { WikiResults } from './commands/wiki';

const batchId = z.number().int().positive();
const adapterSpec = z.object({
  kind: z.string().min(1).max(64),
  config: z.record(z.string(), z.unknown()),
});

/** The engine's own commands; each feature adds its commands from `./commands/`. */
const coreCommands = {
  'app.info': z.object({}).strict(),
  'batches.list': z.object({}).strict(),
  'batches.get': z.object({ batchId }).strict(),
  'batches.create': z
    .object({
      name: z.string().trim().min(1).max(200),
      source: adapterSpec,
      target: adapterSpec,
      settings: z
        .object({
          concurrency: z.number().int().min(1).max(64).optional(),
          maxAttempts: z.number().int().min(1).max(100).optional(),
        })
        .strict()
        .optional(),
      start: z.boolean().optional(),
    })
    .strict(),
  'batches.start': z.object({ batchId }).strict(),
  'batches.pause': z.object({ batchId }).strict(),
  'batches.resume': z.object({ batchId }).strict(),
  'batches.cancel': z.object({ batchId }).strict(),
  'items.window': z
    .object({
      batchId,
      filter: z
        .object({
          statuses: z.array(z.enum(ITEM_STATUSES)).max(ITEM_STATUSES.length).optional(),
          group: z.string().max(1000).optional(),
          text: z.string().max(500).optional(),
        })
        .strict()
        .default({}),
      sort: z
        .object({ column: z.enum(SORT_COLUMNS), direction: z.enum(['asc', 'desc']) })
        .strict()
        .default({ column: 'seq', direction: 'asc' }),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(1000),
    })
    .strict(),
  'items.detail': z.object({ itemId: z.number().int().positive() }).strict(),
  'items.decide': z
    .object({
      batchId,
      itemIds: z.array(z.number().int().positive()).min(1).max(100_000),
      action: z.enum(OPERATOR_ACTIONS),
      note: z.string().max(2000).optional(),
      newName: z.string().trim().min(1).max(1000).optional(),
    })
    .strict()
    .refine((d) => d.action !== 'rename' || d.newName !== undefined, {
      message: 'rename needs newName',
      path: ['newName'],
    }),
  'attention.summary': z.object({ batchId: batchId.optional() }).strict(),
} as const;

export const commandSchemas = {
  ...coreCommands,
  ...connectionCommands,
  ...consoleCommands,
  ...reportCommands,
  ...settingsCommands,
  ...xnatUploadCommands,
  ...xnatDownloadCommands,
  ...isicCommands,
  ...radiopaediaCommands,
  ...wikiCommands,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandArgs<N extends CommandName> = z.input<(typeof commandSchemas)[N]>;
export type ParsedArgs<N extends CommandName> = z.output<(typeof commandSchemas)[N]>;

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'web';
  dataDir: string;
  sourceKinds: string[];
  targetKinds: string[];
}

export interface DecisionResult {
  applied: number;
  refused: { itemId: number; reason: string }[];
}

export interface CommandResults
  extends
    ConnectionResults,
    ConsoleResults,
    ReportResults,
    SettingsResults,
    XnatUploadResults,
    XnatDownloadResults,
    IsicResults,
    RadiopaediaResults,
    WikiResults {
  'app.info': AppInfo;
  'batches.list': BatchSummary[];
  'batches.get': BatchSummary;
  'batches.create': BatchSummary;
  'batches.start': BatchSummary;
  'batches.pause': BatchSummary;
  'batches.resume': BatchSummary;
  'batches.cancel': BatchSummary;
  'items.window': { rows: ItemRow[]; total: number; version: number };
  'items.detail': ItemDetail;
  'items.decide': DecisionResult;
  'attention.summary': AttentionGroup[];
}

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

/** Events pushed from the engine; `batch.changed` is coalesced to at most one per batch every 200 ms. */
export interface EventPayloads {
  'batch.changed': {
    batchId: number;
    version: number;
    state: BatchState;
    total: number;
    counts: StatusCounts;
    throughput: number | null;
    checking: number;
    /** Items whose row changed since the last event, or 'many' when there were too many to list. */
    changed: number[] | 'many';
  };
  'batches.changed': { reason: 'created' | 'deleted' | 'state' };
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: EventName[] = ['batch.changed', 'batches.changed'];

/** What a failed command returns over any transport. */
export interface CommandFailure {
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
}

/** Messages on the wire (web socket, utility-process port). */
export type WireRequest = { id: number; command: string; args: unknown };
export type WireResponse =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: CommandFailure };
export type WireEvent = { event: EventName; payload: unknown };

/** The typed API the renderer uses, whatever carries it. */
export type CourierApi = {
  [N in CommandName]: (args: CommandArgs<N>) => Promise<CommandResults[N]>;
};
