import type { DicomItemMeta } from './itemMeta';

/** xnatutils' `sanitize_re`: anything but letters, digits and `_` becomes `_`. */
export function sanitizeScanType(dataset: string): string {
  return dataset.replace(/[^a-zA-Z_0-9]/g, '_');
}

/**
 * Gives every file to upload its visit number and scan type, as xnatuploader collates them: a subject's
 * distinct StudyDates in order are visits 1, 2…; within a visit, each Dataset becomes a scan type made
 * safe for XNAT, and two datasets that would end up with the same type get 2, 3… appended. Numbered over
 * every listed file, whatever its Upload flag, so that deselecting files never renumbers the others.
 */
export function assignVisits(metas: Iterable<DicomItemMeta>): void {
  const all = [...metas];
  const datesBySubject = new Map<string, Set<string>>();
  for (const meta of all) {
    let dates = datesBySubject.get(meta.subject);
    if (!dates) datesBySubject.set(meta.subject, (dates = new Set()));
    dates.add(meta.dicom.StudyDate ?? '');
  }
  const visitOf = new Map<string, Map<string, number>>();
  for (const [subject, dates] of datesBySubject) {
    const sorted = [...dates].sort();
    visitOf.set(subject, new Map(sorted.map((date, i) => [date, i + 1])));
  }
  // Per visit: dataset → type, and the types already taken.
  const typesByVisit = new Map<string, { byDataset: Map<string, string>; taken: Set<string> }>();
  for (const meta of all) {
    const visit = visitOf.get(meta.subject)?.get(meta.dicom.StudyDate ?? '') ?? 1;
    meta.visit = visit;
    const key = `${meta.subject}\u0000${visit}`;
    let types = typesByVisit.get(key);
    if (!types) typesByVisit.set(key, (types = { byDataset: new Map(), taken: new Set() }));
    let type = types.byDataset.get(meta.dataset);
    if (type === undefined) {
      const base = sanitizeScanType(meta.dataset);
      type = base;
      for (let n = 2; types.taken.has(type); n++) type = `${base}${n}`;
      types.byDataset.set(meta.dataset, type);
      types.taken.add(type);
    }
    meta.scanType = type;
  }
}
