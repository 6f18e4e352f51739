/** Reports of a batch: every file as CSV, XLSX or JSON, or a printable HTML summary, saved in the data folder. */
import { z } from 'zod';

export const REPORT_FORMATS = ['csv', 'xlsx', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportFile {
  format: ReportFormat;
  /** Where the engine wrote it: `reports/` in the data folder. */
  path: string;
  /** The file's name alone (also its address below `reports/` in web mode). */
  fileName: string;
  bytes: number;
  /** csv/xlsx/json: files written; html: problem files listed one by one. */
  rows: number;
}

/** A report's file name as the engine writes it: one plain name, no folders (`name-3-20261122-174005.html`). */
export const REPORT_FILE_NAME = /^[\w-][\w.-]*$/;

export interface ReportPdf {
  /** The PDF, written beside the HTML report. */
  path: string;
  fileName: string;
  bytes: number;
  /** Whether the system's PDF viewer was asked to open it (else its folder was shown). */
  opened: boolean;
}

export const reportCommands = {
  'reports.export': z
    .object({
      batchId: z.number().int().positive(),
      format: z.enum(REPORT_FORMATS),
    })
    .strict(),
  /**
   * Desktop app only: prints an HTML report written by `reports.export` (its file name in the data
   * folder's `reports/`) to an A4 PDF beside it and opens it. In a browser, the browser's own Print does it.
   */
  'reports.printPdf': z
    .object({
      fileName: z
        .string()
        .max(255)
        .regex(REPORT_FILE_NAME, 'must be the name of a report file, without folders')
        .refine((n) => n.toLowerCase().endsWith('.html'), { message: 'must be an HTML report (.html)' }),
    })
    .strict(),
} as const satisfies Record<string, z.ZodType>;

export interface ReportResults {
  'reports.export': ReportFile;
  'reports.printPdf': ReportPdf;
}
