import { resolve } from 'node:path';
import type { DataFolderInfo, dataFolderCommands } from '../../../shared/commands/settings';
import { CourierError } from '../../../shared/errors';
import { chooseDataFolder } from '../appPaths';
import { checkDataFolder, copyLedger, writeDataFolderPointer } from '../dataFolder';
import type { DataFolderHome } from '../dataFolder';
import type { CommandContext, HandlersFor } from './context';

function requireHome(ctx: CommandContext): DataFolderHome {
  if (!ctx.dataFolderHome) {
    throw new CourierError({
      code: 'data-folder-not-offered',
      message:
        'The data folder cannot be changed from here; start Imaging Courier without --db to change it.',
    });
  }
  return ctx.dataFolderHome;
}

function dataFolderInfo(ctx: CommandContext, home: DataFolderHome): DataFolderInfo {
  const next = chooseDataFolder(home.homeDir);
  return {
    folder: resolve(ctx.dataDir),
    ledgerFile: resolve(ctx.dbFile),
    defaultFolder: resolve(home.homeDir),
    nextStart: next.dir,
    override: home.override,
    problem: next.pointer.problem,
  };
}

const OVERRIDE_NOTE: Record<NonNullable<DataFolderHome['override']>, string> = {
  COURIER_DB: ' This run uses the ledger named by $COURIER_DB; runs with it set keep using that ledger.',
  '--db': ' This run uses the ledger named by --db; runs with --db keep using the ledger they name.',
};

/** Settings → Data folder: which folder is in use, checking another one, and switching at the next start. */
export function dataFolderHandlers(ctx: CommandContext): HandlersFor<typeof dataFolderCommands> {
  const where = (home: DataFolderHome) => ({
    inUse: ctx.dataDir,
    nextStart: chooseDataFolder(home.homeDir).dir,
  });
  return {
    'settings.dataFolder': () => dataFolderInfo(ctx, requireHome(ctx)),
    'settings.checkDataFolder': ({ folder }) => checkDataFolder(folder, where(requireHome(ctx))),
    'settings.changeDataFolder': async ({ folder, ledger }) => {
      const home = requireHome(ctx);
      const check = await checkDataFolder(folder, where(home));
      let copied = false;
      if (ledger === 'copy') {
        if (check.ledger) {
          throw new CourierError({
            code: 'data-folder-has-ledger',
            message: `${check.folder} already holds a ledger (${check.ledger.batches} batches); use that ledger, or choose an empty folder to copy this one into.`,
          });
        }
        const running = ctx.ledger.batches.list().filter((b) => b.state === 'running');
        if (running.length > 0) {
          throw new CourierError({
            code: 'batches-running',
            message: `Pause the running batches first (${running.map((b) => b.name).join(', ')}): what they do after the copy would not be in the copy.`,
          });
        }
        await copyLedger(ctx.ledger.db, check.ledgerFile);
        copied = true;
      } else if (!check.ledger) {
        throw new CourierError({
          code: 'data-folder-no-ledger',
          message: `${check.folder} holds no ledger to use; copy the ledger in use there instead.`,
        });
      }
      await writeDataFolderPointer(home.homeDir, check.folder, ctx.clock.now());
      const info = dataFolderInfo(ctx, home);
      const what = copied
        ? `The ledger was copied to ${check.ledgerFile}.`
        : `The ledger there (${check.ledger?.batches ?? 0} batches) will be used.`;
      return {
        info,
        copied,
        message:
          `${what} The change takes effect at the next start: close Imaging Courier and start it again to work in ${check.folder}. ` +
          `Until then it keeps working in ${info.folder}; reports and work files already there stay there.` +
          (home.override ? OVERRIDE_NOTE[home.override] : ''),
      };
    },
  };
}
