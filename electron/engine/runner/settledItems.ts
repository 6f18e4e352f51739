import type { Ledger } from '../ledger/ledger';
import type { ItemRecord } from '../ledger/rows';
import type { SettledItem, WorkItem } from './adapters';

/** A ledger row as the adapters see it. */
export function toWorkItem(item: ItemRecord): WorkItem {
  return {
    id: item.id,
    batchId: item.batch_id,
    key: item.key,
    path: item.path,
    name: item.name,
    group: item.group_key,
    attempts: item.attempts,
    size: item.size,
    meta: JSON.parse(item.meta) as Record<string, unknown>,
  };
}

/**
 * The items of a batch in listing order with their outcome, as a source reads an earlier batch
 * (`StepContext.batchItems`); a page at a time, so the source may await between them.
 */
export function* settledItems(ledger: Ledger, batchId: number): Generator<SettledItem> {
  for (const r of ledger.itemsInOrder(batchId))
    yield { ...toWorkItem(r), status: r.status, target: r.target, sha1: r.sha1, md5: r.md5 };
}
