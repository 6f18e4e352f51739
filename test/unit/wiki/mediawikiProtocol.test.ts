import { describe, expect, it } from 'vitest';
import { encodeParams } from '../../../electron/engine/clients/mediawiki/actionApi';
import { apiErrorToCourier } from '../../../electron/engine/clients/mediawiki/apiErrors';
import { CookieJar } from '../../../electron/engine/clients/mediawiki/cookieJar';
import { parseUploadWarnings } from '../../../electron/engine/clients/mediawiki/uploadWarnings';

describe('encodeParams', () => {
  it('leaves false and undefined out, because MediaWiki reads any present boolean as true', () => {
    expect(encodeParams({ ignorewarnings: false, stash: true, text: undefined, offset: 0 })).toEqual([
      ['stash', '1'],
      ['offset', '0'],
    ]);
  });

  it('joins lists with | and switches to the \\x1f separator when a value holds |', () => {
    expect(encodeParams({ prop: ['info', 'imageinfo'] })).toEqual([['prop', 'info|imageinfo']]);
    expect(encodeParams({ titles: ['File:A|B.png', 'File:C.png'] })).toEqual([
      ['titles', '\x1fFile:A|B.png\x1fFile:C.png'],
    ]);
  });

  it('keeps + as + once the pairs are form-encoded', () => {
    const body = new URLSearchParams(encodeParams({ filename: 'Sagittal C+ phase.png' }));
    expect(body.toString()).toBe('filename=Sagittal+C%2B+phase.png');
    expect(new URLSearchParams(body.toString()).get('filename')).toBe('Sagittal C+ phase.png');
  });
});

describe('CookieJar', () => {
  it('keeps, replaces and expires cookies', () => {
    const jar = new CookieJar();
    const now = Date.parse('2026-01-01T00:00:00Z');
    jar.store(
      ['wiki_session=abc; path=/; HttpOnly', 'wikiUserID=3; expires=Fri, 01 Jan 2027 00:00:00 GMT'],
      now,
    );
    expect(jar.header(now)).toBe('wiki_session=abc; wikiUserID=3');
    jar.store(['wiki_session=def; path=/', 'wikiUserID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT'], now);
    expect(jar.header(now)).toBe('wiki_session=def');
    jar.store(['short=1; Max-Age=10'], now);
    expect(jar.header(now + 5_000)).toBe('wiki_session=def; short=1');
    expect(jar.header(now + 11_000)).toBe('wiki_session=def');
    jar.clear();
    expect(jar.header(now)).toBeUndefined();
  });
});

describe('apiErrorToCourier', () => {
  const what = "upload of 'X.png' to https://wiki.example/api.php";

  it.each([
    ['maxlag', 'wiki-maxlag', true],
    ['ratelimited', 'wiki-ratelimited', true],
    ['readonly', 'wiki-readonly', true],
    ['internal_api_error_DBQueryError', 'wiki-internal', true],
    ['assertuserfailed', 'wiki-auth', false],
    ['mustbeloggedin', 'wiki-auth', false],
    ['permissiondenied', 'wiki-permission', false],
    ['blocked', 'wiki-blocked', false],
    ['filename-toolong', 'wiki-filename', false],
    ['filetype-banned', 'wiki-filetype', false],
    ['stashedfilenotfound', 'wiki-stash', false],
    ['uploadstash-file-not-found', 'wiki-stash', false],
    ['chunk-too-small', 'wiki-chunk', false],
    ['abusefilter-disallowed', 'wiki-rejected', false],
    ['unknown_action', 'wiki-api', false],
  ])('%s → %s (retryable %s)', (apiCode, code, retryable) => {
    const err = apiErrorToCourier(
      { code: apiCode, info: 'Something.', docref: 'See …' },
      { what, user: 'Bot@app' },
    );
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.message.startsWith(what)).toBe(true);
    expect(err.detail).toMatchObject({ apiCode });
    expect(err.detail).not.toHaveProperty('docref');
  });

  it('takes the maxlag wait from Retry-After, and falls back to 5 s', () => {
    const withHeader = apiErrorToCourier({ code: 'maxlag', lag: 7 }, { what, retryAfter: '12' });
    expect(withHeader.retryAfterMs).toBe(12_000);
    expect(withHeader.message).toContain('7 s');
    expect(apiErrorToCourier({ code: 'maxlag' }, { what }).retryAfterMs).toBe(5_000);
  });

  it('offers rename for a refused name and only skip for a refused file (retry is always open)', () => {
    expect(apiErrorToCourier({ code: 'illegal-filename' }, { what }).attention?.actions).toEqual([
      'rename',
      'skip',
    ]);
    const refused = apiErrorToCourier({ code: 'verification-error' }, { what });
    expect(refused.attention?.actions).toEqual(['skip']);
    expect(refused.message).toContain('replace the file and retry it, or skip it');
  });

  it('drops wiki link markup from the sentence', () => {
    const err = apiErrorToCourier(
      { code: 'permissiondenied', info: 'Limited to [[Project:Users|Users]] and [[Admins]].' },
      { what },
    );
    expect(err.message).toContain('Limited to Users and Admins');
  });
});

describe('parseUploadWarnings', () => {
  it('types the warnings MediaWiki 1.39 sends', () => {
    expect(
      parseUploadWarnings({
        exists: 'A.png',
        nochange: { timestamp: '2026-01-01T00:00:00Z' },
        duplicate: ['B.png', 'C.png'],
        duplicateversions: [{ timestamp: '2025-01-01T00:00:00Z' }],
        'duplicate-archive': 'D.png',
        badfilename: 'E-.png',
        'large-file': [10, 20],
      }),
    ).toEqual([
      { code: 'exists', file: 'A.png' },
      { code: 'nochange', timestamp: '2026-01-01T00:00:00Z' },
      { code: 'duplicate', files: ['B.png', 'C.png'] },
      { code: 'duplicateversions', timestamps: ['2025-01-01T00:00:00Z'] },
      { code: 'duplicate-archive', file: 'D.png' },
      { code: 'badfilename', file: 'E-.png' },
      { code: 'other', apiCode: 'large-file', value: [10, 20] },
    ]);
    expect(parseUploadWarnings(undefined)).toEqual([]);
  });
});
