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

export const reportCommands = {
  'reports.export': z
    .object({
      batchId: z.number().int().positive(),
      format: z.enum(REPORT_FORMATS),
    })
    .strict(),
} as const satisfies Record<string, z.ZodType>;

export interface ReportResults {
  'reports.export': ReportFile;
}
