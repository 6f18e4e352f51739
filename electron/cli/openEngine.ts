import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { chooseDataFolder, defaultDataDir, defaultLedgerFile } from '../engine/appPaths';
import { savedBrowserPath } from '../engine/commands/settings';
import { visibleCaseWindow } from '../engine/commands/radiopaedia';
import { environmentCredentials } from '../engine/credentials';
import { Engine } from '../engine/engine';
import { promptCredentials } from './credentialPrompt';

/**
 * Opens the engine on the ledger named by `--db` (or $COURIER_DB, or the data folder chosen in Settings,
 * else the app's per-user folder). A data-folder choice that cannot be followed is reported on stderr.
 */
export function openEngine(
  program: Command,
  role: 'runner' | 'reader' = 'runner',
  mode: 'cli' | 'web' = 'cli',
): Engine {
  const named = program.opts().db as string | undefined;
  const override = named ? '--db' : process.env.COURIER_DB ? 'COURIER_DB' : null;
  const homeDir = defaultDataDir();
  if (!override) {
    const { pointer } = chooseDataFolder(homeDir);
    if (pointer.problem) process.stderr.write(`${pointer.problem} The default folder ${homeDir} is used.\n`);
  }
  const db = resolve(named ?? defaultLedgerFile());
  const engine: Engine = new Engine({
    dbFile: db,
    dataDir: dirname(db),
    mode,
    role,
    autoResume: mode === 'web',
    credentials: environmentCredentials(process.env, promptCredentials),
    dataFolder: { homeDir, override },
    ...(mode === 'web'
      ? { openInBrowser: visibleCaseWindow(dirname(db), () => savedBrowserPath(engine.ledger.db)) }
      : {}),
  });
  return engine;
}

/** A batch name for a command run without --batch: the command and the time it started. */
export function defaultBatchName(prefix: string): string {
  return `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * Finds the batch by name or creates it: re-running the same command continues the same batch. A
 * batch of that name made with other source settings continues as it was created, and the user is told.
 */
export function batchNamed(
  engine: Engine,
  name: string,
  create: () => Parameters<Engine['ledger']['batches']['create']>[0],
): number {
  const wanted = create();
  const existing = engine.ledger.batches.byName(name);
  if (!existing) return engine.ledger.batches.create(wanted).id;
  if (JSON.stringify(existing.sourceConfig) !== JSON.stringify(wanted.sourceConfig)) {
    process.stderr.write(
      `Batch '${name}' already exists with other settings; it continues as it was created.\n`,
    );
  }
  return existing.id;
}
