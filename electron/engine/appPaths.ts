import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const PRODUCT_NAME = 'Imaging Courier';
/** The ledger's file name inside a data folder. */
export const LEDGER_FILE_NAME = 'ledger.sqlite';
/** The data-folder setting: a small file in the per-user default folder naming the folder in use. */
export const DATA_FOLDER_POINTER = 'data-folder.json';

/** The per-user data folder, where Electron's `userData` points for this app on each platform. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}

/** What the data-folder setting in `homeDir` says, read without changing anything. */
export interface DataFolderPointer {
  /** The setting's file (`data-folder.json` in the per-user default folder). */
  file: string;
  /** The folder it names, when it names a usable one; null when there is no setting or it cannot be followed. */
  folder: string | null;
  /** Why a setting that exists cannot be followed (one sentence for the archivist), else null. */
  problem: string | null;
}

/** Reads the data-folder setting kept in the per-user default folder `homeDir`. */
export function readDataFolderPointer(homeDir: string): DataFolderPointer {
  const file = join(homeDir, DATA_FOLDER_POINTER);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, folder: null, problem: null };
    return {
      file,
      folder: null,
      problem: `The data-folder setting ${file} cannot be read (${errorText(err)}).`,
    };
  }
  let folder: unknown;
  try {
    folder = (JSON.parse(text) as { folder?: unknown } | null)?.folder;
  } catch {
    folder = undefined;
  }
  if (typeof folder !== 'string' || folder.trim() === '' || folder.includes('\0')) {
    return { file, folder: null, problem: `The data-folder setting ${file} does not name a folder.` };
  }
  if (!isAbsolute(folder)) {
    return {
      file,
      folder: null,
      problem: `The data-folder setting ${file} names '${folder}', which is not a full path.`,
    };
  }
  const dir = resolve(folder);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    return {
      file,
      folder: null,
      problem: `The data folder ${dir} set in ${file} cannot be reached (${errorText(err)}); is its drive connected?`,
    };
  }
  if (!isDir) {
    return { file, folder: null, problem: `The data folder ${dir} set in ${file} is a file, not a folder.` };
  }
  return { file, folder: dir, problem: null };
}

/**
 * The data folder (ledger, reports, work files, the Radiopaedia browser profile): the folder the setting in
 * `homeDir` names, else `homeDir` itself. A setting that cannot be followed is reported, not followed.
 */
export function chooseDataFolder(homeDir: string): { dir: string; pointer: DataFolderPointer } {
  const pointer = readDataFolderPointer(homeDir);
  return { dir: pointer.folder ?? resolve(homeDir), pointer };
}

/** The folder of the data folder where reports are written (and, in web mode, the only one served). */
export function reportsDir(dataDir: string): string {
  return join(dataDir, 'reports');
}

/** The ledger file: `--db`, else $COURIER_DB, else ledger.sqlite in the data folder. */
export function defaultLedgerFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.COURIER_DB || join(chooseDataFolder(defaultDataDir(env)).dir, LEDGER_FILE_NAME);
}

function errorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'part of the path is a file';
  return err instanceof Error ? err.message : String(err);
}
