import type { BatchState, ItemStatus, OperatorAction, StatusCounts } from './status';

/** One batch as the UI and the CLI see it. */
export interface BatchSummary {
  id: number;
  name: string;
  source: { kind: string; label: string };
  target: { kind: string; label: string };
  state: BatchState;
  total: number;
  counts: StatusCounts;
  version: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Files finished per second over the last minute of work, null when idle. */
  throughput: number | null;
  /** Files sent and waiting for the target's check (say, XNAT's listing of their MD5); counted as running. */
  checking: number;
  /** True once the source has listed every file of the batch. */
  collected: boolean;
  /** The latest thing that happened to the batch as a whole ("Paused by the operator", "Stopped: …"). */
  note: string | null;
}

/** One row of a per-file table. */
export interface ItemRow {
  id: number;
  seq: number;
  batchId: number;
  path: string;
  name: string;
  group: string;
  status: ItemStatus;
  reason: string | null;
  message: string | null;
  attempts: number;
  size: number | null;
  target: string | null;
  updatedAt: number;
  actions: OperatorAction[];
}

export interface ItemEvent {
  id: number;
  at: number;
  kind: string;
  status: ItemStatus | null;
  code: string | null;
  message: string | null;
  data: Record<string, unknown> | null;
}

export interface ItemDetail {
  item: ItemRow & { sha1: string | null; md5: string | null; meta: Record<string, unknown> };
  events: ItemEvent[];
}

export const SORT_COLUMNS = [
  'seq',
  'name',
  'path',
  'group',
  'status',
  'size',
  'updatedAt',
  'attempts',
  'reason',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export interface ItemFilter {
  statuses?: ItemStatus[];
  group?: string;
  text?: string;
}

export interface AttentionGroup {
  batchId: number;
  batchName: string;
  reason: string;
  count: number;
  actions: OperatorAction[];
  sampleMessage: string | null;
}
