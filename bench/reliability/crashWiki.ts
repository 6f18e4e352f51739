/**
 * Crash safety of `courier wiki-upload` against a real MediaWiki 1.39: a spreadsheet of PNGs uploaded
 * while the command is SIGKILLed at random moments and started again. In the end every title holds
 * exactly one version with the file's SHA-1, the wiki has no other file, and the ledger says `done`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMediaWiki } from '../../test/servers/mediawiki';
import { writePng } from '../../test/servers/mediawiki/pngFixture';
import { fileHistory } from '../../test/integration/mediawiki/wikiBatchKit';
import { tempDir } from '../../test/support/tempDir';
import { crashLoop } from './crashLoop';
import type { CourierInstall } from './courierProcess';
import { batchCounts } from './courierProcess';
import { PartRecorder, seededRandom } from './report';
import type { PartResult } from './report';

/** Original files in the wiki's upload folder (not thumbnails, archives or stash). */
export function countWikiOriginals(imagesDir: string): number {
  let n = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!['thumb', 'temp', 'archive', 'deleted', 'lockdir'].includes(e.name)) walk(join(dir, e.name));
      } else if (e.name.endsWith('.png')) n++;
    }
  };
  walk(imagesDir);
  return n;
}

/** A spreadsheet of `count` distinct PNGs titled `Reliability RUN 0000…`, with each file page title and SHA-1. */
export async function writeWikiSheet(
  dir: string,
  count: number,
  run: string,
): Promise<{ sheet: string; files: { title: string; sha1: string }[] }> {
  const rows = ['path,name,description,date,source,author,license,categories'];
  const files: { title: string; sha1: string }[] = [];
  for (let i = 0; i < count; i++) {
    const name = `img${String(i).padStart(4, '0')}.png`;
    const path = await writePng(join(dir, name), 9_000 + i, 1_500);
    const title = `Reliability ${run} ${String(i).padStart(4, '0')}`;
    rows.push(
      `${name},${title},Image ${i} of the ${run} run,2024-03-01,Own work,Archivist,CC-BY-4.0,Reliability tests`,
    );
    files.push({
      title: `File:${title}.png`,
      sha1: createHash('sha1').update(readFileSync(path)).digest('hex'),
    });
  }
  const sheet = join(dir, 'upload.csv');
  writeFileSync(sheet, rows.join('\n') + '\n');
  return { sheet, files };
}

export async function crashWiki(
  courier: CourierInstall,
  sizes: { files: number; kills: number; seed?: number },
): Promise<PartResult> {
  const rec = new PartRecorder(
    'crash-wiki',
    `MediaWiki upload, ${sizes.files} files, ${sizes.kills} SIGKILLs`,
  );
  const dir = tempDir('reliability-crash-wiki-');
  // A second wiki stands in for Wikimedia Commons, the reference checked for duplicates.
  const [wiki, commons] = await Promise.all([
    startMediaWiki({ sitename: 'Reliability crash' }),
    startMediaWiki({ sitename: 'Reliability Commons' }),
  ]);
  try {
    const { sheet, files } = await writeWikiSheet(dir.path, sizes.files, 'crash');
    const db = join(dir.path, 'ledger.sqlite');
    let cached = 0;
    let countedAt = 0;
    const progress = () => {
      if (Date.now() - countedAt > 200) {
        cached = countWikiOriginals(join(wiki.dir, 'images'));
        countedAt = Date.now();
      }
      return cached;
    };
    const loop = await crashLoop({
      courier,
      args: [
        '--db',
        db,
        'wiki-upload',
        '--sheet',
        sheet,
        '--api',
        wiki.apiUrl,
        '--check-api',
        commons.apiUrl,
        '--name',
        'crash',
      ],
      env: { WIKI_USER: wiki.botUser, WIKI_PASSWORD: wiki.botPassword },
      kills: sizes.kills,
      random: seededRandom(sizes.seed ?? 300),
      progress,
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

    let versions = 0;
    const wrong: string[] = [];
    const twice: string[] = [];
    for (const f of files) {
      const history = await fileHistory(wiki, f.title);
      versions += history.length;
      if (history.length > 1) twice.push(f.title);
      if (history[0]?.sha1 !== f.sha1) wrong.push(f.title);
    }
    const onWiki = countWikiOriginals(join(wiki.dir, 'images'));
    rec.figure('files', sizes.files);
    rec.figure('files_on_wiki', onWiki);
    rec.figure('file_versions', versions);
    rec.check(`the wiki holds exactly ${sizes.files} files`, onWiki === sizes.files, `${onWiki} files`);
    rec.check('every title holds the file’s bytes (SHA-1)', wrong.length === 0, wrong.slice(0, 3).join(', '));
    rec.check(
      'no file was uploaded twice (one version per title)',
      twice.length === 0,
      twice.slice(0, 3).join(', '),
    );
    // The bot password went through every run: it must not be in the ledger or any log.
    const ledgerBytes = Buffer.concat(
      readdirSync(dir.path)
        .filter((n) => n.startsWith('ledger.sqlite'))
        .map((n) => readFileSync(join(dir.path, n))),
    );
    const leaked =
      ledgerBytes.includes(Buffer.from(wiki.botPassword)) ||
      loop.stderr.some((l) => l.includes(wiki.botPassword));
    rec.check('the bot password is in neither the ledger nor any log', !leaked, leaked ? 'found' : '');
    const counts = await batchCounts(courier, db, 'crash');
    rec.figure('ledger_done', counts.done ?? 0);
    rec.check(`the ledger says ${sizes.files} done`, counts.done === sizes.files, JSON.stringify(counts));
  } catch (error) {
    rec.fail(error);
  } finally {
    await Promise.all([wiki.close(), commons.close()]);
    dir.cleanup();
  }
  return rec.result();
}
