import type { ReportFormat } from '../../../shared/commands/reports';
import type { BatchSummary } from '../../../shared/domain';
import type { Ledger } from '../ledger/ledger';
import { exportBatch } from './exportBatch';
import { writeHtmlReport } from './htmlReport';
import type { HtmlReportOptions } from './htmlReport';

export { REPORT_FORMATS } from '../../../shared/commands/reports';
export type { ReportFormat } from '../../../shared/commands/reports';

/**
 * Writes a batch in one of the report formats: csv/xlsx/json list every file (streamed), html is the
 * summary report for people. Returns how many rows were written (for html: the problem files listed).
 */
export async function writeReport(
  ledger: Ledger,
  batch: BatchSummary,
  format: ReportFormat,
  file: string,
  options: HtmlReportOptions = {},
): Promise<{ rows: number; problems?: number }> {
  if (format === 'html') {
    const r = await writeHtmlReport(ledger, batch, file, options);
    return { rows: r.problemsListed, problems: r.problems };
  }
  return { rows: await exportBatch(ledger, batch.id, format, file) };
}
