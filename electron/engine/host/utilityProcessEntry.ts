// Entry of the engine's Electron utility process: plain Node plus `process.parentPort`.
import { join } from 'node:path';
import { CourierError } from '../../../shared/errors';
import { visibleCaseWindow } from '../commands/radiopaedia';
import { Engine } from '../engine';
import { remoteCipher, serveOverPort } from './portHost';
import type { FromEngine, PortLike } from './portHost';

const port = (process as unknown as { parentPort?: PortLike }).parentPort;
if (!port) throw new Error('The engine process must be started by the desktop shell (utilityProcess).');

const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1];
try {
  if (!dataDir) throw new Error('--data-dir is missing');
  const { cipher, settle } = remoteCipher(port);
  const open = (role: 'runner' | 'reader') =>
    new Engine({
      dbFile: join(dataDir, 'ledger.sqlite'),
      dataDir,
      mode: 'desktop',
      role,
      autoResume: true,
      cipher,
      openInBrowser: visibleCaseWindow(dataDir),
    });
  let engine: Engine;
  try {
    engine = open('runner');
  } catch (err) {
    // A `courier` command is running batches from this ledger: the window still shows and decides.
    if (!(err instanceof CourierError && err.code === 'ledger-busy')) throw err;
    engine = open('reader');
  }
  serveOverPort(engine, port, settle);
  process.on('SIGTERM', () => void engine.close().then(() => process.exit(0)));
} catch (err) {
  port.postMessage({ kind: 'fatal', message: (err as Error).message } satisfies FromEngine);
}
