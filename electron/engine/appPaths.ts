import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Imaging Courier';

/** The per-user data folder, where Electron's `userData` points for this app on each platform. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}

/** The ledger file: `--db`, else $COURIER_DB, else ledger.sqlite in the data folder. */
export function defaultLedgerFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.COURIER_DB ?? join(defaultDataDir(env), 'ledger.sqlite');
}
