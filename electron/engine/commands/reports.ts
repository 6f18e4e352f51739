import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { reportCommands } from '../../../shared/commands/reports';
import { writeReport } from '../reports/writeReport';
import type { CommandContext, HandlersFor } from './context';

/** The folder of the data folder where reports are written (and, in web mode, the only one served). */
export function reportsDir(dataDir: string): string {
  return join(dataDir, 'reports');
}

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
  };
}
