import { describe, expect, it } from 'vitest';
import { chromiumArgs, identifyingUserAgent } from '../../../electron/engine/clients/browser/browserDriver';
import {
  browserCandidates,
  findChromiumExecutable,
  findHeadlessShell,
} from '../../../electron/engine/clients/browser/findBrowser';

const only =
  (...present: string[]) =>
  (file: string) =>
    present.includes(file);

describe('findChromiumExecutable', () => {
  it('Linux: Debian chromium in /usr/bin', () => {
    const found = findChromiumExecutable({
      platform: 'linux',
      env: { PATH: '/usr/bin' },
      isExecutable: only('/usr/bin/chromium'),
    });
    expect(found).toEqual({ path: '/usr/bin/chromium', kind: 'chromium' });
  });

  it('Linux: Chrome from PATH or /opt when there is no Chromium', () => {
    expect(
      findChromiumExecutable({
        platform: 'linux',
        env: { PATH: '/home/u/bin' },
        isExecutable: only('/home/u/bin/google-chrome'),
      }),
    ).toEqual({ path: '/home/u/bin/google-chrome', kind: 'chrome' });
    expect(
      findChromiumExecutable({
        platform: 'linux',
        env: {},
        isExecutable: only('/opt/microsoft/msedge/msedge'),
      }).kind,
    ).toBe('edge');
  });

  it('Windows: Chrome first, then Edge, then Chromium, in Program Files or LocalAppData', () => {
    const env = {
      ProgramFiles: 'C:\\Program Files',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
      LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local',
    };
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    expect(findChromiumExecutable({ platform: 'win32', env, isExecutable: only(edge) })).toEqual({
      path: edge,
      kind: 'edge',
    });
    const userChrome = 'C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe';
    expect(
      findChromiumExecutable({ platform: 'win32', env, isExecutable: only(edge, userChrome) }).path,
    ).toBe(userChrome);
  });

  it('macOS: /Applications and ~/Applications', () => {
    const cands = browserCandidates('darwin', {}, '/Users/a').map((c) => c.path);
    expect(cands[0]).toBe('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    expect(cands).toContain('/Users/a/Applications/Chromium.app/Contents/MacOS/Chromium');
    expect(cands).toContain('/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge');
  });

  it('a configured path wins, and must exist', () => {
    expect(
      findChromiumExecutable({
        configuredPath: '/srv/chrome',
        platform: 'linux',
        isExecutable: only('/srv/chrome', '/usr/bin/chromium'),
      }),
    ).toEqual({ path: '/srv/chrome', kind: 'configured' });
    expect(() =>
      findChromiumExecutable({ configuredPath: '/nope', isExecutable: only('/usr/bin/chromium') }),
    ).toThrow(expect.objectContaining({ code: 'browser-not-found' }));
  });

  it('none installed: browser-not-found listing what was tried', () => {
    try {
      findChromiumExecutable({ platform: 'linux', env: {}, isExecutable: () => false });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'browser-not-found' });
      expect((err as { detail: { tried: string[] } }).detail.tried).toContain('/usr/bin/chromium');
    }
  });
});

describe('findHeadlessShell', () => {
  it('Debian and Ubuntu: chromium-headless-shell beside a detected chromium', () => {
    const isExecutable = only('/usr/bin/chromium', '/usr/bin/chromium-headless-shell');
    expect(findHeadlessShell({ path: '/usr/bin/chromium', kind: 'chromium' }, { isExecutable })).toBe(
      '/usr/bin/chromium-headless-shell',
    );
  });

  it('none when the shell is not installed, for Chrome and Edge, and for a configured browser', () => {
    const isExecutable = () => true;
    expect(
      findHeadlessShell(
        { path: '/usr/bin/chromium', kind: 'chromium' },
        { isExecutable: only('/usr/bin/chromium') },
      ),
    ).toBeNull();
    expect(
      findHeadlessShell({ path: '/usr/bin/google-chrome', kind: 'chrome' }, { isExecutable }),
    ).toBeNull();
    expect(
      findHeadlessShell({ path: '/opt/microsoft/msedge/msedge', kind: 'edge' }, { isExecutable }),
    ).toBeNull();
    expect(findHeadlessShell({ path: '/usr/bin/chromium', kind: 'configured' }, { isExecutable })).toBeNull();
    expect(
      findHeadlessShell(
        { path: 'C:\\Chromium\\Application\\chrome.exe', kind: 'chromium' },
        { isExecutable },
      ),
    ).toBeNull();
  });
});

describe('launch flags and User-Agent', () => {
  it('closed-network switches always; --no-sandbox only as root', () => {
    const base = [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ];
    expect(chromiumArgs({ isRoot: false })).toEqual(expect.arrayContaining(base));
    expect(chromiumArgs({ isRoot: false })).not.toContain('--no-sandbox');
    expect(chromiumArgs({ isRoot: true })).toContain('--no-sandbox');
  });

  it('keeps the browser User-Agent, drops "Headless", adds the product token once', () => {
    const ua =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
    const out = identifyingUserAgent(ua, 'ImagingCourier/0.1 (+https://example.org)');
    expect(out).toBe(
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 ImagingCourier/0.1 (+https://example.org)',
    );
    expect(identifyingUserAgent(out, 'ImagingCourier/0.1 (+https://example.org)')).toBe(out);
  });
});
