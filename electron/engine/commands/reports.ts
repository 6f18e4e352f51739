import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { reportCommands } from '../../../shared/commands/reports';
import { CourierError } from '../../../shared/errors';
import { reportsDir } from '../appPaths';
import { writeReport } from '../reports/writeReport';
import type { CommandContext, HandlersFor } from './context';

export { reportsDir } from '../appPaths';

/** A file name from a batch name that is safe on every file system and in a URL: `name-3-20261122-174005.csv`. */
export function reportFileName(batchName: string, batchId: number, now: number, ext: string): string {
  const base =
    batchName
      .normalize('NFKD')
      .replace(/[^\w.-]+/g, '_')
      .replace(/^[._]+|[._]+$/g, '')
      .slice(0, 80) || 'batch';
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${base}-${batchId}-${stamp}.${ext}`;
}

export function reportHandlers(ctx: CommandContext): HandlersFor<typeof reportCommands> {
  return {
    'reports.export': async ({ batchId, format }) => {
      const batch = ctx.summary(ctx.ledger.batches.require(batchId));
      const dir = reportsDir(ctx.dataDir);
      mkdirSync(dir, { recursive: true });
      const now = ctx.clock.now();
      const fileName = reportFileName(batch.name, batch.id, now, format);
      const path = join(dir, fileName);
      const { rows } = await writeReport(ctx.ledger, batch, format, path, { now });
      return { format, path, fileName, rows, bytes: (await stat(path)).size };
    },
    // The desktop shell answers this itself (it alone can print a page); any other host says where to print.
    'reports.printPdf': () => {
      throw new CourierError({
        code: 'desktop-only',
        message:
          'Print to PDF is done by the desktop app. Here, open the HTML report and use the browser’s Print → Save as PDF.',
      });
    },
  };
}
