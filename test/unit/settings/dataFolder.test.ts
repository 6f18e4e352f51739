import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  chooseDataFolder,
  DATA_FOLDER_POINTER,
  defaultDataDir,
  defaultLedgerFile,
  readDataFolderPointer,
} from '../../../electron/engine/appPaths';
import { checkDataFolder, isInside, writeDataFolderPointer } from '../../../electron/engine/dataFolder';
import { Engine } from '../../../electron/engine/engine';
import { CourierError } from '../../../shared/errors';
import { tempDir } from '../../support/tempDir';

const dir = tempDir('courier-data-folder-');
afterAll(() => dir.cleanup());

let n = 0;
/** A fresh folder inside the test's folder. */
function folder(name = 'f'): string {
  const path = join(dir.path, `${name}-${++n}`);
  mkdirSync(path, { recursive: true });
  return path;
}

function pointTo(home: string, text: string): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, DATA_FOLDER_POINTER), text);
}

/** The CourierError a check or command (a promise, or a handler's result) ends with. */
async function refusal(outcome: unknown): Promise<CourierError> {
  const err = await Promise.resolve(outcome).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CourierError);
  return err as CourierError;
}

/**
 * Makes `path` a folder no file can be created in, even by an administrator (who ignores permissions):
 * the immutable attribute when running as root, else a read-only mode. Returns the undo.
 */
function lockFolder(path: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', path]);
    return () => execFileSync('chattr', ['-i', path]);
  }
  chmodSync(path, 0o555);
  return () => chmodSync(path, 0o755);
}

describe('the data-folder setting (data-folder.json in the per-user folder)', () => {
  it('without a setting, the per-user folder is the data folder', () => {
    const home = folder('home');
    expect(chooseDataFolder(home)).toMatchObject({ dir: home, pointer: { folder: null, problem: null } });
  });

  it('follows a setting that names an existing folder, for the CLI and web mode too', () => {
    const config = folder('xdg');
    const home = defaultDataDir({ XDG_CONFIG_HOME: config }, 'linux');
    const data = folder('data');
    pointTo(home, JSON.stringify({ folder: data }));
    expect(chooseDataFolder(home).dir).toBe(data);
    expect(defaultLedgerFile({ XDG_CONFIG_HOME: config })).toBe(join(data, 'ledger.sqlite'));
    // $COURIER_DB still wins.
    expect(defaultLedgerFile({ XDG_CONFIG_HOME: config, COURIER_DB: '/elsewhere/l.sqlite' })).toBe(
      '/elsewhere/l.sqlite',
    );
  });

  it.each([
    ['not JSON', '{folder: /data', /does not name a folder/],
    ['no folder in it', '{"dir": "/data"}', /does not name a folder/],
    ['a number', '{"folder": 7}', /does not name a folder/],
    ['a relative path', '{"folder": "courier-data"}', /'courier-data', which is not a full path/],
    [
      'a missing folder',
      '{"folder": "/nonexistent/courier-data"}',
      /cannot be reached \(it does not exist\)/,
    ],
  ])(
    'does not follow a setting with %s: the default folder is used, and the reason told',
    (_l, text, why) => {
      const home = folder('home');
      pointTo(home, text);
      const chosen = chooseDataFolder(home);
      expect(chosen.dir).toBe(home);
      expect(chosen.pointer.folder).toBeNull();
      expect(chosen.pointer.problem).toMatch(why);
      expect(chosen.pointer.problem).toContain(join(home, DATA_FOLDER_POINTER));
    },
  );

  it('does not follow a setting that names a file', () => {
    const home = folder('home');
    const file = join(folder('x'), 'ledger.sqlite');
    writeFileSync(file, '');
    pointTo(home, JSON.stringify({ folder: file }));
    expect(readDataFolderPointer(home)).toMatchObject({
      folder: null,
      problem: expect.stringMatching(/is a file, not a folder/),
    });
  });

  it('is written atomically and removed when the default folder is chosen again', async () => {
    const home = join(folder('config'), 'Imaging Courier');
    const data = folder('data');
    await writeDataFolderPointer(home, data, Date.UTC(2026, 0, 2));
    expect(JSON.parse(readFileSync(join(home, DATA_FOLDER_POINTER), 'utf8'))).toEqual({
      folder: data,
      changedAt: '2026-01-02T00:00:00.000Z',
    });
    expect(readdirSync(home)).toEqual([DATA_FOLDER_POINTER]);
    await writeDataFolderPointer(home, home, 0);
    expect(existsSync(join(home, DATA_FOLDER_POINTER))).toBe(false);
  });
});

describe('checking a new data folder', () => {
  const where = () => {
    const inUse = folder('in-use');
    return { inUse, nextStart: inUse };
  };

  it('accepts a folder that does not exist yet, and leaves nothing behind', async () => {
    const parent = folder('parent');
    const target = join(parent, 'a', 'b');
    await expect(checkDataFolder(`  ${target}  `, where())).resolves.toEqual({
      folder: target,
      exists: false,
      ledger: null,
      ledgerFile: join(target, 'ledger.sqlite'),
    });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('tells the batches of a ledger already there, and refuses a file that is no ledger', async () => {
    const target = folder('with-ledger');
    const e = new Engine({ dbFile: join(target, 'ledger.sqlite'), dataDir: target, mode: 'cli' });
    e.ledger.batches.create({
      name: 'b',
      sourceKind: 'folder',
      sourceConfig: {},
      targetKind: 'folder',
      targetConfig: {},
    });
    await e.close();
    await expect(checkDataFolder(target, where())).resolves.toMatchObject({
      exists: true,
      ledger: { batches: 1 },
    });

    const other = folder('not-a-ledger');
    writeFileSync(join(other, 'ledger.sqlite'), 'a shopping list');
    const err = await refusal(checkDataFolder(other, where()));
    expect(err.code).toBe('data-folder-bad-ledger');
    expect(err.message).toContain(join(other, 'ledger.sqlite'));
  });

  it('refuses an empty entry and a relative path', async () => {
    expect((await refusal(checkDataFolder('   ', where()))).code).toBe('data-folder-empty');
    const relative = await refusal(checkDataFolder('courier-data', where()));
    expect(relative.code).toBe('data-folder-relative');
    expect(relative.message).toContain("'courier-data' is not a full path");
    expect((await refusal(checkDataFolder('../etc', where()))).code).toBe('data-folder-relative');
  });

  it('refuses a file instead of a folder, and a folder below a file', async () => {
    const file = join(folder('x'), 'notes.txt');
    writeFileSync(file, 'x');
    const err = await refusal(checkDataFolder(file, where()));
    expect(err.code).toBe('data-folder-not-folder');
    expect(err.message).toBe(`${file} is a file, not a folder; choose a folder.`);
    const below = await refusal(checkDataFolder(join(file, 'sub'), where()));
    expect(below.message).toContain(join(file, 'sub'));
  });

  it('refuses a folder nobody may write in, and one that cannot be created there', async () => {
    const locked = folder('locked');
    const unlock = lockFolder(locked);
    try {
      const err = await refusal(checkDataFolder(locked, where()));
      expect(err.code).toBe('data-folder-unwritable');
      expect(err.message).toContain(`cannot write in ${locked}`);
      const inside = await refusal(checkDataFolder(join(locked, 'new'), where()));
      expect(inside.code).toBe('data-folder-unwritable');
      expect(inside.message).toContain(`${join(locked, 'new')} cannot be created`);
    } finally {
      unlock();
    }
  });

  it('refuses a folder inside the data folder in use (also through a link), and the current choice again', async () => {
    const w = where();
    const inside = await refusal(checkDataFolder(join(w.inUse, 'reports', 'x'), w));
    expect(inside.code).toBe('data-folder-inside');
    const link = join(folder('links'), 'to-data');
    symlinkSync(w.inUse, link);
    expect((await refusal(checkDataFolder(join(link, 'sub'), w))).code).toBe('data-folder-inside');
    expect((await refusal(checkDataFolder(w.inUse, w))).code).toBe('data-folder-unchanged');
    // A sibling whose name starts like the folder in use is not inside it.
    await expect(checkDataFolder(`${w.inUse}-new`, w)).resolves.toMatchObject({ exists: false });
  });

  it('knows what is inside what', () => {
    expect(isInside('/a/b', '/a')).toBe(true);
    expect(isInside('/a', '/a')).toBe(false);
    expect(isInside('/ab', '/a')).toBe(false);
    expect(isInside('/a/..b', '/a')).toBe(true);
    expect(isInside('/', '/a')).toBe(false);
  });
});

describe('changing the data folder through the engine', () => {
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });

  function engine(home: string): Engine {
    const data = home;
    const e = new Engine({
      dbFile: join(data, 'ledger.sqlite'),
      dataDir: data,
      mode: 'web',
      dataFolder: { homeDir: home, override: null },
    });
    engines.push(e);
    return e;
  }

  it('copies the ledger in use (consistent while it is open) and points the next start there', async () => {
    const home = folder('home');
    const e = engine(home);
    for (const name of ['first', 'second']) {
      e.ledger.batches.create({
        name,
        sourceKind: 'folder',
        sourceConfig: {},
        targetKind: 'folder',
        targetConfig: {},
      });
    }
    await e.handlers['settings.save']({ wikiPageTemplate: 'Saved {{text}} ${title}' });
    const target = join(folder('new'), 'courier');
    const result = await e.handlers['settings.changeDataFolder']({ folder: target, ledger: 'copy' });
    expect(result.copied).toBe(true);
    expect(result.message).toContain('takes effect at the next start');
    expect(result.info).toMatchObject({
      folder: home,
      nextStart: target,
      defaultFolder: home,
      problem: null,
    });
    expect(chooseDataFolder(home).dir).toBe(target);
    expect(readdirSync(target)).toEqual(['ledger.sqlite']);

    const copy = new Database(join(target, 'ledger.sqlite'), { readonly: true });
    expect(copy.prepare('SELECT name FROM batches ORDER BY id').pluck().all()).toEqual(['first', 'second']);
    expect(copy.prepare("SELECT value FROM settings WHERE key = 'wikiPageTemplate'").pluck().get()).toBe(
      'Saved {{text}} ${title}',
    );
    copy.close();
    // The engine goes on with its own ledger until the next start.
    e.ledger.batches.create({
      name: 'third',
      sourceKind: 'folder',
      sourceConfig: {},
      targetKind: 'folder',
      targetConfig: {},
    });
    expect(e.ledger.batches.list()).toHaveLength(3);

    // Choosing it again is refused (it is the choice already); going back, and then using the copy, is not.
    const again = await refusal(e.handlers['settings.changeDataFolder']({ folder: target, ledger: 'copy' }));
    expect(again.code).toBe('data-folder-unchanged');
    const back = await e.handlers['settings.changeDataFolder']({ folder: home, ledger: 'use-existing' });
    expect(back.copied).toBe(false);
    expect(existsSync(join(home, DATA_FOLDER_POINTER))).toBe(false);
    const useCopy = await e.handlers['settings.changeDataFolder']({ folder: target, ledger: 'use-existing' });
    expect(useCopy.message).toContain('The ledger there (2 batches) will be used');
    expect((await e.handlers['settings.dataFolder']({})).nextStart).toBe(target);
  });

  it('does not copy over a ledger, nor use a ledger that is not there, nor copy while batches run', async () => {
    const home = folder('home');
    const e = engine(home);
    const holder = folder('holder');
    const other = new Engine({ dbFile: join(holder, 'ledger.sqlite'), dataDir: holder, mode: 'cli' });
    await other.close();
    const over = await refusal(e.handlers['settings.changeDataFolder']({ folder: holder, ledger: 'copy' }));
    expect(over.code).toBe('data-folder-has-ledger');
    const empty = folder('empty');
    const none = await refusal(
      e.handlers['settings.changeDataFolder']({ folder: empty, ledger: 'use-existing' }),
    );
    expect(none.code).toBe('data-folder-no-ledger');

    const b = e.ledger.batches.create({
      name: 'busy',
      sourceKind: 'folder',
      sourceConfig: {},
      targetKind: 'folder',
      targetConfig: {},
    });
    e.ledger.db.prepare("UPDATE batches SET state = 'running' WHERE id = ?").run(b.id);
    const running = await refusal(e.handlers['settings.changeDataFolder']({ folder: empty, ledger: 'copy' }));
    expect(running.code).toBe('batches-running');
    expect(running.message).toContain('busy');
    expect(readdirSync(empty)).toEqual([]);
    expect(existsSync(join(home, DATA_FOLDER_POINTER))).toBe(false);
  });

  it('reports a saved choice that cannot be followed', async () => {
    const home = folder('home');
    pointTo(home, JSON.stringify({ folder: join(dir.path, 'unplugged-drive') }));
    const info = await engine(home).handlers['settings.dataFolder']({});
    expect(info).toMatchObject({ folder: home, nextStart: home });
    expect(info.problem).toContain('unplugged-drive');
  });
});
