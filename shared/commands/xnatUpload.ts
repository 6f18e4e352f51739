/**
 * What the "DICOM folder → XNAT" form asks of the engine: a sample of the folder's real paths for the
 * live preview of the path patterns, the projects a saved connection may edit, the xnatuploader workbook
 * (import and export), the scan (pass 1) with its progress, and the review of what the scan placed.
 */
import { z } from 'zod';

const batchId = z.number().int().positive();
const connectionId = z.string().min(1).max(100);
const absolutePath = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'give the full path (starting with / or a drive letter)',
  });

/** The configuration of the workbook's Configuration sheet: Paths, Mappings and XNAT sections. */
export const uploaderConfig = z
  .object({
    paths: z
      .array(
        z
          .object({ label: z.string().trim().min(1).max(200), cells: z.array(z.string().max(500)).max(64) })
          .strict(),
      )
      .max(100),
    mappings: z.record(z.string().max(200), z.array(z.string().max(500)).max(64)),
    xnat: z.record(z.string().max(200), z.string().max(2000)),
  })
  .strict();
export type UploaderConfig = z.infer<typeof uploaderConfig>;

/** Most paths one sample returns. */
export const SAMPLE_PATHS_MAX = 500;

/** A group of the review: every file of a subject, of a session of it, or of a dataset of that session. */
const reviewGroup = z
  .object({
    subject: z.string().max(1000),
    session: z.string().max(1000).optional(),
    dataset: z.string().max(1000).optional(),
  })
  .strict();
export type ReviewGroup = z.infer<typeof reviewGroup>;

export const xnatUploadCommands = {
  /**
   * Paths of files below `dir`, relative to it and `/`-separated, taken from across the tree (a few per
   * folder), walking no further than needed.
   */
  'xnatUpload.samplePaths': z
    .object({ dir: absolutePath, limit: z.number().int().min(1).max(SAMPLE_PATHS_MAX).default(100) })
    .strict(),
  /** Projects the saved connection's user may add data to. */
  'xnatUpload.projects': z.object({ connectionId }).strict(),
  /** The default configuration (what `courier init` writes). */
  'xnatUpload.defaultConfig': z.object({}).strict(),
  /** The Configuration sheet of an xnatuploader workbook on this computer. */
  'xnatUpload.readWorkbook': z.object({ path: absolutePath }).strict(),
  /** Writes a workbook with this Configuration sheet; an existing file is replaced only when asked. */
  'xnatUpload.writeWorkbook': z
    .object({ path: absolutePath, config: uploaderConfig, replace: z.boolean().default(false) })
    .strict(),
  /** The workbook's bytes (base64), for the browser to download. */
  'xnatUpload.workbookBytes': z.object({ config: uploaderConfig }).strict(),
  /**
   * Starts pass 1 of a DICOM folder → XNAT batch in the background; `scanStatus` follows it. After a
   * cancelled scan it continues: headers read before are not read again.
   */
  'xnatUpload.scan': z.object({ batchId }).strict(),
  /** Stops the batch's scan; the headers read so far are kept for the next scan. Answers once it stopped. */
  'xnatUpload.cancelScan': z.object({ batchId }).strict(),
  /** With `waitMs`, answers once the scan moved on (or that time passed), so the form need not poll fast. */
  'xnatUpload.scanStatus': z
    .object({ batchId, waitMs: z.number().int().min(0).max(10_000).default(0) })
    .strict(),
  /** What the scan placed: subject → session → dataset with counts. */
  'xnatUpload.review': z.object({ batchId }).strict(),
  /** The files of one dataset, a page at a time. */
  'xnatUpload.reviewFiles': z
    .object({
      batchId,
      subject: z.string().max(1000),
      session: z.string().max(1000),
      dataset: z.string().max(1000),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict(),
  /**
   * Leaves files out of the upload (recorded as operator decisions: skipped) or brings back files
   * an operator left out. Either a group or item ids.
   */
  'xnatUpload.select': z
    .object({
      batchId,
      upload: z.boolean(),
      group: reviewGroup.optional(),
      itemIds: z.array(z.number().int().positive()).min(1).max(10_000).optional(),
    })
    .strict()
    .refine((a) => (a.group === undefined) !== (a.itemIds === undefined), {
      message: 'give either a group or item ids',
    }),
  /** The two bars of an upload: datasets settled, and the files of the dataset being sent. */
  'xnatUpload.progress': z.object({ batchId }).strict(),
} as const;

export interface XnatUploadProject {
  id: string;
  name: string;
  secondaryId: string;
}

export interface ScanStatus {
  /** `interrupted`: a scan was under way when Imaging Courier stopped. */
  state: 'not-started' | 'scanning' | 'scanned' | 'failed' | 'cancelled' | 'interrupted';
  /** Files looked at so far (by the last scan, when it stopped). */
  seen: number;
  /** Files the folder holds, once the walk is over. */
  total: number | null;
  /** Why the scan stopped, in words for the archivist. */
  error: string | null;
  /** Files whose headers a cancelled scan read and kept: the next scan does not read them again. */
  kept: number;
  /** The folder scanned and the XNAT project the files go to. */
  dir: string;
  project: string;
}

/** Counts of one group's files. */
export interface ReviewCounts {
  /** Files that will be sent (or were). */
  selected: number;
  /** Files an operator left out. */
  deselected: number;
  /** Files the scan keeps out (not DICOM, reports, dose pages…). */
  keptOut: number;
}

export interface ReviewDataset extends ReviewCounts {
  dataset: string;
  /** The XNAT scan ID (the SeriesNumber) and type, when the header gave them. */
  seriesNumber: string;
  scanType: string;
}

export interface ReviewSession extends ReviewCounts {
  session: string;
  /** The XNAT experiment label these files go to. */
  experiment: string;
  datasets: ReviewDataset[];
}

export interface ReviewSubject extends ReviewCounts {
  subject: string;
  sessions: ReviewSession[];
}

export interface ReviewTree {
  subjects: ReviewSubject[];
  totals: ReviewCounts & { unmatched: number; files: number };
}

export interface ReviewFile {
  id: number;
  name: string;
  status: string;
  selected: boolean;
  /** Whether the operator may change `selected` (files sent or kept out by the scan may not). */
  changeable: boolean;
  message: string | null;
}

export interface UploadProgressBars {
  datasets: { total: number; settled: number };
  /** The dataset being sent (or the last one sent), with its files' progress. */
  current: { label: string; total: number; settled: number; problems: number } | null;
}

export interface XnatUploadResults {
  'xnatUpload.samplePaths': { paths: string[]; total: number; truncated: boolean };
  'xnatUpload.projects': XnatUploadProject[];
  'xnatUpload.defaultConfig': UploaderConfig;
  'xnatUpload.readWorkbook': UploaderConfig;
  'xnatUpload.writeWorkbook': { path: string };
  'xnatUpload.workbookBytes': { base64: string; fileName: string };
  'xnatUpload.scan': ScanStatus;
  'xnatUpload.cancelScan': ScanStatus;
  'xnatUpload.scanStatus': ScanStatus;
  'xnatUpload.review': ReviewTree;
  'xnatUpload.reviewFiles': { files: ReviewFile[]; total: number };
  'xnatUpload.select': { changed: number; refused: number };
  'xnatUpload.progress': UploadProgressBars;
}
