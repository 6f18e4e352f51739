import type { CasePlace } from '../../../../shared/wikiPage';
import type { SettledItem } from '../../runner/adapters';

interface CaseCount {
  studies: Set<string>;
  stacks: string[];
  images: number;
}

function caseImage(meta: Record<string, unknown>): { rid: string; study: string; stack: string } | null {
  if (meta.kind !== 'radiopaedia-image') return null;
  const kase = meta.case as { rid?: unknown } | undefined;
  const study = meta.study as { id?: unknown } | undefined;
  const stack = meta.stack as { index?: unknown } | undefined;
  if (kase?.rid === undefined || study?.id === undefined) return null;
  const studyId = String(study.id);
  return { rid: String(kase.rid), study: studyId, stack: `${studyId}/${String(stack?.index ?? 0)}` };
}

/**
 * Where each Radiopaedia image stands in its case, over every item of the earlier batch (whatever its
 * status, since the case's shape does not depend on it): how many studies and stacks the case has, the
 * image's number in the case and its stack's number, in the batch's order. Other items get nothing.
 */
export function casePlaces(items: Iterable<SettledItem>): Map<number, CasePlace> {
  const cases = new Map<string, CaseCount>();
  const places = new Map<number, CasePlace>();
  const pending: { itemId: number; count: CaseCount; imageNo: number; stack: string }[] = [];
  for (const item of items) {
    const image = caseImage(item.meta);
    if (!image) continue;
    let count = cases.get(image.rid);
    if (!count) {
      count = { studies: new Set(), stacks: [], images: 0 };
      cases.set(image.rid, count);
    }
    count.studies.add(image.study);
    if (!count.stacks.includes(image.stack)) count.stacks.push(image.stack);
    count.images += 1;
    pending.push({ itemId: item.id, count, imageNo: count.images, stack: image.stack });
  }
  for (const { itemId, count, imageNo, stack } of pending) {
    places.set(itemId, {
      studies: count.studies.size,
      stacks: count.stacks.length,
      imageNo,
      stackNo: count.stacks.indexOf(stack) + 1,
    });
  }
  return places;
}
