/**
 * Injected faults against servers without a fault switch of their own, through the fault proxy
 * (test/servers/faultProxy.ts): a spreadsheet of PNGs uploaded to a real MediaWiki (the wiki's API behind
 * the proxy; the stand-in for Commons is reached directly), and a Radiopaedia case read by Chromium and
 * downloaded from the fixture site (every request behind the proxy). The proxy answers ~10 % of the
 * requests with 503 (a third with Retry-After: 1), resets ~2 % of connections (half of them after the
 * server did the work, so the answer is lost) and stalls ~1 %. Every item must end `done` (with the right
 * bytes at the destination, once) or in `attention` with its cause; none may be lost without a word.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileHistory } from '../../test/integration/mediawiki/wikiBatchKit';
import { startFaultProxy } from '../../test/servers/faultProxy';
import type { FaultProxy } from '../../test/servers/faultProxy';
import type { FaultRates } from '../../test/servers/faultPlan';
import { startMediaWiki } from '../../test/servers/mediawiki';
import { startRadiopaediaFixture } from '../../test/servers/radiopaedia';
import { tempDir } from '../../test/support/tempDir';
import type { CourierInstall, CourierRun } from './courierProcess';
import { countWikiOriginals, writeWikiSheet } from './crashWiki';
import { exportedItems, settledWithCause } from './faults';
import { PartRecorder } from './report';
import type { PartResult } from './report';

/** The issue's fault mix: 10 % 5xx (some with Retry-After), 2 % resets, 1 % stalls. */
function issueRates(stallMs: number, match?: FaultRates['match']): FaultRates {
  return {
    serverError: 0.1,
    retryAfter: '1',
    retryAfterShare: 0.3,
    reset: 0.02,
    stall: 0.01,
    stallMs,
    ...(match ? { match } : {}),
  };
}

/** The command, run under faults, must end by itself: 0 when every file is done, 1 when some need a decision. */
function endedByItself(rec: PartRecorder, run: CourierRun): void {
  rec.check(
    'the run ends by itself with exit status 0 or 1',
    run.code === 0 || run.code === 1,
    `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}: ${run.stderr.slice(-400)}`,
  );
}

function proxyFigures(rec: PartRecorder, proxy: FaultProxy): void {
  for (const [kind, n] of Object.entries(proxy.faults.fired)) rec.figure(`injected_${kind}`, n);
  rec.figure('lost_answers', proxy.stats.lostAnswers);
  rec.figure('requests', proxy.stats.requests);
}

function list(values: readonly string[]): string {
  return values.slice(0, 3).join(', ');
}

export async function faultsWiki(
  courier: CourierInstall,
  sizes: { files: number; stallMs: number; seed?: number },
): Promise<PartResult> {
  const rec = new PartRecorder(
    'faults-wiki',
    `MediaWiki upload of ${sizes.files} files under injected faults`,
  );
  const dir = tempDir('reliability-faults-wiki-');
  // A second wiki stands in for Wikimedia Commons (the reference checked for duplicates), reached directly.
  const [wiki, commons] = await Promise.all([
    startMediaWiki({ sitename: 'Reliability faults' }),
    startMediaWiki({ sitename: 'Reliability Commons' }),
  ]);
  const proxy = await startFaultProxy({ target: wiki.serverUrl, seed: sizes.seed ?? 301 });
  try {
    const { sheet, files } = await writeWikiSheet(dir.path, sizes.files, 'faults');
    const db = join(dir.path, 'ledger.sqlite');
    const api = `${proxy.url}${new URL(wiki.apiUrl).pathname}`;
    proxy.faults.setRates(issueRates(sizes.stallMs));
    // Besides the resets at random: the answers to two uploads are lost after the wiki stored the file.
    proxy.faults.failNext(2, {
      kind: 'reset',
      afterAnswer: true,
      match: { method: 'POST', contentType: /^multipart\/form-data/ },
    });
    const run = await courier.run(
      [
        '--db',
        db,
        'wiki-upload',
        '--sheet',
        sheet,
        '--api',
        api,
        '--check-api',
        commons.apiUrl,
        '--name',
        'faults',
      ],
      { WIKI_USER: wiki.botUser, WIKI_PASSWORD: wiki.botPassword },
      1_800_000,
    );
    proxy.faults.clear();
    endedByItself(rec, run);
    proxyFigures(rec, proxy);
    const items = await exportedItems(courier, db, 'faults', join(dir.path, 'export.json'));
    const counts = settledWithCause(rec, items, sizes.files);
    for (const [status, n] of Object.entries(counts)) rec.figure(status, n);
    // An upload whose answer was lost is found on the wiki when it is sent again.
    rec.figure('found_already_there', items.filter((i) => i.reason === 'already-there').length);

    // Read straight from the wiki, not through the proxy.
    const byTitle = new Map<string, { sha1: string }[]>();
    for (const f of files) byTitle.set(f.title, await fileHistory(wiki, f.title));
    const itemOf = new Map(items.map((i) => [i.path.split('/').pop() ?? i.path, i]));
    const lost: string[] = [];
    const attentionOnWiki: string[] = [];
    files.forEach((f, n) => {
      const item = itemOf.get(`img${String(n).padStart(4, '0')}.png`);
      const history = byTitle.get(f.title) ?? [];
      if (item?.status === 'done' && (history.length !== 1 || history[0]?.sha1 !== f.sha1))
        lost.push(f.title);
      if (item?.status === 'attention' && history.length > 0) attentionOnWiki.push(f.title);
    });
    const twice = files.filter((f) => (byTitle.get(f.title)?.length ?? 0) > 1).map((f) => f.title);
    const titlesWithFile = files.filter((f) => (byTitle.get(f.title)?.length ?? 0) > 0).length;
    const originals = countWikiOriginals(join(wiki.dir, 'images'));
    rec.figure('files_on_wiki', originals);
    rec.figure('silent_losses', lost.length);
    rec.check(
      'zero silent losses: every done file is on the wiki once, with its SHA-1',
      lost.length === 0,
      list(lost),
    );
    rec.check('no file was uploaded twice (one version per title)', twice.length === 0, list(twice));
    rec.check(
      'the wiki holds no file but the sheet’s, each under its own title',
      originals === titlesWithFile && titlesWithFile >= (counts.done ?? 0),
      `${originals} files on the wiki, ${titlesWithFile} titles with a file, ${counts.done ?? 0} done`,
    );
    if (attentionOnWiki.length > 0)
      rec.note(`In attention although the wiki holds the file: ${list(attentionOnWiki)}.`);
  } catch (error) {
    rec.fail(error);
  } finally {
    await proxy.close();
    await Promise.all([wiki.close(), commons.close()]);
    dir.cleanup();
  }
  return rec.result();
}

/** The fixture's case with as many images as asked (three stacks). */
const LARGE_CASE = 25855;

export async function faultsRadiopaedia(
  courier: CourierInstall,
  sizes: { images: number; stallMs: number; seed?: number },
): Promise<PartResult> {
  const rec = new PartRecorder(
    'faults-radiopaedia',
    `Radiopaedia download of ${sizes.images} images under injected faults`,
  );
  const dir = tempDir('reliability-faults-radiopaedia-');
  const fixture = await startRadiopaediaFixture({
    renderDelayMs: 50,
    imageBytes: 20_000,
    largeCaseImages: sizes.images,
  });
  const proxy = await startFaultProxy({ target: fixture.url, seed: sizes.seed ?? 401 });
  try {
    const db = join(dir.path, 'ledger.sqlite');
    const out = join(dir.path, 'out');
    // The case page and its data (loaded by Chromium) and the full-size downloads. Besides the faults at
    // random: the case page fails as often as listing tries it (so the runner reads the case again), the
    // study data's connection is reset once, and one download's answer is lost.
    proxy.faults.setRates(issueRates(sizes.stallMs));
    proxy.faults.failNext(3, { kind: 'status', status: 503, match: { path: '/cases/' } });
    proxy.faults.failNext(1, { kind: 'reset', afterAnswer: false, match: { path: '/studies/' } });
    proxy.faults.failNext(1, { kind: 'reset', afterAnswer: true, match: { path: '/download' } });
    const run = await courier.run(
      [
        '--db',
        db,
        'radiopaedia',
        '--case',
        String(LARGE_CASE),
        '--out',
        out,
        '--site',
        proxy.url,
        '--delay-ms',
        '1',
        '--batch',
        'faults',
      ],
      {},
      1_800_000,
    );
    proxy.faults.clear();
    endedByItself(rec, run);
    proxyFigures(rec, proxy);
    const items = await exportedItems(courier, db, 'faults', join(dir.path, 'export.json'));
    // A case page that kept failing while listing becomes a case item, read again by the runner.
    const images = items.filter((i) => i.meta?.kind === 'radiopaedia-image');
    rec.check(
      `the ledger lists all ${sizes.images} images`,
      images.length === sizes.images,
      `${images.length} images, ${items.length - images.length} other items`,
    );
    rec.figure('case_items', items.length - images.length);
    const counts = settledWithCause(rec, items, null);
    for (const [status, n] of Object.entries(counts)) rec.figure(status, n);
    const doneImages = images.filter((i) => i.status === 'done').length;

    const wrong: string[] = [];
    for (const item of images) {
      if (item.status !== 'done') continue;
      const id = (item.meta?.image as { id?: number } | undefined)?.id;
      const there = item.target && existsSync(item.target) ? readFileSync(item.target) : null;
      if (id === undefined || !there?.equals(fixture.originalBytes(id))) wrong.push(item.name ?? item.path);
    }
    const names = readdirSync(out);
    const inFolder = names.filter((n) => /\.(jpe?g|png)$/i.test(n));
    const leftovers = names.filter((n) => n.startsWith('.') || n.endsWith('.part'));
    rec.figure('silent_losses', wrong.length);
    rec.check(
      'zero silent losses: every done image is in the folder with the site’s bytes',
      wrong.length === 0,
      list(wrong),
    );
    rec.check(
      'the folder holds exactly the done images',
      inFolder.length === doneImages,
      `${inFolder.length} images, ${doneImages} done`,
    );
    rec.check('no partial file is left', leftovers.length === 0, list(leftovers));
    rec.check(
      'the case’s sidecar is written',
      names.includes(`Radiopaedia case ${LARGE_CASE}.json`),
      names.filter((n) => n.endsWith('.json')).join(', '),
    );
  } catch (error) {
    rec.fail(error);
  } finally {
    await proxy.close();
    await fixture.close();
    dir.cleanup();
  }
  return rec.result();
}
