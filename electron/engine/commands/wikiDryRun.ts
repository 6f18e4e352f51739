// The GUI's dry run of a wiki upload: the source lists files as it would for a batch, and the mediawiki
// target's own dry run (title, page text, comment, SHA-1 and name checks) describes each one. No batch is
// created and nothing is uploaded.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { WikiDryRun, WikiDryRunRow } from '../../../shared/commands/wiki';
import { CourierError, isCourierError } from '../../../shared/errors';
import type { ItemDraft } from '../ledger/ledger';
import type { SourceAdapter, StepContext, TargetAdapter, WorkItem } from '../runner/adapters';
import { HostLimiter } from '../runner/hostLimiter';
import { settledItems } from '../runner/settledItems';
import type { DryRunReport } from '../targets/mediawiki/dryRun';
import type { CommandContext } from './context';

export interface DryRunRequest {
  source: { kind: string; config: Record<string, unknown> };
  target: Record<string, unknown>;
  limit: number;
}

function parsed(adapter: { configSchema: z.ZodType<unknown> }, value: unknown, what: string): unknown {
  const result = adapter.configSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map(
      (i) => `${i.path.map(String).join('.') || 'setting'}: ${i.message}`,
    );
    throw new CourierError({
      code: 'bad-config',
      message: `The ${what} settings are not valid: ${issues.join('; ')}`,
    });
  }
  return result.data;
}

function messageOf(err: unknown): string {
  return isCourierError(err) || err instanceof Error ? err.message : String(err);
}

/** Lists up to `limit` files from the source and describes each one with the target's own dry run. */
export async function wikiDryRun(ctx: CommandContext, request: DryRunRequest): Promise<WikiDryRun> {
  const source = ctx.adapters.source(request.source.kind) as SourceAdapter<unknown> | undefined;
  const target = ctx.adapters.target('mediawiki') as TargetAdapter<unknown> | undefined;
  if (!source || !target) {
    throw new CourierError({
      code: 'unknown-adapter',
      message: `This build cannot read '${request.source.kind}'.`,
    });
  }
  const sourceConfig = parsed(source, request.source.config, 'source');
  const targetConfig = parsed(target, { ...request.target, dryRun: true }, 'wiki');
  const nextBatch =
    (ctx.ledger.db.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM batches').pluck().get() as
      number | undefined) ?? 1;
  const workRoot = join(ctx.dataDir, 'work');
  mkdirSync(workRoot, { recursive: true });
  const workDir = await mkdtemp(join(workRoot, 'dry-run-'));
  const controller = new AbortController();
  const step: StepContext = {
    signal: controller.signal,
    clock: ctx.clock,
    hosts: new HostLimiter(ctx.clock),
    workDir,
    progress: () => undefined,
    credentials: ctx.credentials,
    batchItems: (name) => settledItems(ctx.ledger, ctx.ledger.batches.requireByName(name).id),
    addItems: () => 0,
  };
  const rows: WikiDryRunRow[] = [];
  let more: boolean;
  try {
    const drafts: ItemDraft[] = [];
    for await (const chunk of source.collect(sourceConfig, step)) {
      drafts.push(...chunk);
      if (drafts.length > request.limit) break;
    }
    more = drafts.length > request.limit;
    let n = 0;
    for (const draft of drafts.slice(0, request.limit)) {
      n++;
      if (draft.status && draft.status !== 'pending') {
        rows.push({
          name: draft.name,
          outcome: 'not-sent',
          title: null,
          pageText: null,
          comment: null,
          sha1: null,
          checks: [],
          verdict: draft.message ?? `Left out (${draft.reason ?? draft.status}).`,
        });
        continue;
      }
      const item: WorkItem = {
        id: n,
        batchId: nextBatch,
        key: draft.key,
        path: draft.path,
        name: draft.name,
        group: draft.group ?? '',
        attempts: 0,
        size: draft.size ?? null,
        meta: draft.meta ?? {},
      };
      try {
        const file = await source.fetch(item, sourceConfig, step);
        try {
          const delivery = await target.deliver(item, file, targetConfig, step);
          const report = delivery.meta?.dryRun as DryRunReport | undefined;
          rows.push({
            name: item.name,
            outcome: 'would-send',
            title: report?.title ?? null,
            pageText: report?.pageText ?? null,
            comment: report?.comment ?? null,
            sha1: report?.sha1 ?? delivery.sha1 ?? null,
            checks: report?.checks ?? [],
            verdict: report?.verdict ?? delivery.message ?? '',
          });
        } finally {
          await file.release?.();
        }
      } catch (err) {
        rows.push({
          name: item.name,
          outcome: 'failed',
          title: null,
          pageText: null,
          comment: null,
          sha1: null,
          checks: [],
          verdict: messageOf(err),
        });
      }
    }
  } finally {
    controller.abort();
    await source.close?.(sourceConfig, step).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
  return { rows, more };
}
