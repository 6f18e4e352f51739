// Settings → Browser: the check runs the real program (Debian's Chromium here) and reads its answer.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBrowser } from '../../../electron/engine/clients/browser';
import { savedBrowserPath } from '../../../electron/engine/commands/settings';
import { Engine } from '../../../electron/engine/engine';
import { CourierError } from '../../../shared/errors';
import { COURIER_BIN, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

const CHROMIUM = '/usr/bin/chromium';
const dir = tempDir('courier-browser-setting-');
afterAll(() => dir.cleanup());

/** A small program for the check to run: a shell script with `body`. */
function program(name: string, body: string, mode = 0o755): string {
  const file = join(dir.path, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

describe('checking the browser program', () => {
  it('asks Debian’s Chromium its version', async () => {
    const result = await checkBrowser(CHROMIUM);
    expect(result).toMatchObject({ ok: true, path: CHROMIUM });
    expect(result.version).toMatch(/^Chromium \d+\.\d+\.\d+\.\d+$/);
    expect(result.message).toBe(`${result.version}: ${CHROMIUM}`);
  });

  it('with nothing typed, checks the browser found automatically', async () => {
    const result = await checkBrowser('  ', { env: { PATH: '/usr/bin' } });
    expect(result.ok).toBe(true);
    expect(result.path).toBe(CHROMIUM);
    expect(result.message).toContain('(found automatically)');
  });

  it.each([
    ['a relative path', 'chromium', /'chromium' is not a full path; .*\/usr\/bin\/chromium/],
    ['a missing file', '/nonexistent/chrome', /^There is no file \/nonexistent\/chrome\.$/],
    ['a folder', '/usr/bin', /^\/usr\/bin is a folder, not a program\.$/],
  ])('refuses %s without running anything', async (_label, path, message) => {
    const result = await checkBrowser(path);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(message);
  });

  it('refuses a file that may not be run', async () => {
    const file = program('not-executable', 'echo "Chromium 1.2.3.4"', 0o644);
    const result = await checkBrowser(file);
    expect(result).toMatchObject({
      ok: false,
      message: `${file} is not allowed to run (it is not executable).`,
    });
  });

  it('refuses a program that is not a Chromium-family browser, or says nothing', async () => {
    const firefox = program('firefox', 'echo "Mozilla Firefox 128.0.3"');
    expect(await checkBrowser(firefox)).toMatchObject({
      ok: false,
      version: 'Mozilla Firefox 128.0.3',
      message: `${firefox} says it is “Mozilla Firefox 128.0.3”: Radiopaedia pages need Chrome, Edge or Chromium.`,
    });
    const quiet = program('quiet', 'exit 0');
    expect((await checkBrowser(quiet)).message).toBe(`${quiet} did not say which browser it is.`);
    const broken = program('broken', 'echo "cannot open shared object file" >&2; exit 127');
    expect((await checkBrowser(broken)).message).toBe(
      `${broken} could not be run: cannot open shared object file`,
    );
  });

  it('gives up on a program that does not answer', async () => {
    const stuck = program('stuck', 'exec sleep 30');
    const result = await checkBrowser(stuck, { timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `${stuck} did not say its version within 0.3 s; it may not be a browser, or it is stuck.`,
    );
  });
});

describe('the saved browser', () => {
  let engine: Engine;
  const data = join(dir.path, 'data');
  beforeAll(() => {
    mkdirSync(data, { recursive: true });
    engine = new Engine({ dbFile: join(data, 'ledger.sqlite'), dataDir: data, mode: 'web' });
  });
  afterAll(async () => {
    if (engine.ledger.db.open) await engine.close();
  });

  it('is saved only when it names a program that can be run, and emptied to find one automatically', async () => {
    expect((await engine.handlers['settings.get']({})).browserPath).toBe('');
    for (const bad of ['chromium', '/usr/bin', '/nonexistent/chrome']) {
      const err = await Promise.resolve()
        .then(() => engine.handlers['settings.save']({ browserPath: bad }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CourierError);
      expect((err as CourierError).code).toBe('bad-browser-path');
    }
    expect((await engine.handlers['settings.save']({ browserPath: ` ${CHROMIUM} ` })).browserPath).toBe(
      CHROMIUM,
    );
    expect(savedBrowserPath(engine.ledger.db)).toBe(CHROMIUM);
    expect((await engine.handlers['settings.save']({ browserPath: '' })).browserPath).toBe('');
    expect(savedBrowserPath(engine.ledger.db)).toBeNull();
  });

  it('is what `courier radiopaedia` uses when no --browser is given', async () => {
    requireBuilt();
    // A program that is no browser: the batch cannot start it, but the batch records which one it used.
    const fake = program('fake-browser', 'exit 3');
    await engine.handlers['settings.save']({ browserPath: fake });
    // The command runs the ledger's batches itself: this engine lets go of it first.
    await engine.close();
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          COURIER_BIN,
          '--db',
          join(data, 'ledger.sqlite'),
          'radiopaedia',
          '--case',
          '70001',
          '--site',
          'http://127.0.0.1:9',
          '--out',
          join(dir.path, 'out'),
          '--batch',
          'uses-saved',
          '--delay-ms',
          '1',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(fake);
    const db = new Database(join(data, 'ledger.sqlite'), { readonly: true });
    const config = JSON.parse(
      db.prepare("SELECT source_config FROM batches WHERE name = 'uses-saved'").pluck().get() as string,
    ) as { browserPath?: string };
    db.close();
    expect(config.browserPath).toBe(fake);
  });
});
