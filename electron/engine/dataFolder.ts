// Choosing another data folder: checking a folder a person typed, copying the ledger there consistently
// while the engine runs, and writing the setting the next start follows.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, realpath, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { DataFolderCheck } from '../../shared/commands/settings';
import { CourierError } from '../../shared/errors';
import { DATA_FOLDER_POINTER, LEDGER_FILE_NAME, readDataFolderPointer } from './appPaths';

/** Where the data folder is decided: the per-user default folder, and what overrides the setting for this run. */
export interface DataFolderHome {
  /** The per-user default folder: it holds the setting, and is the data folder unless another is set. */
  homeDir: string;
  /** This run's ledger was named on the command line or by $COURIER_DB, so the setting does not apply to it. */
  override: 'COURIER_DB' | '--db' | null;
}

function folderError(code: string, message: string): CourierError {
  return new CourierError({ code, message });
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  if (code === 'ENOTDIR') return 'part of the path is a file, not a folder';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOENT') return 'a folder on the way cannot be created';
  return err instanceof Error ? err.message : String(err);
}

/** The path with symbolic links resolved as far as the folders exist (the rest is kept as typed). */
async function canonical(path: string): Promise<string> {
  const rest: string[] = [];
  let at = path;
  for (;;) {
    try {
      return join(await realpath(at), ...rest.reverse());
    } catch {
      const parent = dirname(at);
      if (parent === at) return path;
      rest.push(parse(at).base);
      at = parent;
    }
  }
}

function sameFolder(a: string, b: string): boolean {
  const fold = (p: string) =>
    process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
  return fold(a) === fold(b);
}

/** True when `child` is strictly inside `parent`. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Whether files can be made in `folder`: a real test (a file written and removed), since permissions alone
 * do not tell (an administrator ignores them; a read-only drive or a locked folder does not). A folder that
 * does not exist yet is created for the test and removed again.
 */
async function probeWritable(folder: string): Promise<void> {
  let created: string | undefined;
  try {
    created = await mkdir(folder, { recursive: true });
  } catch (err) {
    throw folderError('data-folder-unwritable', `The folder ${folder} cannot be created: ${reason(err)}.`);
  }
  const probe = join(folder, `.courier-write-check-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(probe, 'x', { flag: 'wx' });
    await unlink(probe);
  } catch (err) {
    throw folderError(
      'data-folder-unwritable',
      `Imaging Courier cannot write in ${folder} (${reason(err)}); choose a folder you can write to.`,
    );
  } finally {
    // Folders made only for the test are removed, deepest first; rmdir leaves any that are not empty.
    if (created) {
      for (let dir = folder; ; dir = dirname(dir)) {
        await rmdir(dir).catch(() => undefined);
        if (dir === created || dirname(dir) === dir) break;
      }
    }
  }
}

/** Counts the batches of the ledger file `file`, or says why it is not an Imaging Courier ledger. */
function ledgerBatches(file: string): number {
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return db.prepare('SELECT COUNT(*) FROM batches').pluck().get() as number;
  } catch (err) {
    throw folderError(
      'data-folder-bad-ledger',
      `${file} is not an Imaging Courier ledger (${err instanceof Error ? err.message : String(err)}); move it away or choose another folder.`,
    );
  } finally {
    db?.close();
  }
}

/**
 * Checks a folder a person typed as the new data folder: a full path, a folder (or one that can be
 * created), writable, not inside the folder in use, not already the data folder of the next start.
 * Tells whether a ledger is there already. Changes nothing on disk.
 */
export async function checkDataFolder(
  input: string,
  where: { inUse: string; nextStart: string },
): Promise<DataFolderCheck> {
  const typed = input.trim();
  if (typed === '') throw folderError('data-folder-empty', 'Type the full path of the new data folder.');
  if (typed.includes('\0'))
    throw folderError('data-folder-bad-path', 'The folder name contains a character no file system accepts.');
  if (!isAbsolute(typed)) {
    throw folderError(
      'data-folder-relative',
      `'${typed}' is not a full path: give the whole path from the top, e.g. ${process.platform === 'win32' ? 'D:\\Courier data' : '/data/courier'}.`,
    );
  }
  const folder = resolve(typed);
  const info = await stat(folder).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw folderError('data-folder-unreachable', `The folder ${folder} cannot be reached: ${reason(err)}.`);
  });
  if (info && !info.isDirectory()) {
    throw folderError('data-folder-not-folder', `${folder} is a file, not a folder; choose a folder.`);
  }
  const [target, inUse, nextStart] = await Promise.all([
    canonical(folder),
    canonical(resolve(where.inUse)),
    canonical(resolve(where.nextStart)),
  ]);
  if (sameFolder(target, nextStart)) {
    throw folderError('data-folder-unchanged', `${folder} is already the data folder.`);
  }
  if (isInside(target, inUse)) {
    throw folderError(
      'data-folder-inside',
      `${folder} is inside the data folder in use (${where.inUse}); choose a folder outside it.`,
    );
  }
  await probeWritable(folder);
  const ledgerFile = join(folder, LEDGER_FILE_NAME);
  const ledger = info && existsSync(ledgerFile) ? { batches: ledgerBatches(ledgerFile) } : null;
  return { folder, exists: info !== null, ledger, ledgerFile };
}

/**
 * Copies the ledger in use to `ledgerFile` with SQLite's online backup, so the copy is consistent while
 * batches and windows keep using the ledger. Written beside the target first and renamed when complete.
 */
export async function copyLedger(db: Db, ledgerFile: string): Promise<void> {
  await mkdir(dirname(ledgerFile), { recursive: true });
  const partial = `${ledgerFile}.copying-${randomBytes(4).toString('hex')}`;
  try {
    await db.backup(partial);
    if (existsSync(ledgerFile)) {
      throw folderError(
        'data-folder-has-ledger',
        `${ledgerFile} appeared while the ledger was being copied; nothing was replaced.`,
      );
    }
    await rename(partial, ledgerFile);
  } catch (err) {
    await rm(partial, { force: true });
    if (err instanceof CourierError) throw err;
    throw folderError(
      'data-folder-copy-failed',
      `The ledger could not be copied to ${ledgerFile}: ${reason(err)}.`,
    );
  }
}

/**
 * Writes the data-folder setting in `homeDir` so the next start uses `folder`; choosing `homeDir` itself
 * removes the setting. Written to a temporary file and renamed, so a crash leaves the old or the new one.
 */
export async function writeDataFolderPointer(homeDir: string, folder: string, now: number): Promise<void> {
  const file = join(homeDir, DATA_FOLDER_POINTER);
  if (sameFolder(await canonical(resolve(folder)), await canonical(resolve(homeDir)))) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(homeDir, { recursive: true });
  const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const text = `${JSON.stringify({ folder: resolve(folder), changedAt: new Date(now).toISOString() }, null, 2)}\n`;
  try {
    await writeFile(partial, text, { flag: 'wx' });
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw folderError(
      'data-folder-setting-unwritable',
      `The setting ${file} could not be written: ${reason(err)}.`,
    );
  }
  const written = readDataFolderPointer(homeDir);
  if (written.folder === null) {
    throw folderError(
      'data-folder-setting-unwritable',
      written.problem ?? `The setting ${file} could not be read back.`,
    );
  }
}
