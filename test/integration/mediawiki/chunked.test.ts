// Chunked uploads against a real MediaWiki 1.39: default 5 MiB chunks, resume via checkstatus, limits.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_SIZE, mediawikiClient } from '../../../electron/engine/clients/mediawiki';
import type {
  ChunkProgress,
  MediawikiClientOptions,
  UploadResult,
} from '../../../electron/engine/clients/mediawiki';
import { startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import { courierErrorOf, fixtureFolder, recordingFetch, sha1Of } from './wikiTestKit';

let wiki: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;

beforeAll(async () => {
  [wiki, fixtures] = await Promise.all([startMediaWiki({ sitename: 'Chunk wiki' }), fixtureFolder()]);
});

afterAll(async () => {
  await wiki?.close();
  await fixtures?.remove();
});

function client(extra: Partial<MediawikiClientOptions> = {}) {
  return mediawikiClient({
    apiUrl: wiki.apiUrl,
    credentials: { user: wiki.botUser, password: wiki.botPassword },
    ...extra,
  });
}

function expectSuccess(result: UploadResult): Extract<UploadResult, { result: 'success' }> {
  if (result.result !== 'success') throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result;
}

const CHUNK = 64 * 1024;

describe('chunked upload', () => {
  it('sends a file above the threshold in 5 MiB chunks and publishes it without ignorewarnings', async () => {
    const png = await fixtures.png('large.png', 1, 11 * 1024 * 1024);
    const size = (await readFile(png)).length;
    const { fetch, seen } = recordingFetch();
    const result = expectSuccess(
      await client({ fetch }).upload({
        filename: 'Large stack C+.png',
        filePath: png,
        text: 'large',
        comment: 'big',
      }),
    );
    expect(result.file.sha1).toBe(await sha1Of(png));
    expect(result.file.size).toBe(size);
    const uploads = seen.filter((r) => r.params.action === 'upload');
    const chunks = uploads.filter((r) => r.params.stash === '1');
    expect(chunks.map((r) => Number(r.params.offset))).toEqual([
      0,
      DEFAULT_CHUNK_SIZE,
      2 * DEFAULT_CHUNK_SIZE,
    ]);
    expect(chunks[0]?.params).not.toHaveProperty('filekey');
    expect(
      chunks.slice(1).every((r) => r.params.filekey === chunks[0]?.params.filekey || r.params.filekey),
    ).toBe(true);
    expect(
      chunks.every((r) => r.params.filesize === String(size) && r.params.chunk?.startsWith('<file')),
    ).toBe(true);
    const publish = uploads.at(-1);
    expect(publish?.params).toMatchObject({ filename: 'Large stack C+.png', text: 'large', comment: 'big' });
    expect(publish?.params).not.toHaveProperty('ignorewarnings');
    expect(publish?.params).not.toHaveProperty('stash');
  });

  it('resumes an interrupted upload where the wiki stands (checkstatus), from a new session', async () => {
    const png = await fixtures.png('resume.png', 2, 5 * CHUNK + 1234);
    const size = (await readFile(png)).length;
    const saved: ChunkProgress[] = [];
    const crash = new Error('the computer went to sleep');
    const interrupted = client({ chunkSize: CHUNK }).upload({
      filename: 'Resumed upload.png',
      filePath: png,
      text: 'resumed',
      onChunk: (progress) => {
        saved.push(progress);
        if (saved.length === 2) throw crash;
      },
    });
    await expect(interrupted).rejects.toBe(crash);
    expect(saved.map((p) => p.offset)).toEqual([CHUNK, 2 * CHUNK]);
    const filekey = saved[1]?.filekey ?? '';

    const { fetch, seen } = recordingFetch();
    const resumed = client({ chunkSize: CHUNK, fetch });
    expect(await resumed.chunkStatus('Resumed upload.png', filekey)).toMatchObject({
      result: 'Continue',
      offset: 2 * CHUNK,
      filekey,
    });
    const progress: number[] = [];
    const result = expectSuccess(
      await resumed.upload({
        filename: 'Resumed upload.png',
        filePath: png,
        text: 'resumed',
        resumeFilekey: filekey,
        onChunk: (p) => void progress.push(p.offset),
      }),
    );
    expect(result.file.sha1).toBe(await sha1Of(png));
    expect(progress).toEqual([3 * CHUNK, 4 * CHUNK, 5 * CHUNK, size]);
    const sentOffsets = seen.filter((r) => r.params.stash === '1').map((r) => Number(r.params.offset));
    expect(sentOffsets).toEqual([2 * CHUNK, 3 * CHUNK, 4 * CHUNK, 5 * CHUNK]);
    expect(seen.filter((r) => r.params.checkstatus === '1')).toHaveLength(2);
  });

  it('publishes the assembled stash without resending when only the publish was lost', async () => {
    const png = await fixtures.png('assembled.png', 8, 2 * CHUNK + 500);
    const size = (await readFile(png)).length;
    let last: ChunkProgress | undefined;
    const crash = new Error('lost before publishing');
    await expect(
      client({ chunkSize: CHUNK }).upload({
        filename: 'Assembled only.png',
        filePath: png,
        text: 'assembled',
        onChunk: (progress) => {
          last = progress;
          if (progress.offset === progress.size) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(last?.offset).toBe(size);

    const { fetch, seen } = recordingFetch();
    const result = expectSuccess(
      await client({ chunkSize: CHUNK, fetch }).upload({
        filename: 'Assembled only.png',
        filePath: png,
        text: 'assembled',
        resumeFilekey: last?.filekey,
      }),
    );
    expect(result.file.sha1).toBe(await sha1Of(png));
    // 1.39 says missingresult to checkstatus on an assembled file; the stash's size and SHA-1 decide.
    expect(seen.find((r) => r.params.checkstatus === '1')?.apiError).toBe('missingresult');
    expect(seen.some((r) => r.params.prop === 'stashimageinfo')).toBe(true);
    expect(seen.filter((r) => r.params.stash === '1')).toHaveLength(0);
  });

  it('starts again from the first byte when the stash no longer knows the filekey', async () => {
    const png = await fixtures.png('lost-stash.png', 3, 2 * CHUNK + 10);
    const { fetch, seen } = recordingFetch();
    const result = expectSuccess(
      await client({ chunkSize: CHUNK, fetch }).upload({
        filename: 'Lost stash.png',
        filePath: png,
        text: 'x',
        resumeFilekey: '1abcdefghijk.lmnopq.3.png',
      }),
    );
    expect(result.file.sha1).toBe(await sha1Of(png));
    const check = seen.find((r) => r.params.checkstatus === '1');
    // 1.39 answers checkstatus for an unknown filekey with missingresult, not stashedfilenotfound.
    expect(check?.apiError).toBe('missingresult');
    expect(seen.filter((r) => r.params.stash === '1').map((r) => Number(r.params.offset))[0]).toBe(0);
  });

  it('gives the duplicate warning only after the chunks are assembled, with a filekey to accept', async () => {
    const png = await fixtures.png('chunk-dup.png', 4, 3 * CHUNK);
    const chunked = client({ chunkSize: CHUNK });
    expectSuccess(await chunked.upload({ filename: 'Chunked original.png', filePath: png, text: 'x' }));
    const second = await chunked.upload({ filename: 'Chunked copy.png', filePath: png, text: 'x' });
    expect(second).toMatchObject({
      result: 'warning',
      warnings: [{ code: 'duplicate', files: ['Chunked_original.png'] }],
    });
    if (second.result !== 'warning') return;
    const accepted = expectSuccess(
      await chunked.acceptStashed({ filename: 'Chunked copy.png', filekey: second.filekey }),
    );
    expect(accepted.file.sha1).toBe(await sha1Of(png));
  });

  it('keeps bytes intact when a chunk ends in a carriage return', async () => {
    const bytes = await readFile(await fixtures.png('cr-source.png', 5, 3 * CHUNK));
    const boundary = bytes.indexOf(0x0d, CHUNK);
    expect(boundary).toBeGreaterThan(0);
    const png = path.join(fixtures.dir, 'cr.png');
    await writeFile(png, bytes);
    const result = expectSuccess(
      await client({ chunkSize: boundary + 1, chunkThreshold: 1024 }).upload({
        filename: 'Carriage return chunk.png',
        filePath: png,
        text: 'x',
      }),
    );
    expect(result.file.sha1).toBe(await sha1Of(png));
  });

  it('refuses a chunk size below the wiki’s minimum before sending anything', async () => {
    await wiki.configure({ minUploadChunkSize: 100 * 1024 });
    try {
      const png = await fixtures.png('too-small.png', 6, 3 * CHUNK);
      const { fetch, seen } = recordingFetch();
      const err = await courierErrorOf(
        client({ chunkSize: CHUNK, fetch }).upload({ filename: 'Tiny chunks.png', filePath: png }),
      );
      expect(err.code).toBe('wiki-chunk');
      expect(err.message).toContain('102400');
      expect(seen.filter((r) => r.params.action === 'upload')).toHaveLength(0);
    } finally {
      await wiki.configure({ minUploadChunkSize: 1024 });
    }
  });

  it('turns the wiki’s own chunk-too-small answer into wiki-chunk', async () => {
    const png = await fixtures.png('server-small.png', 7, 3 * CHUNK);
    const { fetch, seen } = recordingFetch();
    const stale = client({ chunkSize: CHUNK, fetch });
    expect((await stale.siteInfo()).minUploadChunkSize).toBe(1024);
    // The wiki raises its minimum after the client read siteinfo: now the server itself must refuse.
    await wiki.configure({ minUploadChunkSize: 100 * 1024 });
    try {
      const err = await courierErrorOf(stale.upload({ filename: 'Server small.png', filePath: png }));
      expect(err.code).toBe('wiki-chunk');
      expect(err.detail).toMatchObject({ apiCode: 'chunk-too-small' });
      expect(seen.filter((r) => r.params.stash === '1').map((r) => r.apiError)).toEqual(['chunk-too-small']);
    } finally {
      await wiki.configure({ minUploadChunkSize: 1024 });
    }
  });
});
