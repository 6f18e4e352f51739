/**
 * xnatuploader's guards (reference/xnat.md §2.3): files that may carry identifying text in a form XNAT
 * does not de-identify are not uploaded.
 */
import type { DicomFields } from './dicomKeywords';

export type UploadGuard =
  | { skip: false }
  | {
      skip: true;
      code: 'encapsulated-document' | 'structured-report' | 'skipped-image-type';
      reason: string;
    };

const SR_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.88.';
const ENCAPSULATED_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.104.';

/**
 * xnatuploader's guards, which keep reports and their PHI out of XNAT: files carrying an encapsulated
 * document, structured reports, and images whose ImageType holds a skipped type (`DOSE_INFO` by
 * default, the XNAT section's `SkipImageTypes`). Also recognises SR and encapsulated-document SOP classes
 * whose Modality says otherwise.
 */
export function classifyForUpload(
  fields: DicomFields,
  options: { skipImageTypes?: readonly string[] } = {},
): UploadGuard {
  const sopClass = fields.SOPClassUID ?? '';
  if (fields.EncapsulatedDocument !== undefined || sopClass.startsWith(ENCAPSULATED_CLASS_PREFIX)) {
    const kind = fields.MIMETypeOfEncapsulatedDocument ? ` (${fields.MIMETypeOfEncapsulatedDocument})` : '';
    return {
      skip: true,
      code: 'encapsulated-document',
      reason: `DICOM carries an encapsulated document${kind}, which may hold identifying text; not uploaded`,
    };
  }
  if (fields.Modality === 'SR' || sopClass.startsWith(SR_CLASS_PREFIX)) {
    return {
      skip: true,
      code: 'structured-report',
      reason: 'DICOM is a structured report (SR), which may hold identifying text; not uploaded',
    };
  }
  const skipped = (options.skipImageTypes ?? ['DOSE_INFO'])
    .map((t) => t.trim().toUpperCase())
    .filter(Boolean);
  const imageTypes = (fields.ImageType ?? '').split('\\').map((t) => t.trim().toUpperCase());
  const hit = imageTypes.find((t) => skipped.includes(t));
  if (hit) {
    return {
      skip: true,
      code: 'skipped-image-type',
      reason: `DICOM has ImageType ${hit}, which is on the skip list; not uploaded`,
    };
  }
  return { skip: false };
}
