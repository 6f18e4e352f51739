import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { capturedNames, validatePatterns } from '../../../../shared/pathPattern';
import type { XnatUploaderConfig } from '../../reports/xnatWorkbook';
import { isDicomKeyword } from '../folder/dicomHeader';
import type { DicomKeyword } from '../folder/dicomHeader';

/** The mappings xnatuploader requires: where each file goes in XNAT's hierarchy. */
export const HIERARCHY = ['Subject', 'Session', 'Dataset'] as const;

/** Prefix of a mapping value read from the DICOM header (`DICOM:StudyDate`). */
export const DICOM_PREFIX = 'DICOM:';

/**
 * Keywords every scan reads: what xnatuploader's guards test, what its Files sheet shows, and what the
 * XNAT target needs (experiment type and date, scan ID and description). Mappings may add more.
 */
export const SCAN_KEYWORDS: readonly DicomKeyword[] = [
  'ImageType',
  'SOPClassUID',
  'StudyDate',
  'Modality',
  'Manufacturer',
  'StationName',
  'StudyDescription',
  'SeriesDescription',
  'ManufacturerModelName',
  'SeriesNumber',
  'EncapsulatedDocument',
  'MIMETypeOfEncapsulatedDocument',
];

const patternRow = z.object({ label: z.string().min(1), cells: z.array(z.string()).min(1) });

export const dicomFolderConfig = z
  .object({
    /** The folder scanned; with the `files-sheet` listing, the folder relative `File` paths start from. */
    dir: z.string().min(1).refine(isAbsolute, 'the folder must be an absolute path'),
    /** `folder`: walk `dir`; `files-sheet`: take the files listed in the workbook's Files sheet. */
    listing: z.enum(['folder', 'files-sheet']).default('folder'),
    /** The xnatuploader workbook the batch was made from; its Files sheet receives the statuses. */
    workbook: z.string().refine(isAbsolute, 'the workbook must be an absolute path').optional(),
    paths: z.array(patternRow).min(1),
    mappings: z.record(z.string(), z.array(z.string().min(1)).min(1)),
    /** The workbook's XNAT section as written (Project, Server, SkipImageTypes, …). */
    xnat: z.record(z.string(), z.string()).default({}),
    /** Also list files no pattern matches, as `unmatched`, with the cell that failed. */
    includeUnmatched: z.boolean().default(false),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const error of validatePatterns(config.paths)) {
      const where = error.cellIndex >= 0 ? `, cell ${error.cellIndex + 1} "${error.cell}"` : '';
      ctx.addIssue({
        code: 'custom',
        path: ['paths'],
        message: `pattern "${error.label}"${where}: ${error.reason}`,
      });
    }
    const captured = new Set(capturedNames(config.paths));
    for (const name of HIERARCHY) {
      if (!config.mappings[name]) {
        ctx.addIssue({
          code: 'custom',
          path: ['mappings', name],
          message: `the Mappings section needs a row for ${name} (${HIERARCHY.join(', ')} are required)`,
        });
      }
    }
    for (const [name, sources] of Object.entries(config.mappings)) {
      for (const source of sources) {
        if (source.startsWith(DICOM_PREFIX)) {
          const keyword = source.slice(DICOM_PREFIX.length);
          if (!isDicomKeyword(keyword)) {
            ctx.addIssue({
              code: 'custom',
              path: ['mappings', name],
              message: `${source} is not a DICOM keyword this scan can read (for example DICOM:StudyDate, DICOM:SeriesDescription)`,
            });
          }
        } else if (!captured.has(source)) {
          ctx.addIssue({
            code: 'custom',
            path: ['mappings', name],
            message: `the mapping for ${name} uses "${source}", which no path pattern captures (write {${source}} in a pattern, or DICOM:${source} for a header value)`,
          });
        }
      }
    }
  });
export type DicomFolderConfig = z.infer<typeof dicomFolderConfig>;

/** The DICOM keywords a scan with this configuration reads: SCAN_KEYWORDS plus those the mappings name. */
export function keywordsFor(config: Pick<DicomFolderConfig, 'mappings'>): DicomKeyword[] {
  const keywords = new Set<DicomKeyword>(SCAN_KEYWORDS);
  for (const sources of Object.values(config.mappings)) {
    for (const source of sources) {
      const keyword = source.slice(DICOM_PREFIX.length);
      if (source.startsWith(DICOM_PREFIX) && isDicomKeyword(keyword)) keywords.add(keyword);
    }
  }
  return [...keywords];
}

/** `SkipImageTypes` of the XNAT section as a list (xnatuploader's default: DOSE_INFO). */
export function skipImageTypes(config: Pick<DicomFolderConfig, 'xnat'>): string[] {
  const entry = Object.entries(config.xnat).find(([key]) => key.toLowerCase() === 'skipimagetypes');
  const value = entry ? entry[1] : 'DOSE_INFO';
  return value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** A value of the XNAT section by key, ignoring letter case (`Server`, `server`). */
export function xnatSetting(config: Pick<DicomFolderConfig, 'xnat'>, key: string): string | undefined {
  const entry = Object.entries(config.xnat).find(([k]) => k.toLowerCase() === key.toLowerCase());
  const value = entry?.[1].trim();
  return value ? value : undefined;
}

/** The source settings for a workbook's configuration. */
export function configFromWorkbook(
  workbookConfig: XnatUploaderConfig,
  options: {
    dir: string;
    workbook: string;
    listing?: DicomFolderConfig['listing'];
    includeUnmatched?: boolean;
  },
): DicomFolderConfig {
  return {
    dir: options.dir,
    listing: options.listing ?? 'folder',
    workbook: options.workbook,
    paths: workbookConfig.paths.map((p) => ({ label: p.label, cells: [...p.cells] })),
    mappings: workbookConfig.mappings,
    xnat: workbookConfig.xnat,
    includeUnmatched: options.includeUnmatched ?? false,
  };
}
