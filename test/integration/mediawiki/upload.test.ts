// Uploads and their warnings against two real MediaWiki 1.39 wikis: a target and a reference "Commons".
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWarning, isAlreadyUploaded, mediawikiClient } from '../../../electron/engine/clients/mediawiki';
import type { MediawikiClient, UploadResult } from '../../../electron/engine/clients/mediawiki';
import { fileNameToDbKey, sanitizeFileName } from '../../../shared/wikiTitle';
import { DEFAULT_SETTINGS, startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import { courierErrorOf, fixtureFolder, recordingFetch, sha1Of } from './wikiTestKit';

let target: MediaWikiServer;
let commons: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;
let bot: MediawikiClient;
let seed = 1000;

beforeAll(async () => {
  [target, commons, fixtures] = await Promise.all([
    startMediaWiki({ sitename: 'Target wiki' }),
    startMediaWiki({ sitename: 'Reference Commons' }),
    fixtureFolder(),
  ]);
  bot = mediawikiClient({
    apiUrl: target.apiUrl,
    credentials: { user: target.botUser, password: target.botPassword },
  });
});

afterAll(async () => {
  await Promise.all([target?.close(), commons?.close()]);
  await fixtures?.remove();
});

/** A PNG nobody has uploaded yet. */
function freshPng(): Promise<string> {
  seed += 1;
  return fixtures.png(`fixture-${seed}.png`, seed);
}

function expectSuccess(result: UploadResult): Extract<UploadResult, { result: 'success' }> {
  if (result.result !== 'success') throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result;
}

function expectWarning(result: UploadResult): Extract<UploadResult, { result: 'warning' }> {
  if (result.result !== 'warning') throw new Error(`expected warnings, got ${JSON.stringify(result)}`);
  return result;
}

async function pageText(wiki: MediaWikiServer, title: string): Promise<string> {
  const response = await fetch(`${wiki.indexUrl}?action=raw&title=${encodeURIComponent(title)}`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('upload', () => {
  it('uploads a new file with its page text and summary', async () => {
    const png = await freshPng();
    const result = expectSuccess(
      await bot.upload({
        filename: 'Plain upload.png',
        filePath: png,
        text: 'A description.\n[[Category:Radiopaedia images by type]]',
        comment: 'rID:83581 (batch #1-1 A1)',
      }),
    );
    expect(result).toMatchObject({
      filename: 'Plain_upload.png',
      title: 'File:Plain upload.png',
      warnings: [],
    });
    expect(result.file.sha1).toBe(await sha1Of(png));
    expect(result.file.user).toBe('UploaderBot');
    expect(await pageText(target, 'File:Plain upload.png')).toContain(
      '[[Category:Radiopaedia images by type]]',
    );
    const served = await fetch(result.file.url);
    expect(served.status).toBe(200);
    expect(
      createHash('sha1')
        .update(Buffer.from(await served.arrayBuffer()))
        .digest('hex'),
    ).toBe(result.file.sha1);
  });

  it('reports the same bytes under the same name as exists + nochange, and accepting them as unchanged', async () => {
    const png = await freshPng();
    expectSuccess(await bot.upload({ filename: 'Same twice.png', filePath: png, text: 'x' }));
    const again = expectWarning(await bot.upload({ filename: 'Same twice.png', filePath: png, text: 'x' }));
    expect(findWarning(again.warnings, 'exists')?.file).toBe('Same_twice.png');
    expect(findWarning(again.warnings, 'nochange')?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(isAlreadyUploaded(again.warnings)).toBe(true);
    // Publishing anyway is MediaWiki's hard error fileexists-no-change: the client calls that 'unchanged'.
    expect(await bot.acceptStashed({ filename: 'Same twice.png', filekey: again.filekey })).toEqual({
      result: 'unchanged',
      filename: 'Same twice.png',
    });
  });

  it('reports the same bytes under another name as duplicate, and accepts it from the stash without resending', async () => {
    const png = await freshPng();
    expectSuccess(await bot.upload({ filename: 'Original.png', filePath: png, text: 'x' }));
    const copy = expectWarning(
      await bot.upload({ filename: 'Copy of original.png', filePath: png, text: 'copy' }),
    );
    expect(copy.warnings).toEqual([{ code: 'duplicate', files: ['Original.png'] }]);
    expect(isAlreadyUploaded(copy.warnings)).toBe(false);
    expect(copy.filekey).toMatch(/\.png$/);

    const { fetch, seen } = recordingFetch();
    const recorded = mediawikiClient({
      apiUrl: target.apiUrl,
      credentials: { user: target.botUser, password: target.botPassword },
      fetch,
    });
    // A filekey is bound to the user, not to the session: another session of the same bot may publish it.
    const published = expectSuccess(
      await recorded.acceptStashed({ filename: 'Copy of original.png', filekey: copy.filekey, text: 'copy' }),
    );
    expect(published.filename).toBe('Copy_of_original.png');
    expect(published.warnings).toEqual([{ code: 'duplicate', files: ['Original.png'] }]);
    const publish = seen.filter((r) => r.params.action === 'upload');
    expect(publish).toHaveLength(1);
    expect(publish[0]?.params).toMatchObject({ filekey: copy.filekey, ignorewarnings: '1' });
    expect(Object.values(publish[0]?.params ?? {}).some((v) => v.startsWith('<file'))).toBe(false);
    expect(await pageText(target, 'File:Copy of original.png')).toBe('copy');
  });

  it('never sends ignorewarnings on a first attempt', async () => {
    const { fetch, seen } = recordingFetch();
    const client = mediawikiClient({
      apiUrl: target.apiUrl,
      credentials: { user: target.botUser, password: target.botPassword },
      fetch,
    });
    await client.upload({ filename: 'First attempt.png', filePath: await freshPng(), text: 'x' });
    const upload = seen.find((r) => r.params.action === 'upload');
    expect(upload?.params).not.toHaveProperty('ignorewarnings');
    expect(upload?.params.file).toMatch(/^<file \d+ B>$/);
  });

  it('reports other bytes under a taken name as exists only; accepting makes a new version', async () => {
    const first = await freshPng();
    const second = await freshPng();
    expectSuccess(await bot.upload({ filename: 'Two versions.png', filePath: first, text: 'first text' }));
    const clash = expectWarning(
      await bot.upload({ filename: 'Two versions.png', filePath: second, text: 'second' }),
    );
    expect(clash.warnings).toEqual([{ code: 'exists', file: 'Two_versions.png' }]);
    const accepted = expectSuccess(
      await bot.acceptStashed({ filename: 'Two versions.png', filekey: clash.filekey }),
    );
    expect(accepted.file.sha1).toBe(await sha1Of(second));
    // `text` only applies to new files; the description page keeps its first text.
    expect(await pageText(target, 'File:Two versions.png')).toBe('first text');
    const edit = await bot.editPage({
      title: 'File:Two versions.png',
      text: 'second text',
      summary: 'new version',
    });
    expect(edit).toMatchObject({ title: 'File:Two versions.png', noChange: false });
    expect(await pageText(target, 'File:Two versions.png')).toBe('second text');
  });

  it('reports was-deleted and duplicate-archive after a deletion', async () => {
    const deletedBytes = await freshPng();
    expectSuccess(await bot.upload({ filename: 'Deleted later.png', filePath: deletedBytes, text: 'x' }));
    await target.deleteFiles(['Deleted later.png']);

    const sameName = expectWarning(
      await bot.upload({ filename: 'Deleted later.png', filePath: await freshPng() }),
    );
    expect(sameName.warnings).toEqual([{ code: 'was-deleted', file: 'Deleted_later.png' }]);

    const sameBytes = expectWarning(
      await bot.upload({ filename: 'Reborn elsewhere.png', filePath: deletedBytes }),
    );
    expect(sameBytes.warnings).toEqual([{ code: 'duplicate-archive', file: 'Deleted_later.png' }]);
  });

  it('reports exists-normalized for the same name with another extension case', async () => {
    expectSuccess(
      await bot.upload({ filename: 'Extension case.png', filePath: await freshPng(), text: 'x' }),
    );
    const upper = expectWarning(
      await bot.upload({ filename: 'Extension case.PNG', filePath: await freshPng() }),
    );
    expect(upper.warnings).toEqual([{ code: 'exists-normalized', file: 'Extension_case.png' }]);
  });

  it('reports badfilename with the name the wiki would use, which is what sanitizeFileName gives', async () => {
    const proposed = 'Case #5 [x] a:b.png';
    const bad = expectWarning(await bot.upload({ filename: proposed, filePath: await freshPng() }));
    expect(bad.warnings).toEqual([{ code: 'badfilename', file: 'Case_-5_-x-_a-b.png' }]);
    const sanitized = sanitizeFileName(proposed);
    expect(sanitized.ok && fileNameToDbKey(sanitized.name)).toBe('Case_-5_-x-_a-b.png');
  });

  it('reports a camera prefix as bad-prefix', async () => {
    const camera = expectWarning(await bot.upload({ filename: 'IMG 0001.png', filePath: await freshPng() }));
    expect(camera.warnings).toEqual([{ code: 'bad-prefix', file: 'IMG_0001.png' }]);
  });

  it.each([
    'Abdominal aortic aneurysm (Radiopaedia 83581-98689 Sagittal C+ portal venous phase 91).png',
    'échographie rénale — coupe C+ (Radiopaedia 7-8 Axial C+ arterial phase 2).png',
    'Ärzte + Röntgen 100% Ω & “quotes” (Radiopaedia 9-10 Frontal 1).png',
  ])('keeps %j exactly as sanitised (C+, unicode, percent-encoding)', async (proposed) => {
    const sanitized = sanitizeFileName(proposed);
    if (!sanitized.ok) throw new Error(sanitized.message);
    const png = await freshPng();
    const result = expectSuccess(await bot.upload({ filename: sanitized.name, filePath: png, text: 'x' }));
    expect(result.warnings).toEqual([]);
    expect(result.filename).toBe(fileNameToDbKey(sanitized.name));
    expect(result.title).toBe(`File:${sanitized.name}`);
    // Reads go through the query string: '+' must arrive as '+', not as a space.
    const state = (await bot.fileStates([sanitized.name])).get(sanitized.name);
    expect(state?.file?.sha1).toBe(await sha1Of(png));
    expect(await bot.pageExists(`File:${sanitized.name}`)).toBe(true);
    const lookalike = sanitized.name.replace(/\+/g, ' ');
    if (lookalike !== sanitized.name) expect(await bot.pageExists(`File:${lookalike}`)).toBe(false);
  });

  it('refuses a file whose bytes do not match its extension as wiki-filetype needing a person', async () => {
    const err = await courierErrorOf(
      bot.upload({ filename: 'Really a png.jpg', filePath: await freshPng() }),
    );
    expect(err.code).toBe('wiki-filetype');
    expect(err.detail).toMatchObject({ apiCode: 'verification-error' });
    expect(err.attention?.actions).toEqual(['skip']);
  });
});

describe('wiki limits', () => {
  it('refuses files above $wgMaxUploadSize and extensions outside $wgFileExtensions', async () => {
    await target.configure({ maxUploadSize: 1000, fileExtensions: ['jpg', 'gif'] });
    try {
      expect((await mediawikiClient({ apiUrl: target.apiUrl }).siteInfo()).fileExtensions).toEqual([
        'jpg',
        'gif',
      ]);
      const tooLarge = await courierErrorOf(
        bot.upload({ filename: 'Too large.jpg', filePath: await freshPng() }),
      );
      expect(tooLarge.code).toBe('wiki-filetype');
      expect(tooLarge.detail).toMatchObject({ apiCode: 'file-too-large' });
      await target.configure({ maxUploadSize: DEFAULT_SETTINGS.maxUploadSize });
      const banned = await courierErrorOf(
        bot.upload({ filename: 'Banned type.png', filePath: await freshPng() }),
      );
      expect(banned.code).toBe('wiki-filetype');
      expect(banned.detail).toMatchObject({ apiCode: 'filetype-banned' });
    } finally {
      const { maxUploadSize, fileExtensions } = DEFAULT_SETTINGS;
      await target.configure({ maxUploadSize, fileExtensions });
    }
  });
});

describe('SHA-1 lookups across wikis', () => {
  it('finds a file on the reference wiki by SHA-1, anonymously, and not on the target', async () => {
    const png = await freshPng();
    const sha1 = await sha1Of(png);
    const commonsBot = mediawikiClient({
      apiUrl: commons.apiUrl,
      credentials: { user: commons.botUser, password: commons.botPassword },
    });
    expectSuccess(
      await commonsBot.upload({ filename: 'Gray anatomy plate C+.png', filePath: png, text: 'x' }),
    );

    const anonymousCommons = mediawikiClient({ apiUrl: commons.apiUrl });
    const matches = await anonymousCommons.findBySha1(sha1.toUpperCase());
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({
      title: 'File:Gray anatomy plate C+.png',
      name: 'Gray_anatomy_plate_C+.png',
      sha1,
      url: expect.stringContaining(commons.serverUrl),
      descriptionUrl: expect.stringContaining('File:Gray_anatomy_plate_C%2B.png'),
    });
    expect(await bot.findBySha1(sha1)).toEqual([]);
  });

  it('lists every current file with the hash on the target', async () => {
    const png = await freshPng();
    expectSuccess(await bot.upload({ filename: 'Hash twin A.png', filePath: png, text: 'x' }));
    const twin = expectWarning(await bot.upload({ filename: 'Hash twin B.png', filePath: png }));
    expectSuccess(await bot.acceptStashed({ filename: 'Hash twin B.png', filekey: twin.filekey }));
    const names = (await bot.findBySha1(await sha1Of(png))).map((f) => f.name).sort();
    expect(names).toEqual(['Hash_twin_A.png', 'Hash_twin_B.png']);
  });

  it('includes the reference wiki in the target’s own duplicate warning when it is a foreign repository', async () => {
    await target.configure({ foreignApiRepos: [{ name: 'refcommons', apiUrl: commons.apiUrl }] });
    try {
      const png = await freshPng();
      const commonsBot = mediawikiClient({
        apiUrl: commons.apiUrl,
        credentials: { user: commons.botUser, password: commons.botPassword },
      });
      expectSuccess(await commonsBot.upload({ filename: 'Only on Commons.png', filePath: png, text: 'x' }));
      const result = expectWarning(await bot.upload({ filename: 'Local copy.png', filePath: png }));
      expect(result.warnings).toEqual([{ code: 'duplicate', files: ['Only_on_Commons.png'] }]);
      const state = (await bot.fileStates(['Only on Commons.png'])).get('Only on Commons.png');
      expect(state).toMatchObject({ file: null, sharedFile: true });
    } finally {
      await target.configure({ foreignApiRepos: [] });
    }
  });
});
