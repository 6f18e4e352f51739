// Which browser cookies go with a plain download, and how cookies set by an answer are stored back.
import { describe, expect, it } from 'vitest';
import { cookieApplies, parseSetCookie } from '../../../electron/engine/sources/radiopaedia/contextHttp';

const NOW = Date.UTC(2026, 0, 1);

function cookie(
  over: Partial<Parameters<typeof cookieApplies>[0]> = {},
): Parameters<typeof cookieApplies>[0] {
  return {
    name: 'sid',
    value: 'v',
    domain: 'radiopaedia.org',
    path: '/',
    expires: -1,
    httpOnly: true,
    secure: false,
    sameSite: 'Lax',
    ...over,
  };
}

describe('cookieApplies', () => {
  const url = new URL('https://radiopaedia.org/images/42/download?layout=false');
  it.each([
    ['host-only cookie on its host', cookie(), true],
    ['host-only cookie on a subdomain', cookie(), false, 'https://cdn.radiopaedia.org/x'],
    [
      'domain cookie on a subdomain',
      cookie({ domain: '.radiopaedia.org' }),
      true,
      'https://cdn.radiopaedia.org/x',
    ],
    [
      'domain cookie on a look-alike host',
      cookie({ domain: '.radiopaedia.org' }),
      false,
      'https://evilradiopaedia.org/x',
    ],
    ['path prefix on a folder boundary', cookie({ path: '/images' }), true],
    ['path prefix inside a name', cookie({ path: '/ima' }), false],
    ['other path', cookie({ path: '/cases' }), false],
    ['secure cookie over https', cookie({ secure: true }), true],
    ['secure cookie over http', cookie({ secure: true }), false, 'http://radiopaedia.org/images/1'],
    [
      'secure cookie on http://localhost',
      cookie({ secure: true, domain: 'localhost' }),
      true,
      'http://localhost:3000/a',
    ],
    ['expired cookie', cookie({ expires: NOW / 1000 - 10 }), false],
    ['cookie expiring later', cookie({ expires: NOW / 1000 + 10 }), true],
  ])('%s', (_what, c, expected, at = url.href) => {
    expect(cookieApplies(c, new URL(at), NOW)).toBe(expected);
  });
});

describe('parseSetCookie', () => {
  it('scopes a bare cookie to the answering host and the folder of the path', () => {
    expect(parseSetCookie('sid=abc', 'https://radiopaedia.org/images/42/download', NOW)).toEqual({
      name: 'sid',
      value: 'abc',
      domain: 'radiopaedia.org',
      path: '/images/42',
    });
  });

  it('reads Domain, Path, Max-Age, HttpOnly, Secure and SameSite', () => {
    const parsed = parseSetCookie(
      'remember=t=1; Domain=radiopaedia.org; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict',
      'https://radiopaedia.org/users/sign_in',
      NOW,
    );
    expect(parsed).toEqual({
      name: 'remember',
      value: 't=1',
      domain: '.radiopaedia.org',
      path: '/',
      expires: NOW / 1000 + 60,
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
  });

  it('ignores a header without a name', () => {
    expect(parseSetCookie('=v; Path=/', 'https://radiopaedia.org/', NOW)).toBeNull();
  });
});
