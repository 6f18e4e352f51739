import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCourierError } from '../../../shared/errors';
import { compileSelect } from '../../../shared/isicSelect';
import Database from 'better-sqlite3';
import { Engine } from '../../../electron/engine/engine';
import type { SettledItem, StepContext } from '../../../electron/engine/runner/adapters';
import { systemClock } from '../../../electron/engine/runner/clock';
import { HostLimiter } from '../../../electron/engine/runner/hostLimiter';
import { isicSource } from '../../../electron/engine/sources/isic/isicSource';
import type { ItemRecord } from '../../../electron/engine/ledger/rows';
import { isicSourceConfig } from '../../../electron/engine/sources/isic/isicSourceConfig';
import { searchFingerprint } from '../../../electron/engine/sources/isic/listingCursor';
import { exitStatusFor } from '../../../electron/cli/runBatch';
import { LICENSE_TEXTS, startIsicFixture } from '../../servers/isic';
import type { IsicFixture } from '../../servers/isic';
import { tempDir } from '../../support/tempDir';

const FAST_BACKOFF = { baseMs: 10, capMs: 100, maxRetryAfterMs: 1_000 };
const IMAGES = 250;

let fixture: IsicFixture;
let dir: { path: string; cleanup(): void };
const engines: Engine[] = [];

beforeAll(async () => {
  fixture = await startIsicFixture({ images: IMAGES });
});
afterAll(() => fixture.close());
beforeEach(() => {
  fixture.clearFaults();
  fixture.resetStats();
  dir = tempDir('isic-batch-');
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  dir.cleanup();
});

function openEngine(): Engine {
  const engine = new Engine({
    dbFile: join(dir.path, 'ledger.sqlite'),
    dataDir: dir.path,
    mode: 'cli',
    backoff: FAST_BACKOFF,
  });
  engines.push(engine);
  return engine;
}

const out = () => join(dir.path, 'out');

function createBatch(
  engine: Engine,
  source: Record<string, unknown> = {},
  settings: { concurrency?: number; maxAttempts?: number } = {},
  apiUrl = fixture.apiUrl,
): number {
  return engine.ledger.batches.create({
    name: 'isic',
    sourceKind: 'isic',
    sourceConfig: { apiUrl, ...source },
    targetKind: 'folder',
    targetConfig: { dir: out() },
    settings: { concurrency: 8, ...settings },
  }).id;
}

function items(engine: Engine, batchId: number): ItemRecord[] {
  return engine.ledger.db
    .prepare('SELECT * FROM items WHERE batch_id = ? ORDER BY seq')
    .all(batchId) as ItemRecord[];
}

function events(engine: Engine, itemId: number): { status: string; code: string | null }[] {
  return engine.ledger.db
    .prepare('SELECT status, code FROM events WHERE item_id = ? ORDER BY id')
    .all(itemId) as { status: string; code: string | null }[];
}

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');
const downloadsLeft = (batchId: number) => {
  const downloads = join(dir.path, 'work', `batch-${batchId}`, 'downloads');
  return existsSync(downloads) ? readdirSync(downloads) : [];
};
const csvRows = () =>
  readFileSync(join(out(), 'metadata.csv'), 'utf8')
    .split('\r\n')
    .filter((line) => line !== '');

function expectArrived(isicId: string): void {
  expect(readFileSync(join(out(), `${isicId}.jpg`)).equals(fixture.fileBytes(isicId))).toBe(true);
}

describe('ISIC batch through the engine', () => {
  it('downloads every image byte for byte, lists each in the ledger and writes metadata, attribution and licences', async () => {
    const engine = openEngine();
    const id = createBatch(engine);
    expect(await engine.runToEnd(id)).toBe('finished');

    const rows = items(engine, id);
    expect(rows).toHaveLength(IMAGES);
    expect(engine.ledger.counts(id).done).toBe(IMAGES);
    for (const row of rows) {
      const bytes = fixture.fileBytes(row.key);
      expect(row.status).toBe('done');
      expect(row.name).toBe(`${row.key}.jpg`);
      expect(row.target).toBe(join(out(), row.name));
      expect(row.size).toBe(bytes.length);
      expect(row.sha1).toBe(sha1(bytes));
      const meta = JSON.parse(row.meta) as Record<string, unknown>;
      expect(meta).toEqual(fixture.imageJson(row.key));
      expect(row.group_key).toBe(
        (meta.metadata as { clinical: { diagnosis_1: string } }).clinical.diagnosis_1,
      );
      expectArrived(row.key);
    }
    // Downloads were moved into place, not copied and left behind.
    expect(downloadsLeft(id)).toEqual([]);
    // The count first (limit=1), then three pages of 100 for 250 images.
    expect(fixture.stats.searches.map((s) => [s.limit, s.cursor === null])).toEqual([
      ['1', true],
      ['100', true],
      ['100', false],
      ['100', false],
    ]);
    expect(fixture.stats.fullImages).toBe(IMAGES);

    const csv = csvRows();
    expect(csv[0]!.startsWith('isic_id,attribution,copyright_license,')).toBe(true);
    expect(csv).toHaveLength(IMAGES + 1);
    expect(new Set(csv.slice(1).map((line) => line.split(',')[0]))).toEqual(
      new Set(fixture.images.map((img) => img.isicId)),
    );
    const attributions = readFileSync(join(out(), 'attribution.txt'), 'utf8');
    for (const img of fixture.images) expect(attributions).toContain(img.attribution);
    const licenses = [...new Set(fixture.images.map((img) => img.copyrightLicense))].sort();
    expect(readdirSync(join(out(), 'licenses')).sort()).toEqual(licenses.map((l) => `${l}.txt`));
    for (const license of licenses) {
      expect(readFileSync(join(out(), 'licenses', `${license}.txt`), 'utf8')).toBe(LICENSE_TEXTS[license]);
    }
  });

  it('ends done through 429s on the API and the files host and a burst of 503s', async () => {
    // Search pages after the first: throttled twice, then unavailable three times (each with a short Retry-After).
    fixture.inject({
      host: 'api',
      kind: 'status',
      status: 429,
      retryAfter: '0',
      pathIncludes: 'cursor=',
      times: 2,
    });
    fixture.inject({
      host: 'api',
      kind: 'status',
      status: 503,
      retryAfter: '0',
      pathIncludes: 'cursor=',
      times: 3,
    });
    fixture.inject({ host: 'files', kind: 'status', status: 503, times: 30 });
    fixture.inject({ host: 'files', kind: 'status', status: 429, retryAfter: '0', every: 5, times: 6 });
    const engine = openEngine();
    const id = createBatch(engine, { limit: 180 }, { maxAttempts: 10 });
    expect(await engine.runToEnd(id)).toBe('finished');

    expect(engine.ledger.counts(id).done).toBe(180);
    expect(fixture.stats.statuses[429]).toBe(8);
    expect(fixture.stats.statuses[503]).toBe(33);
    const retried = items(engine, id).filter((row) => row.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    for (const row of items(engine, id)) expectArrived(row.key);
    const codes = retried.flatMap((row) => events(engine, row.id).map((e) => e.code));
    expect(codes).toContain('http-503');
    expect(codes).toContain('http-429');
  });

  it('retries a truncated file and a short one until the whole file arrives', async () => {
    const [cut, short] = ['ISIC_0000240', 'ISIC_0000233'];
    fixture.inject({ host: 'files', kind: 'truncate', pathIncludes: cut });
    fixture.inject({ host: 'files', kind: 'short', pathIncludes: short });
    const engine = openEngine();
    const id = createBatch(engine, { limit: 20 });
    expect(await engine.runToEnd(id)).toBe('finished');

    expect(engine.ledger.counts(id).done).toBe(20);
    for (const isicId of [cut, short]) {
      const row = items(engine, id).find((r) => r.key === isicId)!;
      expect(row.attempts).toBe(2);
      expect(events(engine, row.id).map((e) => [e.status, e.code])).toEqual([
        ['running', null],
        ['failed', 'isic-truncated'],
        ['running', null],
        ['done', null],
      ]);
      expectArrived(isicId);
    }
    expect(downloadsLeft(id)).toEqual([]);
  });

  it('ends an image that keeps failing as failed, with its reason, and the exit status says so', async () => {
    const [missing, down] = ['ISIC_0000245', 'ISIC_0000238'];
    fixture.inject({ host: 'files', kind: 'status', status: 404, pathIncludes: missing, times: Infinity });
    fixture.inject({ host: 'files', kind: 'status', status: 503, pathIncludes: down, times: Infinity });
    const engine = openEngine();
    const id = createBatch(engine, { limit: 15 }, { maxAttempts: 3 });
    expect(await engine.runToEnd(id)).toBe('finished');

    const counts = engine.ledger.counts(id);
    expect(counts.done).toBe(13);
    expect(counts.failed).toBe(2);
    expect(exitStatusFor(counts)).toBe(1);
    const rows = items(engine, id);
    const lost = rows.find((r) => r.key === missing)!;
    expect(lost).toMatchObject({ status: 'failed', reason: 'http-404', attempts: 1, next_attempt_at: null });
    expect(lost.message).toContain('404');
    const unavailable = rows.find((r) => r.key === down)!;
    expect(unavailable).toMatchObject({
      status: 'failed',
      reason: 'http-503',
      attempts: 3,
      next_attempt_at: null,
    });
    expect(unavailable.message).toContain('gave up after 3 attempts');
    // Neither is in the folder nor in metadata.csv; nothing is left in the work folder.
    expect(existsSync(join(out(), `${missing}.jpg`))).toBe(false);
    expect(existsSync(join(out(), `${down}.jpg`))).toBe(false);
    const listed = csvRows().map((line) => line.split(',')[0]);
    expect(listed).toHaveLength(14);
    expect(listed).not.toContain(missing);
    expect(listed).not.toContain(down);
    expect(downloadsLeft(id)).toEqual([]);
  });

  it('runs a finished batch again without downloading what is done', async () => {
    const engine = openEngine();
    const id = createBatch(engine, { limit: 40 });
    await engine.runToEnd(id);
    expect(fixture.stats.fullImages).toBe(40);
    fixture.resetStats();
    rmSync(join(out(), 'metadata.csv'));

    expect(await engine.runToEnd(id)).toBe('finished');
    expect(fixture.stats.fullImages).toBe(0);
    expect(fixture.stats.searchPages).toBe(0);
    expect(engine.ledger.counts(id).done).toBe(40);
    // The batch's own files are written again from the ledger.
    expect(csvRows()).toHaveLength(41);
  });

  it('continues after a shutdown mid-listing from the saved cursor, without listing or fetching twice', async () => {
    const slow = await startIsicFixture({ images: 350, delayMs: { api: 150, files: 20 } });
    try {
      const first = openEngine();
      const id = createBatch(first, {}, {}, slow.apiUrl);
      const running = first.runToEnd(id);
      // Stop once files are arriving and the listing has asked for its second page (so the first
      // page's cursor is saved); slow files keep the ledger changing while that page is on its way.
      await new Promise<void>((resolve) => {
        const off = first.ledger.onChange(() => {
          if (first.ledger.counts(id).done > 0 && slow.stats.apiRequests >= 4) {
            off();
            resolve();
          }
        });
      });
      engines.splice(engines.indexOf(first), 1);
      await first.close();
      expect(await running).toBe('running');
      const fetchedBefore = slow.stats.fullImages;
      slow.resetStats();

      const second = openEngine();
      expect(second.ledger.batches.require(id).collected).toBe(false);
      const doneAtRestart = second.ledger.counts(id).done;
      expect(await second.runToEnd(id)).toBe('finished');
      expect(items(second, id)).toHaveLength(350);
      expect(second.ledger.counts(id).done).toBe(350);
      // Every request of the second run continued from a cursor: no new count, no first page again.
      expect(slow.stats.searches.length).toBeGreaterThan(0);
      expect(slow.stats.searches.every((s) => s.cursor !== null)).toBe(true);
      // At most pages 2–4 (the request cut short by the stop may still be counted by the fixture).
      expect(new Set(slow.stats.searches.map((s) => s.cursor)).size).toBeLessThanOrEqual(3);
      // Only what was not done is fetched again; the fixture may still count up to 8 answers to
      // requests the stop cut short.
      expect(slow.stats.fullImages).toBeGreaterThanOrEqual(350 - doneAtRestart);
      expect(slow.stats.fullImages).toBeLessThanOrEqual(350 - doneAtRestart + 8);
      expect(fetchedBefore + slow.stats.fullImages).toBeLessThanOrEqual(350 + 2 * 8);
    } finally {
      await slow.close();
    }
  });

  it('lists again from the start when the archive refuses a saved cursor', async () => {
    const engine = openEngine();
    const id = createBatch(engine);
    const work = join(dir.path, 'work', `batch-${id}`);
    mkdirSync(work, { recursive: true });
    const search = searchFingerprint(isicSourceConfig.parse({ apiUrl: fixture.apiUrl }));
    const stale = `${fixture.apiUrl}images/search/?cursor=bz14&limit=100`;
    writeFileSync(join(work, 'isic-listing.json'), JSON.stringify({ search, next: stale, listed: 100 }));

    expect(await engine.runToEnd(id)).toBe('finished');
    expect(fixture.stats.statuses[422]).toBe(1);
    expect(items(engine, id)).toHaveLength(IMAGES);
    expect(engine.ledger.counts(id).done).toBe(IMAGES);
    expect(existsSync(join(work, 'isic-listing.json'))).toBe(false);
  });

  it("downloads what the archive's query and collections select, and only that", async () => {
    const engine = openEngine();
    const id = createBatch(engine, { query: 'sex:male', collections: [61, 74] });
    expect(await engine.runToEnd(id)).toBe('finished');
    const wanted = fixture.images.filter(
      (img) => img.metadata.clinical.sex === 'male' && img.collections.some((c) => c === 61 || c === 74),
    );
    expect(wanted.length).toBeGreaterThan(0);
    expect(
      items(engine, id)
        .map((row) => row.key)
        .sort(),
    ).toEqual(wanted.map((img) => img.isicId).sort());
    expect(engine.ledger.counts(id).done).toBe(wanted.length);
    expect(fixture.stats.searches.every((s) => s.query === 'sex:male' && s.collections === '61,74')).toBe(
      true,
    );
  });

  it('skips images the local selection leaves out, saying which criterion', async () => {
    const criterion = 'metadata.clinical.diagnosis_1 == Benign';
    const engine = openEngine();
    const id = createBatch(engine, { select: [criterion] });
    expect(await engine.runToEnd(id)).toBe('finished');

    const selected = compileSelect([criterion]);
    const wanted = fixture.images.filter((img) => selected(fixture.imageJson(img.isicId)));
    expect(wanted.length).toBeGreaterThan(0);
    expect(wanted.length).toBeLessThan(IMAGES);
    const counts = engine.ledger.counts(id);
    expect(counts.done).toBe(wanted.length);
    expect(counts.skipped).toBe(IMAGES - wanted.length);
    expect(exitStatusFor(counts)).toBe(0);
    for (const row of items(engine, id)) {
      if (row.status === 'skipped') {
        expect(row.reason).toBe('not-selected');
        expect(row.message).toContain("metadata.clinical.diagnosis_1 == 'Benign'");
        expect(existsSync(join(out(), row.name))).toBe(false);
      } else expectArrived(row.key);
    }
    expect(fixture.stats.fullImages).toBe(wanted.length);
    expect(csvRows()).toHaveLength(wanted.length + 1);
  });

  it('refuses to start when the search does not fit on the disk, naming needed and free bytes', async () => {
    const huge = await startIsicFixture({ images: 20, imageBytes: { min: 1e13, max: 1e13 } });
    try {
      const engine = openEngine();
      const id = createBatch(engine, {}, {}, huge.apiUrl);
      const error = await engine.runToEnd(id).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isCourierError(error) && error.code).toBe('disk-space');
      expect((error as Error).message).toMatch(/needs 200000000000000 bytes .* only \d+ bytes .* are free/);
      expect(huge.stats.fullImages).toBe(0);
      expect(items(engine, id)).toHaveLength(0);
    } finally {
      await huge.close();
    }
  });

  it('stops a batch with a query the archive cannot parse, with the archive’s reason', async () => {
    const engine = openEngine();
    const id = createBatch(engine, { query: 'anatom_site_general:*torso' });
    const error = await engine.runToEnd(id).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isCourierError(error) && error.code).toBe('isic-bad-query');
    expect(engine.ledger.batches.require(id).state).toBe('paused');
  });
});

describe('ISIC batch files', () => {
  it('writes metadata.csv without holding the ledger query open while it writes', async () => {
    // The items come from an open SQLite query, as the runner hands them over; meanwhile the engine
    // keeps writing on the same connection (other batches, its timers): it must never find it busy.
    const db = new Database(':memory:');
    db.exec('CREATE TABLE items (seq INTEGER PRIMARY KEY, key TEXT, status TEXT, meta TEXT)');
    db.exec('CREATE TABLE events (at INTEGER)');
    const insert = db.prepare('INSERT INTO items (key, status, meta) VALUES (?, ?, ?)');
    for (let round = 0; round < 12; round++) {
      for (const img of fixture.images) {
        insert.run(
          img.isicId,
          round === 11 ? 'failed' : 'done',
          JSON.stringify(fixture.imageJson(img.isicId)),
        );
      }
    }
    const items = function* (): Generator<SettledItem> {
      for (const row of db.prepare('SELECT * FROM items ORDER BY seq').iterate() as Iterable<{
        seq: number;
        key: string;
        status: string;
        meta: string;
      }>) {
        const meta = JSON.parse(row.meta) as Record<string, unknown>;
        yield {
          id: row.seq,
          batchId: 1,
          key: row.key,
          path: '',
          name: `${row.key}.jpg`,
          group: '',
          attempts: 1,
          size: null,
          meta,
          status: row.status,
          target: null,
          sha1: null,
          md5: null,
        };
      }
    };
    const busy: string[] = [];
    let writing = true;
    const useLedger = () => {
      try {
        db.prepare('INSERT INTO events (at) VALUES (?)').run(Date.now());
      } catch (err) {
        busy.push((err as Error).message);
      }
      if (writing) setImmediate(useLedger);
    };
    setImmediate(useLedger);
    const ctx: StepContext = {
      signal: new AbortController().signal,
      clock: systemClock,
      hosts: new HostLimiter(systemClock),
      workDir: dir.path,
      progress: () => undefined,
      credentials: () => Promise.reject(new Error('no credentials here')),
      batchItems: () => [],
      addItems: () => 0,
    };
    try {
      await isicSource.finish!(isicSourceConfig.parse({ apiUrl: fixture.apiUrl }), items, ctx, {
        dir: out(),
      });
    } finally {
      writing = false;
      db.close();
    }
    expect(busy).toEqual([]);
    expect(csvRows()).toHaveLength(11 * IMAGES + 1);
    expect(readdirSync(dir.path).filter((name) => name.endsWith('.ndjson'))).toEqual([]);
  });
});
