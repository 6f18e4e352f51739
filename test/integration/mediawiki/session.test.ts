// Login, tokens and the wiki's throttles, against a real MediaWiki 1.39 (Debian package, php -S, SQLite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediawikiClient } from '../../../electron/engine/clients/mediawiki';
import { startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import { courierErrorOf, fixtureFolder, recordingFetch } from './wikiTestKit';

let wiki: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;

beforeAll(async () => {
  [wiki, fixtures] = await Promise.all([startMediaWiki({ sitename: 'Session wiki' }), fixtureFolder()]);
});

afterAll(async () => {
  await wiki?.close();
  await fixtures?.remove();
});

function botClient(extra: Partial<Parameters<typeof mediawikiClient>[0]> = {}) {
  return mediawikiClient({
    apiUrl: wiki.apiUrl,
    credentials: { user: wiki.botUser, password: wiki.botPassword },
    ...extra,
  });
}

describe('login', () => {
  it('logs in with a bot password and sees the bot’s rights', async () => {
    const client = botClient();
    expect(await client.login()).toMatchObject({ user: 'UploaderBot' });
    const me = await client.userInfo();
    expect(me.anonymous).toBe(false);
    expect(me.name).toBe('UploaderBot');
    expect(me.groups).toContain('bot');
    expect(me.rights).toEqual(expect.arrayContaining(['upload', 'reupload', 'edit']));
    expect(await client.siteInfo()).toMatchObject({
      generator: 'MediaWiki 1.39.17',
      minUploadChunkSize: 1024,
    });
  });

  it('logs in with the main account through clientlogin', async () => {
    const client = mediawikiClient({ apiUrl: wiki.apiUrl, credentials: wiki.botMain });
    expect(await client.login()).toMatchObject({ user: 'UploaderBot' });
    expect((await client.userInfo()).anonymous).toBe(false);
  });

  it('turns a wrong bot password into wiki-auth', async () => {
    const client = botClient({
      credentials: { user: wiki.botUser, password: '0123456789abcdef0123456789abcdef' },
    });
    const err = await courierErrorOf(client.login());
    expect(err.code).toBe('wiki-auth');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('UploaderBot@courier');
    expect(err.message).toMatch(/Incorrect username or password/);
    expect(err.message).toContain('Special:BotPasswords');
  });

  it('turns a wrong main-account password into wiki-auth', async () => {
    const client = mediawikiClient({
      apiUrl: wiki.apiUrl,
      credentials: { user: wiki.botMain.user, password: 'not-the-password-1' },
    });
    const err = await courierErrorOf(client.login());
    expect(err.code).toBe('wiki-auth');
    expect(err.detail).toMatchObject({ status: 'FAIL', messagecode: 'wrongpassword' });
  });

  it('logs in with a bot password lacking the upload grant, but its upload is wiki-permission', async () => {
    const client = mediawikiClient({ apiUrl: wiki.apiUrl, credentials: wiki.botWithoutUpload });
    await client.login();
    const me = await client.userInfo();
    expect(me.rights).toContain('edit');
    expect(me.rights).not.toContain('upload');
    const png = await fixtures.png('no-grant.png', 11);
    const err = await courierErrorOf(client.upload({ filename: 'No grant.png', filePath: png, text: 'x' }));
    expect(err.code).toBe('wiki-permission');
    expect(err.detail).toMatchObject({ apiCode: 'permissiondenied' });
    expect(err.message).toContain('UploaderBot@noupload');
    expect(err.message).toContain('Special:BotPasswords');
    expect((await botClient().fileStates(['No grant.png'])).get('No grant.png')?.file).toBeNull();
  });

  it('refuses to write without an account', async () => {
    const client = mediawikiClient({ apiUrl: wiki.apiUrl });
    const png = await fixtures.png('anonymous.png', 12);
    const err = await courierErrorOf(client.upload({ filename: 'Anonymous.png', filePath: png }));
    expect(err.code).toBe('wiki-auth');
    expect(err.detail).toMatchObject({ apiCode: 'mustbeloggedin' });
  });
});

describe('tokens and sessions', () => {
  it('fetches a new CSRF token after badtoken and repeats the write once', async () => {
    let presentStaleToken = true;
    const { fetch, seen } = recordingFetch((params) => {
      if (params.action !== 'upload' || !presentStaleToken) return null;
      presentStaleToken = false;
      return { token: '0123456789abcdef0123456789abcdef+\\' };
    });
    const client = botClient({ fetch });
    const png = await fixtures.png('badtoken.png', 13);
    const result = await client.upload({ filename: 'After badtoken.png', filePath: png, text: 'x' });
    expect(result.result).toBe('success');
    const uploads = seen.filter((r) => r.params.action === 'upload');
    expect(uploads.map((r) => r.apiError)).toEqual(['badtoken', null]);
    expect(uploads.every((r) => r.params.assert === 'user')).toBe(true);
    const tokenRequests = seen.filter((r) => r.params.meta === 'tokens' && r.params.type === 'csrf');
    expect(tokenRequests).toHaveLength(2);
  });

  it('logs in again when the wiki has forgotten the session, and never writes as an IP', async () => {
    const { fetch, seen } = recordingFetch();
    const client = botClient({ fetch });
    await client.upload({
      filename: 'Before expiry.png',
      filePath: await fixtures.png('before.png', 14),
      text: 'x',
    });
    expect(wiki.dropSessions()).toBeGreaterThan(0);
    const result = await client.upload({
      filename: 'After expiry.png',
      filePath: await fixtures.png('after.png', 15),
      text: 'x',
    });
    expect(result.result).toBe('success');
    expect(result.result === 'success' && result.file.user).toBe('UploaderBot');
    expect(seen.filter((r) => r.params.action === 'login' && r.method === 'POST')).toHaveLength(2);
    const state = (await client.fileStates(['After expiry.png'])).get('After expiry.png');
    expect(state?.file?.user).toBe('UploaderBot');
  });
});

describe('throttles', () => {
  it('sends maxlag=5 by default and turns a maxlag error into a retryable wait from Retry-After', async () => {
    const { fetch, seen } = recordingFetch();
    await mediawikiClient({ apiUrl: wiki.apiUrl, fetch }).siteInfo();
    expect(seen[0]?.params.maxlag).toBe('5');

    // On a single-database wiki the lag is -1, so only maxlag ≤ -2 trips it (reference §3.10).
    const lagging = mediawikiClient({ apiUrl: wiki.apiUrl, maxlag: -2 });
    const err = await courierErrorOf(lagging.findBySha1('0'.repeat(40)));
    expect(err.code).toBe('wiki-maxlag');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(5_000);
    expect(err.detail).toMatchObject({ apiCode: 'maxlag', lag: -1 });
  });

  it('turns ratelimited into a retryable error whose wait is the wiki’s window', async () => {
    await wiki.configure({ rateLimits: { upload: { user: [2, 45] } } });
    try {
      const client = botClient();
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const png = await fixtures.png(`rate-${i}.png`, 100 + i);
        try {
          outcomes.push(
            (await client.upload({ filename: `Rate limited ${i}.png`, filePath: png, text: 'x' })).result,
          );
        } catch (err) {
          const error = await courierErrorOf(Promise.reject(err));
          outcomes.push(error.code);
          expect(error.retryable).toBe(true);
          expect(error.retryAfterMs).toBe(45_000);
          expect(error.detail).toMatchObject({ apiCode: 'ratelimited' });
          expect(error.message).toContain('2 per 45 s');
        }
      }
      expect(outcomes).toEqual(['success', 'success', 'wiki-ratelimited']);
    } finally {
      await wiki.configure({ rateLimits: {} });
    }
  });
});
