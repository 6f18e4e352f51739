import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startIsicFixture } from '../../servers/isic';
import type { IsicFixture } from '../../servers/isic';
import { tempDir } from '../../support/tempDir';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A copy of the installed layout (bin/courier.mjs + dist/cli.mjs, node_modules linked) built from the
 * current sources with the options of scripts/build.mjs, so a rebuild of the shared dist/ by another
 * process cannot pull the command from under a running test.
 */
async function buildCourier(into: string): Promise<string> {
  mkdirSync(join(into, 'bin'));
  copyFileSync(join(root, 'bin', 'courier.mjs'), join(into, 'bin', 'courier.mjs'));
  symlinkSync(join(root, 'node_modules'), join(into, 'node_modules'), 'dir');
  await build({
    entryPoints: { cli: join(root, 'electron', 'cliMain.ts') },
    outdir: join(into, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    logLevel: 'warning',
    external: ['electron', 'better-sqlite3', 'playwright-core', 'exceljs'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return join(into, 'bin', 'courier.mjs');
}

let install: { path: string; cleanup(): void };
let courierBin: string;
let fixture: IsicFixture;
let dir: { path: string; cleanup(): void };

beforeAll(async () => {
  install = tempDir('isic-cli-install-');
  courierBin = await buildCourier(install.path);
  fixture = await startIsicFixture({ images: 60 });
});
afterAll(async () => {
  await fixture.close();
  install.cleanup();
});
beforeEach(() => {
  fixture.clearFaults();
  fixture.resetStats();
  dir = tempDir('isic-cli-');
});
afterEach(() => dir.cleanup());

/** Runs `courier --db … ARGS` as a user would; the fixture keeps answering while it runs. */
function courier(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [courierBin, '--db', join(dir.path, 'ledger.sqlite'), ...args],
      { cwd: dir.path, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

const out = () => join(dir.path, 'out');

/** A loopback port nothing listens on (just released by a server of our own). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('courier isic', () => {
  it('exits 0 when every image arrived, and a second run continues the same batch without downloading again', async () => {
    const run = await courier(
      'isic',
      '--api',
      fixture.apiUrl,
      '--limit',
      '25',
      '--out',
      out(),
      '--batch',
      'b1',
    );
    expect(run.stderr).toContain('lists 60 matching image(s); downloading 25');
    expect(run.code).toBe(0);
    const files = readdirSync(out()).filter((name) => name.endsWith('.jpg'));
    expect(files).toHaveLength(25);
    for (const name of files) {
      expect(readFileSync(join(out(), name)).equals(fixture.fileBytes(name.replace('.jpg', '')))).toBe(true);
    }
    expect(readFileSync(join(out(), 'metadata.csv'), 'utf8').split('\r\n').filter(Boolean)).toHaveLength(26);
    expect(existsSync(join(out(), 'attribution.txt'))).toBe(true);
    expect(readdirSync(join(out(), 'licenses')).length).toBeGreaterThan(0);

    fixture.resetStats();
    const again = await courier(
      'isic',
      '--api',
      fixture.apiUrl,
      '--limit',
      '25',
      '--out',
      out(),
      '--batch',
      'b1',
    );
    expect(again.code).toBe(0);
    expect(fixture.stats.fullImages).toBe(0);
    const status = await courier('status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({
      batches: [{ name: 'b1', total: 25, counts: { done: 25 } }],
    });
  });

  it('exits 1 and names the image when one keeps failing, and skips with --select', async () => {
    fixture.inject({
      host: 'files',
      kind: 'status',
      status: 404,
      pathIncludes: 'ISIC_0000055',
      times: Infinity,
    });
    const run = await courier(
      'isic',
      '--api',
      fixture.apiUrl,
      '--limit',
      '10',
      '--out',
      out(),
      '--batch',
      'b2',
      '--select',
      'isic_id != ISIC_0000058',
      '--concurrency',
      '3',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: ISIC_0000055\.jpg: .*404/);
    expect(run.stderr).toContain('8 done, 1 skipped');
    expect(existsSync(join(out(), 'ISIC_0000058.jpg'))).toBe(false);
  });

  it('exits 2 for a query the archive cannot parse, a bad selection, an unknown collection or an unreachable archive', async () => {
    const badQuery = await courier(
      'isic',
      '--api',
      fixture.apiUrl,
      '--search',
      'anatom_site_general:*torso',
      '--out',
      out(),
    );
    expect(badQuery.code).toBe(2);
    expect(badQuery.stderr).toContain('could not use the search query');
    const badSelect = await courier(
      'isic',
      '--api',
      fixture.apiUrl,
      '--select',
      'metadata.clinical.sex',
      '--out',
      out(),
    );
    expect(badSelect.code).toBe(2);
    expect(badSelect.stderr).toContain('Cannot read the selection');
    const noCollection = await courier(
      'isic',
      '--api',
      fixture.apiUrl,
      '--collections',
      '61,999',
      '--out',
      out(),
    );
    expect(noCollection.code).toBe(2);
    expect(noCollection.stderr).toContain('no collection 999');
    const unreachable = await courier(
      'isic',
      '--api',
      `http://127.0.0.1:${await closedPort()}/api/v2/`,
      '--out',
      out(),
    );
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('ECONNREFUSED');
    // Each stopped before the ledger was opened: no batch, nothing downloaded.
    expect(existsSync(join(dir.path, 'ledger.sqlite'))).toBe(false);
    expect(existsSync(out())).toBe(false);
  });
});
