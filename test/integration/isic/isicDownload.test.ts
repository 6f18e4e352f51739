import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCourierError, type CourierError } from '../../../shared/errors';
import {
  alreadyDownloaded,
  cleanupPartialFiles,
  createIsicClient,
  imageFileName,
  type IsicClient,
  type IsicImage,
} from '../../../electron/engine/clients/isic';
import { startIsicFixture, type IsicFixture } from '../../servers/isic';

let fixture: IsicFixture;
let client: IsicClient;
let dir: string;

beforeAll(async () => {
  fixture = await startIsicFixture({ images: 120 });
  client = createIsicClient({ apiUrl: fixture.apiUrl, connectTimeoutMs: 2_000, readTimeoutMs: 2_000 });
});
afterAll(() => fixture.close());
beforeEach(async () => {
  fixture.clearFaults();
  fixture.resetStats();
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isic-download-'));
});
afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<CourierError> {
  try {
    await promise;
  } catch (err) {
    if (isCourierError(err)) return err;
    throw err;
  }
  throw new Error('expected a CourierError');
}

const image = (isicId: string) => fixture.imageJson(isicId) as unknown as IsicImage;
const destFor = (img: IsicImage) => path.join(dir, imageFileName(img));
const listDir = async () => (await fsp.readdir(dir)).sort();

describe('ISIC downloads', () => {
  it('fetches files from the second host, byte for byte, in parallel', async () => {
    const images: IsicImage[] = [];
    for await (const page of client.search({ limit: 40 })) images.push(...page.images);
    const apiOrigin = new URL(fixture.apiUrl).origin;
    const filesOrigin = new URL(fixture.filesUrl).origin;
    expect(filesOrigin).not.toBe(apiOrigin);
    const apiRequestsBefore = fixture.stats.apiRequests;

    await Promise.all(
      images.map(async (img) => {
        expect(new URL(img.files.full.url).origin).toBe(filesOrigin);
        const result = await client.downloadImage(img, destFor(img));
        expect(result).toEqual({ path: destFor(img), bytes: img.files.full.size });
      }),
    );
    for (const img of images) {
      expect((await fsp.readFile(destFor(img))).equals(fixture.fileBytes(img.isic_id))).toBe(true);
    }
    expect(fixture.stats.fullImages).toBe(40);
    expect(fixture.stats.fileRequests).toBe(40);
    expect(fixture.stats.apiRequests).toBe(apiRequestsBefore);
    expect((await listDir()).filter((n) => n.startsWith('.isic-partial'))).toEqual([]);
  });

  it('names files as isic-cli does and writes thumbnails too', async () => {
    const img = image('ISIC_0000005');
    expect(imageFileName(img)).toBe('ISIC_0000005.jpg');
    expect(imageFileName(img, 'thumbnail_256')).toBe('ISIC_0000005_thumbnail_256.jpg');
    expect(imageFileName({ ...img, files: { full: { url: 'https://x/y/ISIC_0000005', size: 1 } } })).toBe(
      'ISIC_0000005.jpg',
    );
    const thumb = path.join(dir, imageFileName(img, 'thumbnail_256'));
    await client.downloadImage(img, thumb, { file: 'thumbnail_256' });
    expect((await fsp.readFile(thumb)).equals(fixture.fileBytes('ISIC_0000005', 'thumbnail_256'))).toBe(true);
  });

  it('creates a missing folder and tells when a file is already there with the listed size', async () => {
    const img = image('ISIC_0000006');
    const dest = path.join(dir, 'a', 'b', imageFileName(img));
    expect(await alreadyDownloaded(dest, img.files.full.size)).toBe(false);
    await client.downloadImage(img, dest);
    expect(await alreadyDownloaded(dest, img.files.full.size)).toBe(true);
    expect(await alreadyDownloaded(dest, img.files.full.size + 1)).toBe(false);
  });

  it('detects a body cut short by a dropped connection (retryable) and leaves nothing behind', async () => {
    const img = image('ISIC_0000010');
    fixture.inject({ host: 'files', kind: 'truncate', pathIncludes: img.isic_id });
    const err = await failure(client.downloadImage(img, destFor(img)));
    expect(err.code).toBe('isic-truncated');
    expect(err.retryable).toBe(true);
    expect(err.detail).toMatchObject({ expected: img.files.full.size });
    expect((err.detail as { received: number }).received).toBeLessThan(img.files.full.size);
    expect(await listDir()).toEqual([]);
    // The next attempt (the runner's retry) gets the whole file.
    await client.downloadImage(img, destFor(img));
    expect((await fsp.readFile(destFor(img))).equals(fixture.fileBytes(img.isic_id))).toBe(true);
  });

  it('detects a complete answer shorter than the listed size (retryable)', async () => {
    const img = image('ISIC_0000011');
    fixture.inject({ host: 'files', kind: 'short', pathIncludes: img.isic_id });
    const err = await failure(client.downloadImage(img, destFor(img)));
    expect(err.code).toBe('isic-truncated');
    expect(err.retryable).toBe(true);
    expect(await listDir()).toEqual([]);
  });

  it('refuses a file larger than listed (the metadata is stale)', async () => {
    const img = image('ISIC_0000012');
    const stale = {
      ...img,
      files: { ...img.files, full: { ...img.files.full, size: img.files.full.size - 10 } },
    };
    const err = await failure(client.downloadImage(stale, destFor(img)));
    expect(err.code).toBe('isic-size-mismatch');
    expect(err.attention?.actions).toContain('retry');
    expect(await listDir()).toEqual([]);
  });

  it('keeps an earlier complete file when a new download fails', async () => {
    const img = image('ISIC_0000013');
    await client.downloadImage(img, destFor(img));
    fixture.inject({ host: 'files', kind: 'truncate', pathIncludes: img.isic_id });
    await failure(client.downloadImage(img, destFor(img)));
    expect((await fsp.readFile(destFor(img))).equals(fixture.fileBytes(img.isic_id))).toBe(true);
  });

  it('reports a missing file as a final 404', async () => {
    const img = image('ISIC_0000014');
    const gone = {
      ...img,
      files: { ...img.files, full: { ...img.files.full, url: `${fixture.filesUrl}images/ISIC_7777777.jpg` } },
    };
    const err = await failure(client.downloadImage(gone, destFor(img)));
    expect(err.code).toBe('http-404');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('NoSuchKey');
  });

  it('removes partial files left by a crash', async () => {
    await fsp.writeFile(path.join(dir, `.isic-partial.${process.pid}.999`), 'half');
    await fsp.writeFile(path.join(dir, '.isic-partial.1.1'), 'other process');
    await fsp.writeFile(path.join(dir, 'ISIC_0000001.jpg'), 'keep');
    expect(await cleanupPartialFiles(dir)).toBe(1);
    expect(await listDir()).toEqual(['.isic-partial.1.1', 'ISIC_0000001.jpg']);
    expect(await cleanupPartialFiles(dir, { anyProcess: true })).toBe(1);
    expect(await listDir()).toEqual(['ISIC_0000001.jpg']);
    expect(await cleanupPartialFiles(path.join(dir, 'missing'))).toBe(0);
  });
});

describe('ISIC failures are classified for the runner', () => {
  it('429 with Retry-After (seconds) is retryable with retryAfterMs', async () => {
    fixture.inject({
      host: 'api',
      kind: 'status',
      status: 429,
      retryAfter: '7',
      pathIncludes: 'images/search',
    });
    const err = await failure(client.count());
    expect(err.code).toBe('http-429');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(7000);
    expect(await client.count()).toBe(120);
  });

  it('429 on the files host with an HTTP-date Retry-After', async () => {
    const img = image('ISIC_0000020');
    const at = new Date(Date.now() + 30_000).toUTCString();
    fixture.inject({ host: 'files', kind: 'status', status: 429, retryAfter: at });
    const err = await failure(client.downloadImage(img, destFor(img)));
    expect(err.code).toBe('http-429');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(25_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(await listDir()).toEqual([]);
  });

  it('a burst of 503s is retryable, and a listing resumed after each one is complete', async () => {
    // Three 503s on the second and third search pages.
    fixture.inject({ host: 'api', kind: 'status', status: 503, pathIncludes: 'cursor=', times: 3 });
    const ids: string[] = [];
    const errors: CourierError[] = [];
    let resumeFrom: string | undefined;
    // A stand-in for the runner: retry from the saved cursor (backoff is the runner's, not tested here).
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        for await (const page of client.search(resumeFrom ? { resumeFrom } : {})) {
          ids.push(...page.images.map((i) => i.isic_id));
          resumeFrom = page.next ?? undefined;
        }
        break;
      } catch (err) {
        if (!isCourierError(err) || !err.retryable) throw err;
        errors.push(err);
      }
    }
    expect(errors.map((e) => e.code)).toEqual(['http-503', 'http-503', 'http-503']);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
  });

  it('5xx on a file is retryable', async () => {
    const img = image('ISIC_0000021');
    fixture.inject({ host: 'files', kind: 'status', status: 502 });
    const err = await failure(client.downloadImage(img, destFor(img)));
    expect(err).toMatchObject({ code: 'http-502', retryable: true });
  });

  it('a reset connection is a retryable network failure', async () => {
    fixture.inject({ host: 'api', kind: 'reset' });
    const err = await failure(client.count());
    expect(err.retryable).toBe(true);
    expect(err.code).toMatch(/^net-|^network$/);
  });

  it('no answer within the connect timeout is a retryable timeout', async () => {
    const quick = createIsicClient({ apiUrl: fixture.apiUrl, connectTimeoutMs: 200, readTimeoutMs: 5_000 });
    fixture.inject({ host: 'api', kind: 'stall' });
    const started = Date.now();
    const err = await failure(quick.count());
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a body that stalls past the read timeout is a retryable timeout, with no partial file', async () => {
    const quick = createIsicClient({ apiUrl: fixture.apiUrl, connectTimeoutMs: 5_000, readTimeoutMs: 200 });
    const img = image('ISIC_0000022');
    fixture.inject({ host: 'files', kind: 'stall-body' });
    const err = await failure(quick.downloadImage(img, destFor(img)));
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(await listDir()).toEqual([]);
  });

  it('a cancel is reported as cancelled, not as a timeout', async () => {
    const img = image('ISIC_0000023');
    fixture.inject({ host: 'files', kind: 'stall' });
    const controller = new AbortController();
    const pending = failure(client.downloadImage(img, destFor(img), { signal: controller.signal }));
    // Abort once the request has reached the server.
    while (fixture.stats.fileRequests === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const err = await pending;
    expect(err).toMatchObject({ code: 'cancelled', retryable: false });
    expect(await listDir()).toEqual([]);
  });
});
