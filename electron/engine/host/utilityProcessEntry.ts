// Entry of the engine's Electron utility process: plain Node plus `process.parentPort`.
import { join } from 'node:path';
import { CourierError } from '../../../shared/errors';
import { LEDGER_FILE_NAME } from '../appPaths';
import { visibleCaseWindow } from '../commands/radiopaedia';
import { savedBrowserPath } from '../commands/settings';
import { Engine } from '../engine';
import { remoteCipher, serveOverPort } from './portHost';
import type { FromEngine, PortLike } from './portHost';

const port = (process as unknown as { parentPort?: PortLike }).parentPort;
if (!port) throw new Error('The engine process must be started by the desktop shell (utilityProcess).');

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const dataDir = argument('--data-dir');
const homeDir = argument('--home-dir');
try {
  if (!dataDir) throw new Error('--data-dir is missing');
  if (!homeDir) throw new Error('--home-dir is missing');
  const { cipher, settle } = remoteCipher(port);
  const opened: { engine?: Engine } = {};
  // The visible window uses the browser saved in Settings, read from the ledger when it is needed.
  const openInBrowser = visibleCaseWindow(dataDir, () =>
    opened.engine ? savedBrowserPath(opened.engine.ledger.db) : null,
  );
  const open = (role: 'runner' | 'reader') =>
    new Engine({
      dbFile: join(dataDir, LEDGER_FILE_NAME),
      dataDir,
      mode: 'desktop',
      role,
      autoResume: true,
      cipher,
      openInBrowser,
      dataFolder: { homeDir, override: null },
    });
  let engine: Engine;
  try {
    engine = open('runner');
  } catch (err) {
    // A `courier` command is running batches from this ledger: the window still shows and decides.
    if (!(err instanceof CourierError && err.code === 'ledger-busy')) throw err;
    engine = open('reader');
  }
  opened.engine = engine;
  serveOverPort(engine, port, settle);
  process.on('SIGTERM', () => void engine.close().then(() => process.exit(0)));
} catch (err) {
  port.postMessage({ kind: 'fatal', message: (err as Error).message } satisfies FromEngine);
}
