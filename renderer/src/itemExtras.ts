import type { ComponentType } from 'react';
import type { BatchSummary, ItemDetail } from '../../shared/domain';
import { wikiItemExtras } from './newBatch/wiki/itemExtras';

/**
 * A section a source or target adds to the item drawer and the attention queue (for example the wiki's
 * conflicting file beside the new one), shown when `applies` says so.
 */
export interface ItemExtra {
  id: string;
  title: string;
  applies(detail: ItemDetail, batch: BatchSummary): boolean;
  Component: ComponentType<{ detail: ItemDetail; batch: BatchSummary }>;
}

export const ITEM_EXTRAS: ItemExtra[] = [...wikiItemExtras];
