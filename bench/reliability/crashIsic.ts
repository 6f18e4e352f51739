/**
 * Crash safety of `courier isic`: a search of the ISIC fixture downloaded into a folder while the command
 * is SIGKILLed at random moments and started again. In the end the folder holds every image once with
 * the archive's bytes, no partial file is left, and the ledger says every image is `done`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIsicFixture } from '../../test/servers/isic';
import { tempDir } from '../../test/support/tempDir';
import { crashLoop } from './crashLoop';
import type { CourierInstall } from './courierProcess';
import { batchCounts } from './courierProcess';
import { PartRecorder, seededRandom } from './report';
import type { PartResult } from './report';

export async function crashIsic(
  courier: CourierInstall,
  sizes: { files: number; kills: number; seed?: number },
): Promise<PartResult> {
  const rec = new PartRecorder('crash-isic', `ISIC download, ${sizes.files} images, ${sizes.kills} SIGKILLs`);
  const dir = tempDir('reliability-crash-isic-');
  const fixture = await startIsicFixture({ images: sizes.files });
  try {
    const db = join(dir.path, 'ledger.sqlite');
    const out = join(dir.path, 'out');
    const loop = await crashLoop({
      courier,
      args: [
        '--db',
        db,
        'isic',
        '--api',
        fixture.apiUrl,
        '--limit',
        String(sizes.files),
        '--out',
        out,
        '--batch',
        'crash',
      ],
      env: {},
      kills: sizes.kills,
      random: seededRandom(sizes.seed ?? 2_000),
      progress: () => fixture.stats.fullImages,
      total: sizes.files,
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

    const names = readdirSync(out);
    const images = names.filter((n) => n.endsWith('.jpg'));
    const leftovers = names.filter((n) => n.startsWith('.') || n.includes('partial'));
    const wrong = images.filter(
      (n) => !readFileSync(join(out, n)).equals(fixture.fileBytes(n.replace(/\.jpg$/, ''))),
    );
    const expectedIds = new Set(fixture.images.map((i) => `${i.isicId}.jpg`));
    const unexpected = images.filter((n) => !expectedIds.has(n));
    rec.figure('images', sizes.files);
    rec.figure('files_in_folder', images.length);
    rec.figure('downloads', fixture.stats.fullImages);
    rec.figure('downloaded_again_after_kill', fixture.stats.fullImages - sizes.files);
    rec.check(
      `the folder holds exactly ${sizes.files} images`,
      images.length === sizes.files && unexpected.length === 0,
      `${images.length} images, unexpected: ${unexpected.slice(0, 3).join(', ')}`,
    );
    rec.check('every image has the archive’s bytes', wrong.length === 0, wrong.slice(0, 3).join(', '));
    rec.check(
      'no partial or temporary file is left',
      leftovers.length === 0,
      leftovers.slice(0, 5).join(', '),
    );
    const metadataRows =
      readFileSync(join(out, 'metadata.csv'), 'utf8').split('\r\n').filter(Boolean).length - 1;
    rec.check('metadata.csv has one row per image', metadataRows === sizes.files, `${metadataRows} rows`);
    const counts = await batchCounts(courier, db, 'crash');
    rec.figure('ledger_done', counts.done ?? 0);
    rec.check(`the ledger says ${sizes.files} done`, counts.done === sizes.files, JSON.stringify(counts));
  } catch (error) {
    rec.fail(error);
  } finally {
    await fixture.close();
    dir.cleanup();
  }
  return rec.result();
}
