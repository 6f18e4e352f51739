import { uploadComment, wikiFacts, wikiPageText } from '../../../../shared/wikiPage';
import type { WorkItem } from '../../runner/adapters';
import type { MediawikiTargetConfig } from './targetConfig';

/** What goes up for one item: its name on the wiki, its page text and its upload comment. */
export interface UploadPlan {
  /** File name without `File:` (the item's name, which an operator's rename changes). */
  title: string;
  text: string;
  comment: string;
  /** Things worth a person's eye before upload (no licence, say). */
  notes: string[];
}

export function uploadPlan(
  item: Pick<WorkItem, 'name' | 'meta' | 'batchId'>,
  config: Pick<MediawikiTargetConfig, 'pageTemplate' | 'commentTemplate'>,
): UploadPlan {
  const title = item.name.trim();
  const facts = wikiFacts(item.meta, { title, batch: item.batchId });
  return {
    title,
    text: wikiPageText(facts, config.pageTemplate),
    comment: uploadComment(facts, config.commentTemplate),
    notes: facts.notes,
  };
}

/** Whether an operator approved this item (upload despite a duplicate or a warning). */
export function isApproved(meta: Record<string, unknown>): boolean {
  return typeof meta.approved === 'object' && meta.approved !== null;
}
