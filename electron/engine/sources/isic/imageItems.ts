import { compileSelect, formatSelect, parseSelect } from '../../../../shared/isicSelect';
import { imageFileName } from '../../clients/isic';
import type { IsicImage, IsicRecord } from '../../clients/isic';
import { checkImage } from '../../clients/isic/isicTypes';
import type { ItemDraft } from '../../ledger/ledger';
import type { WorkItem } from '../../runner/adapters';

/** For each criterion, its text and its test; an image is selected when every test holds. */
export type LocalSelection = { text: string; test: (record: unknown) => boolean }[];

export function localSelection(criteria: readonly string[] | undefined): LocalSelection {
  return (criteria ?? []).map((text) => {
    const criterion = parseSelect(text);
    return { text: formatSelect(criterion), test: compileSelect([criterion]) };
  });
}

/**
 * One listed image as a ledger item. Its meta is the image exactly as the archive described it
 * (metadata, attribution, licence, file URL and size), so the download, the metadata table and a later
 * wiki batch all work from the ledger; an image the local selection leaves out is `skipped`, saying why.
 */
export function imageItem(image: IsicImage, selection: LocalSelection): ItemDraft {
  const name = imageFileName(image);
  const clinical = image.metadata.clinical;
  const diagnosis = typeof clinical.diagnosis_1 === 'string' ? clinical.diagnosis_1 : '';
  const draft: ItemDraft = {
    key: image.isic_id,
    path: image.files.full.url,
    name,
    group: diagnosis,
    size: image.files.full.size,
    meta: image as unknown as Record<string, unknown>,
  };
  const unmet = selection.find((criterion) => !criterion.test(image));
  if (unmet) {
    draft.status = 'skipped';
    draft.reason = 'not-selected';
    draft.message = `${image.isic_id} does not meet the local selection '${unmet.text}'; not downloaded.`;
  }
  return draft;
}

/** The image an item was listed from (its meta), checked again since the ledger row may be old. */
export function imageOf(item: Pick<WorkItem, 'key' | 'meta'>): IsicImage {
  return checkImage(item.meta, `ISIC image ${item.key} in the ledger`);
}

/** The fields metadata.csv and attribution.txt need, from a settled item's meta. */
export function recordOf(meta: Record<string, unknown>): IsicRecord | null {
  const { isic_id, attribution, copyright_license, metadata } = meta as Partial<IsicRecord>;
  if (typeof isic_id !== 'string' || typeof attribution !== 'string') return null;
  if (typeof copyright_license !== 'string' || !metadata) return null;
  return {
    isic_id,
    attribution,
    copyright_license,
    metadata: { acquisition: metadata.acquisition ?? {}, clinical: metadata.clinical ?? {} },
  };
}
