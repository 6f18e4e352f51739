import type { Delivery, LocalFile, StepContext, WorkItem } from '../../runner/adapters';
import { describeFound } from './filePages';
import { fileSha1 } from './fileSha1';
import { lookUp } from './lookups';
import type { MediawikiTargetConfig } from './targetConfig';
import { uploadPlan } from './uploadPlan';
import type { WikiConnections } from './wikiConnections';

/** What a dry run found for one file, kept in the item's meta for the CLI and the UI. */
export interface DryRunReport {
  title: string;
  pageText: string;
  comment: string;
  sha1: string;
  checks: string[];
  /** What a real run would do. */
  verdict: string;
}

/**
 * Everything a real upload would check and send, without sending: the title, page text and comment,
 * and the SHA-1 and name lookups on the target and every reference wiki (anonymously). The item ends
 * `skipped` with the report in its meta.
 */
export async function dryRun(
  item: WorkItem,
  file: LocalFile,
  config: MediawikiTargetConfig,
  ctx: StepContext,
  connections: WikiConnections,
): Promise<Delivery> {
  const plan = uploadPlan(item, config);
  const sha1 = await fileSha1(file, ctx.signal);
  const found = await lookUp({
    sha1,
    title: plan.title,
    target: { api: config.api, client: connections.reader(config.api, config) },
    references: config.checkApis.map((api) => ({ api, client: connections.reader(api, config) })),
  });
  const verdict = found.sameOnTarget
    ? `already there as ${found.sameOnTarget.title}; nothing would be sent`
    : found.duplicates.length > 0
      ? `duplicate of ${describeFound(found.duplicates)}; it would not be uploaded`
      : found.titleTakenBy
        ? `the name is taken by other bytes (${found.titleTakenBy.url}); it would need a decision`
        : `would be uploaded as File:${plan.title}`;
  const report: DryRunReport = {
    title: plan.title,
    pageText: plan.text,
    comment: plan.comment,
    sha1,
    checks: [...found.checks, ...plan.notes],
    verdict,
  };
  return {
    status: 'skipped',
    reason: 'dry-run',
    message: `Dry run: ${verdict}.`,
    sha1,
    meta: { dryRun: report },
  };
}
