import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultLedgerFile } from '../engine/appPaths';
import { visibleCaseWindow } from '../engine/commands/radiopaedia';
import { environmentCredentials } from '../engine/credentials';
import { Engine } from '../engine/engine';
import { promptCredentials } from './credentialPrompt';

/** Opens the engine on the ledger named by `--db` (or $COURIER_DB, or the app's data folder). */
export function openEngine(
  program: Command,
  role: 'runner' | 'reader' = 'runner',
  mode: 'cli' | 'web' = 'cli',
): Engine {
  const db = resolve((program.opts().db as string | undefined) ?? defaultLedgerFile());
  return new Engine({
    dbFile: db,
    dataDir: dirname(db),
    mode,
    role,
    autoResume: mode === 'web',
    credentials: environmentCredentials(process.env, promptCredentials),
    ...(mode === 'web' ? { openInBrowser: visibleCaseWindow(dirname(db)) } : {}),
  });
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
