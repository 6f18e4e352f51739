import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COURIER_BIN, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

/** Prints, as the process exits, the packages it loaded from node_modules. */
const REPORT_LOADED = `
process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const at = file.lastIndexOf('node_modules/');
    if (at >= 0) names.add(file.slice(at + 13).split('/')[0]);
  }
  process.stderr.write('LOADED ' + JSON.stringify([...names]) + '\\n');
});
`;

describe('courier start-up', () => {
  const dir = tempDir('courier-startup-');
  const probe = join(dir.path, 'report-loaded.cjs');
  writeFileSync(probe, REPORT_LOADED);
  afterAll(() => dir.cleanup());

  function loadedBy(args: string[]): string[] {
    requireBuilt();
    const run = spawnSync(process.execPath, ['--require', probe, COURIER_BIN, ...args], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED '));
    return JSON.parse(line!.slice('LOADED '.length)) as string[];
  }

  it('loads the browser driver and the spreadsheet library only when a command needs them', () => {
    const db = join(dir.path, 'ledger.sqlite');
    for (const args of [['--version'], ['--db', db, 'status']]) {
      const loaded = loadedBy(args);
      expect(loaded).toContain('better-sqlite3');
      expect(loaded).not.toContain('playwright-core');
      expect(loaded).not.toContain('exceljs');
    }
  });
});
