import type { Engine } from '../engine/engine';
import type { DryRunReport } from '../engine/targets/mediawiki/dryRun';

interface ReportRow {
  name: string;
  status: string;
  message: string | null;
  target: string | null;
  meta: string;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Writes what a dry run found, file by file: title, verdict, comment, checks and page text. */
export function writeDryRunReport(engine: Engine, batchId: number, out: NodeJS.WritableStream): void {
  const rows = engine.ledger.db
    .prepare('SELECT name, status, message, target, meta FROM items WHERE batch_id = ? ORDER BY seq')
    .iterate(batchId) as Iterable<ReportRow>;
  for (const row of rows) {
    const report = (JSON.parse(row.meta) as { dryRun?: DryRunReport }).dryRun;
    if (!report) {
      out.write(`=== ${row.name} ===\n  ${row.status}: ${row.message ?? '(no message)'}\n\n`);
      continue;
    }
    out.write(
      [
        `=== File:${report.title} ===`,
        `  Verdict: ${report.verdict}`,
        `  SHA-1:   ${report.sha1}`,
        `  Comment: ${report.comment}`,
        '  Checks:',
        ...report.checks.map((check) => `    - ${check}`),
        '  Page text:',
        indent(report.pageText),
        '',
        '',
      ].join('\n'),
    );
  }
}

/** Lists files that failed or need a decision (at most `limit`), each with its reason and target link. */
export function writeProblems(engine: Engine, batchId: number, out: NodeJS.WritableStream, limit = 20): void {
  const rows = engine.ledger.db
    .prepare(
      `SELECT name, status, message, target, meta FROM items WHERE batch_id = ?
       AND status IN ('failed', 'attention', 'interrupted') ORDER BY seq LIMIT ?`,
    )
    .all(batchId, limit + 1) as ReportRow[];
  for (const row of rows.slice(0, limit))
    out.write(`  ${row.status}: ${row.name}: ${row.message ?? '(no message)'}\n`);
  if (rows.length > limit) {
    out.write('  … and more: see `courier export --batch NAME --format csv --out report.csv`\n');
  }
}
