import { z } from 'zod';
import { CourierError } from '../../../../shared/errors';
import type { DicomFields } from '../folder/dicomHeader';
import { DICOM_PREFIX, HIERARCHY } from './sourceConfig';

/** What the scan learnt about one file: where it goes in XNAT and why. Stored as the item's `meta`. */
export interface DicomItemMeta {
  /** Label of the path pattern that matched. */
  pattern: string;
  subject: string;
  session: string;
  dataset: string;
  /** Values of mappings other than Subject, Session and Dataset. */
  mappings?: Record<string, string>;
  /** Values captured from the path by the pattern. */
  captured: Record<string, string>;
  /** Header values by DICOM keyword (only those the scan reads). */
  dicom: DicomFields;
  /** xnatuploader's visit: 1, 2… over the subject's distinct StudyDates in order. */
  visit?: number;
  /** The scan type: Dataset made safe for XNAT, numbered when two datasets of a visit would clash. */
  scanType?: string;
  /** A session label the workbook already gives (a sheet continued from xnatuploader). */
  sessionLabel?: string;
  /** The workbook's Upload column: N keeps the file out of the upload. */
  upload: boolean;
}

const metaSchema = z.object({
  pattern: z.string(),
  subject: z.string(),
  session: z.string(),
  dataset: z.string(),
  mappings: z.record(z.string(), z.string()).optional(),
  captured: z.record(z.string(), z.string()),
  dicom: z.record(z.string(), z.string()),
  visit: z.number().int().positive().optional(),
  scanType: z.string().optional(),
  sessionLabel: z.string().optional(),
  upload: z.boolean(),
});

/** Reads an item's meta as the scan wrote it; an item from elsewhere is refused with a clear error. */
export function dicomItemMeta(meta: Record<string, unknown>, itemName: string): DicomItemMeta {
  const parsed = metaSchema.safeParse(meta);
  if (parsed.success) return parsed.data as DicomItemMeta;
  throw new CourierError({
    code: 'not-scanned',
    message: `${itemName} has no subject, session and dataset from a DICOM scan; only files listed by a DICOM folder scan can be uploaded to XNAT.`,
  });
}

/** Mapping values as xnatuploader forms them: the named values concatenated, spaces turned into `_`. */
export function mapValues(
  mappings: Record<string, string[]>,
  captured: Record<string, string>,
  dicom: DicomFields,
): { mapped: Record<string, string> } | { missing: string; mapping: string } {
  const mapped: Record<string, string> = {};
  for (const [name, sources] of Object.entries(mappings)) {
    let value = '';
    for (const source of sources) {
      const part = source.startsWith(DICOM_PREFIX)
        ? dicom[source.slice(DICOM_PREFIX.length) as keyof DicomFields]
        : captured[source];
      if (part === undefined) return { missing: source, mapping: name };
      value += part;
    }
    mapped[name] = value.replaceAll(' ', '_');
  }
  return { mapped };
}

/** The item meta for a matched file (visit and scan type are added once the whole listing is known). */
export function matchedMeta(
  pattern: string,
  mapped: Record<string, string>,
  captured: Record<string, string>,
  dicom: DicomFields,
  upload: boolean,
): DicomItemMeta {
  const meta: DicomItemMeta = {
    pattern,
    subject: mapped.Subject ?? '',
    session: mapped.Session ?? '',
    dataset: mapped.Dataset ?? '',
    captured,
    dicom,
    upload,
  };
  const extra = Object.entries(mapped).filter(([name]) => !(HIERARCHY as readonly string[]).includes(name));
  if (extra.length > 0) meta.mappings = Object.fromEntries(extra);
  return meta;
}

/** A mapping value by name, whether it is one of the three or an extra one. */
export function mappingValue(meta: DicomItemMeta, name: string): string | undefined {
  if (name === 'Subject') return meta.subject;
  if (name === 'Session') return meta.session;
  if (name === 'Dataset') return meta.dataset;
  return meta.mappings?.[name];
}
