/**
 * Crash safety of `courier upload`: a scanned folder sent to the XNAT emulator while the command is
 * SIGKILLed at random moments and started again. In the end the emulator must hold every file exactly
 * once with the right MD5, and the ledger must say every file is `done`.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DEFAULT_USER, startXnatEmulator } from '../../test/servers/xnat/index';
import { makeTree } from '../../test/integration/xnat/uploadFixture';
import { tempDir } from '../../test/support/tempDir';
import { crashLoop } from './crashLoop';
import type { CourierInstall } from './courierProcess';
import { batchCounts, scanForUpload } from './courierProcess';
import { PartRecorder, seededRandom } from './report';
import type { PartResult } from './report';

/** subjects × series × files = n, with at most 100 files a series and 10 series a subject. */
export function treeShape(n: number): { subjects: number; datasets: number; files: number } {
  const largestDivisor = (x: number, max: number) => {
    for (let d = Math.min(max, x); d > 1; d--) if (x % d === 0) return d;
    return 1;
  };
  const files = largestDivisor(n, 100);
  const datasets = largestDivisor(n / files, 10);
  return { subjects: n / files / datasets, datasets, files };
}

export async function crashXnat(
  courier: CourierInstall,
  sizes: { files: number; kills: number; seed?: number },
): Promise<PartResult> {
  const rec = new PartRecorder('crash-xnat', `XNAT upload, ${sizes.files} files, ${sizes.kills} SIGKILLs`);
  const dir = tempDir('reliability-crash-xnat-');
  const xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
  try {
    const tree = makeTree(join(dir.path, 'data'), { ...treeShape(sizes.files), pixelBytes: 4_096 });
    const db = join(dir.path, 'ledger.sqlite');
    const scan = await scanForUpload(courier, {
      db,
      workbook: join(dir.path, 'upload.xlsx'),
      data: join(dir.path, 'data'),
      server: xnat.url,
      batch: 'crash',
    });
    if (!rec.check('scan lists every file', scan.code === 0, scan.stderr.slice(-400))) return rec.result();
    const login = { XNAT_USER: DEFAULT_USER.username, XNAT_PASSWORD: DEFAULT_USER.password };
    const loop = await crashLoop({
      courier,
      args: ['--db', db, 'upload', '--batch', 'crash', '--concurrency', '4'],
      env: login,
      kills: sizes.kills,
      random: seededRandom(sizes.seed ?? 20),
      progress: () => xnat.state.stats.filePuts,
      total: tree.length,
    });
    rec.figure('kills', loop.kills);
    rec.figure('startup_kills', loop.startupKills);
    rec.check(
      `the command was killed ${sizes.kills} times mid-run`,
      loop.kills === sizes.kills,
      `${loop.kills} kills, ${loop.finishedEarly} runs ended first`,
    );
    rec.check(
      'the last run ends with exit status 0',
      loop.final.code === 0,
      `exit ${loop.final.code}: ${loop.final.stderr.slice(-400)}`,
    );

    const stored = xnat.state.storedFiles().filter((f) => f.project === 'P1');
    const expected = new Map(tree.map((f) => [`${f.series}/${f.rel.split('/').pop()}`, f.md5]));
    const wrong = stored.filter(
      (f) => expected.get(`${f.scan}/${f.path.split('/').pop()}`) !== f.md5 || f.digest !== f.md5,
    );
    const twice = stored.filter((f) => f.writes > 1);
    const resent = stored.reduce((sum, f) => sum + Math.max(0, f.puts - 1), 0);
    rec.figure('files', tree.length);
    rec.figure('stored', stored.length);
    rec.figure('stored_twice', twice.length);
    rec.figure('file_puts', xnat.state.stats.filePuts);
    rec.figure('resent_answered_duplicate', resent);
    rec.check(
      `the emulator holds exactly ${tree.length} files`,
      stored.length === tree.length,
      `${stored.length} stored`,
    );
    rec.check(
      'every stored file has the source MD5 (and XNAT reports it)',
      wrong.length === 0,
      wrong
        .slice(0, 3)
        .map((f) => f.key)
        .join(', '),
    );
    rec.check(
      'no file was stored twice',
      twice.length === 0,
      twice
        .slice(0, 3)
        .map((f) => `${f.key} ×${f.writes}`)
        .join(', '),
    );

    const counts = await batchCounts(courier, db, 'crash');
    rec.figure('ledger_done', counts.done ?? 0);
    rec.check(`the ledger says ${tree.length} done`, counts.done === tree.length, JSON.stringify(counts));
    const ledger = new Database(db, { readonly: true });
    try {
      rec.figure(
        'recovered_after_kill',
        ledger.prepare("SELECT count(*) FROM events WHERE kind = 'recovered'").pluck().get() as number,
      );
      rec.figure(
        'found_already_there',
        ledger.prepare("SELECT count(*) FROM items WHERE reason = 'already-there'").pluck().get() as number,
      );
    } finally {
      ledger.close();
    }
  } catch (error) {
    rec.fail(error);
  } finally {
    await xnat.close();
    dir.cleanup();
  }
  return rec.result();
}
