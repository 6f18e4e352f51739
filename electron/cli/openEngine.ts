import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultLedgerFile } from '../engine/appPaths';
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
  });
}

/** Finds the batch by name or creates it: re-running the same command continues the same batch. */
export function batchNamed(
  engine: Engine,
  name: string,
  create: () => Parameters<Engine['ledger']['batches']['create']>[0],
): number {
  return (engine.ledger.batches.byName(name) ?? engine.ledger.batches.create(create())).id;
}
