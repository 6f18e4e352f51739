// Wiki batches through the real Engine and Runner when the wiki pushes back: chunked uploads stopped in
// the middle and resumed, `ratelimited` and `maxlag` waited out, a wrong password, a bot password that may
// not upload. Against a real MediaWiki 1.39.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import {
  eventsOf,
  fileHistory,
  finishedBatch,
  items,
  uploadsOf,
  wikiBatch,
  wikiEngine,
} from './wikiBatchKit';
import type { WikiEngine, WikiEngineOptions } from './wikiBatchKit';
import { fixtureFolder, sha1Of } from './wikiTestKit';

let wiki: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;
let seed = 9000;
const open: WikiEngine[] = [];

beforeAll(async () => {
  [wiki, fixtures] = await Promise.all([startMediaWiki({ sitename: 'Resilience wiki' }), fixtureFolder()]);
});

afterEach(async () => {
  // Later engines may share an earlier one's folder: close them first.
  for (const w of open.splice(0).reverse()) await w.close();
  await wiki.configure({ rateLimits: {} });
});

afterAll(async () => {
  await wiki?.close();
  await fixtures?.remove();
});

function engine(options: WikiEngineOptions = {}): WikiEngine {
  const w = wikiEngine(wiki, options);
  open.push(w);
  return w;
}

async function pngs(count: number, approxBytes?: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, () => {
      seed += 1;
      return fixtures.png(`resilience-${seed}.png`, seed, approxBytes);
    }),
  );
}

function earlier(w: WikiEngine, name: string, files: string[], prefix: string): void {
  finishedBatch(
    w.engine,
    name,
    files.map((file, i) => ({ key: String(i), path: file, name: `${prefix} ${seed} ${i}.png`, meta: {} })),
  );
}

const CHUNK = 64 * 1024;

describe('chunked uploads', () => {
  it('sends a large file in chunks and, stopped in the middle, continues where the wiki stands', async () => {
    const [large] = await pngs(1, 6 * CHUNK + 777);
    const size = (await readFile(large!)).length;
    let stopAfterChunk: (() => void) | null = null;
    const w = engine({
      afterResponse: (request) => {
        if (request.params.stash === '1' && Number(request.params.offset) === CHUNK) stopAfterChunk?.();
      },
    });
    earlier(w, 'large', [large!], 'Large');
    const name = `Large ${seed} 0.png`;
    const id = wikiBatch(w.engine, 'large-wiki', { batch: 'large' }, wiki.apiUrl, { chunkSize: CHUNK });
    stopAfterChunk = () => {
      stopAfterChunk = null;
      void w.engine.runner!.cancel(id);
    };
    expect(await w.engine.runToEnd(id)).toBe('cancelled');
    expect(items(w.engine, id)[0]?.status).toBe('interrupted');
    const firstRun = uploadsOf(w.seen, name).length;
    expect(firstRun).toBeGreaterThanOrEqual(2);

    // A new engine on the same ledger (as after a restart) picks the upload up from the wiki's offset.
    await w.stop();
    const again = engine({ dir: w.dir });
    expect(await again.engine.runToEnd(id)).toBe('finished');
    const [row] = items(again.engine, id);
    expect(row).toMatchObject({ status: 'done', sha1: await sha1Of(large!) });
    const chunks = uploadsOf(again.seen, name).filter((r) => r.params.stash === '1');
    expect(Number(chunks[0]?.params.offset)).toBeGreaterThanOrEqual(2 * CHUNK);
    expect(chunks[0]?.params.filekey).toEqual(expect.any(String));
    expect(chunks.at(-1)!.params.filesize).toBe(String(size));
    const [version] = await fileHistory(wiki, `File:${name}`);
    expect(version).toMatchObject({ sha1: await sha1Of(large!), size });
  });
});

describe('the wiki asks to slow down', () => {
  it('waits out ratelimited and uploads everything', async () => {
    await wiki.configure({ rateLimits: { upload: { user: [2, 2] } } });
    const w = engine({ backoff: { baseMs: 10, capMs: 100, maxRetryAfterMs: 2_500 } });
    const files = await pngs(4);
    earlier(w, 'limited', files, 'Limited');
    // MediaWiki's windows are whole seconds from the first hit: a retry may meet the same window once more.
    const id = wikiBatch(w.engine, 'limited-wiki', { batch: 'limited' }, wiki.apiUrl, {
      concurrency: 1,
      maxAttempts: 10,
    });
    expect(await w.engine.runToEnd(id)).toBe('finished');
    const rows = items(w.engine, id);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    const limited = rows
      .flatMap((r) => eventsOf(w.engine, r.id))
      .filter((e) => e.code === 'wiki-ratelimited');
    expect(limited.length).toBeGreaterThan(0);
    // The wait is the wiki's own window (2 s), read from its rate limits.
    expect(JSON.parse(limited[0]!.data!)).toMatchObject({ retryInMs: 2_000 });
  });

  it('waits out maxlag and then uploads', async () => {
    let lagging = 1;
    const w = engine({
      rewrite: (params) => (params.action === 'upload' && lagging-- > 0 ? { maxlag: '-2' } : null),
    });
    const files = await pngs(1);
    earlier(w, 'lag', files, 'Lag');
    const id = wikiBatch(w.engine, 'lag-wiki', { batch: 'lag' }, wiki.apiUrl);
    expect(await w.engine.runToEnd(id)).toBe('finished');
    const [row] = items(w.engine, id);
    expect(row?.status).toBe('done');
    const events = eventsOf(w.engine, row!.id);
    const lag = events.find((e) => e.code === 'wiki-maxlag');
    expect(lag?.status).toBe('failed');
    expect(JSON.parse(lag!.data!)).toMatchObject({ apiCode: 'maxlag', retryInMs: 200 });
  });
});

describe('logins the wiki refuses', () => {
  it('fails every file with one clear message after a single refused login', async () => {
    const w = engine({ login: { user: wiki.botUser, password: '0123456789abcdef0123456789abcdef' } });
    earlier(w, 'wrong', await pngs(3), 'Wrong');
    const id = wikiBatch(w.engine, 'wrong-wiki', { batch: 'wrong' }, wiki.apiUrl);
    expect(await w.engine.runToEnd(id)).toBe('finished');
    const rows = items(w.engine, id);
    expect(rows.map((r) => [r.status, r.reason])).toEqual(Array(3).fill(['failed', 'wiki-auth']));
    expect(rows[0]!.message).toContain(`refused the login of ${wiki.botUser}`);
    expect(rows[0]!.message).toContain('Special:BotPasswords');
    expect(w.seen.filter((r) => r.params.action === 'login')).toHaveLength(1);
    expect(w.seen.some((r) => r.params.action === 'upload')).toBe(false);
  });

  it('fails every file before sending bytes when the bot password lacks the upload grant', async () => {
    const w = engine({ login: wiki.botWithoutUpload });
    earlier(w, 'nogrant', await pngs(2), 'No grant');
    const id = wikiBatch(w.engine, 'nogrant-wiki', { batch: 'nogrant' }, wiki.apiUrl);
    await w.engine.runToEnd(id);
    const rows = items(w.engine, id);
    expect(rows.map((r) => [r.status, r.reason])).toEqual(Array(2).fill(['failed', 'wiki-permission']));
    expect(rows[0]!.message).toContain("'uploadfile' grant");
    expect(w.seen.some((r) => r.params.action === 'upload')).toBe(false);
  });
});
