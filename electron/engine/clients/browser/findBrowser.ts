import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CourierError } from '../../../../shared/errors';

export type BrowserKind = 'chrome' | 'edge' | 'chromium' | 'configured';

export interface BrowserCandidate {
  path: string;
  kind: BrowserKind;
}

export interface FindBrowserOptions {
  /** A path set in Settings (or `COURIER_BROWSER` in the environment); wins over detection. */
  configuredPath?: string | null;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Whether `file` exists and can be run; injectable for tests. */
  isExecutable?: (file: string) => boolean;
}

function defaultIsExecutable(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const LINUX_COMMANDS: [string, BrowserKind][] = [
  ['chromium', 'chromium'],
  ['chromium-browser', 'chromium'],
  ['google-chrome-stable', 'chrome'],
  ['google-chrome', 'chrome'],
  ['microsoft-edge-stable', 'edge'],
  ['microsoft-edge', 'edge'],
];

/** Where Chrome, Edge and Chromium install themselves on `platform`, in the order they are tried. */
export function browserCandidates(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  homeDir: string,
): BrowserCandidate[] {
  if (platform === 'win32') {
    // process.env is case-insensitive on Windows; a plain object (tests, a child's env) is not.
    const get = (name: string) => env[name] ?? env[name.toUpperCase()];
    const roots = [get('ProgramFiles'), get('ProgramFiles(x86)'), get('LocalAppData')].filter(
      (r): r is string => !!r,
    );
    const rel: [string, BrowserKind][] = [
      ['Google\\Chrome\\Application\\chrome.exe', 'chrome'],
      ['Microsoft\\Edge\\Application\\msedge.exe', 'edge'],
      ['Chromium\\Application\\chrome.exe', 'chromium'],
    ];
    return rel.flatMap(([file, kind]) => roots.map((root) => ({ path: path.win32.join(root, file), kind })));
  }
  if (platform === 'darwin') {
    const apps: [string, BrowserKind][] = [
      ['Google Chrome.app/Contents/MacOS/Google Chrome', 'chrome'],
      ['Microsoft Edge.app/Contents/MacOS/Microsoft Edge', 'edge'],
      ['Chromium.app/Contents/MacOS/Chromium', 'chromium'],
    ];
    return apps.flatMap(([file, kind]) => [
      { path: path.posix.join('/Applications', file), kind },
      { path: path.posix.join(homeDir, 'Applications', file), kind },
    ]);
  }
  const pathDirs = (env['PATH'] ?? '').split(':').filter(Boolean);
  const dirs = [...new Set(['/usr/bin', '/usr/local/bin', '/snap/bin', ...pathDirs])];
  const fromPath = LINUX_COMMANDS.flatMap(([command, kind]) =>
    dirs.map((dir) => ({ path: path.posix.join(dir, command), kind })),
  );
  return [
    ...fromPath,
    { path: '/opt/google/chrome/chrome', kind: 'chrome' },
    { path: '/opt/microsoft/msedge/msedge', kind: 'edge' },
  ];
}

/**
 * The Chromium-family browser to drive: the configured path when one is set (it must exist), else the
 * first installed Chrome, Edge or Chromium. Throws `browser-not-found` with what was tried.
 */
export function findChromiumExecutable(options: FindBrowserOptions = {}): BrowserCandidate {
  const env = options.env ?? process.env;
  const isExecutable = options.isExecutable ?? defaultIsExecutable;
  const configured = options.configuredPath?.trim() || env['COURIER_BROWSER']?.trim();
  if (configured) {
    if (isExecutable(configured)) return { path: configured, kind: 'configured' };
    throw new CourierError({
      code: 'browser-not-found',
      message: `The browser set in Settings (${configured}) does not exist or cannot be run; choose Chrome, Edge or Chromium.`,
      detail: { tried: [configured] },
    });
  }
  const candidates = browserCandidates(
    options.platform ?? process.platform,
    env,
    options.homeDir ?? os.homedir(),
  );
  const found = candidates.find((c) => isExecutable(c.path));
  if (found) return found;
  throw new CourierError({
    code: 'browser-not-found',
    message:
      'No Chrome, Edge or Chromium was found; install one (on Debian: apt-get install chromium) or set its path in Settings.',
    detail: { tried: candidates.map((c) => c.path) },
  });
}

/**
 * The headless shell installed with a detected Chromium (Debian's and Ubuntu's `chromium-headless-shell`
 * package, in the same folder as `chromium`), or null. Work nobody watches runs in it: it starts in a
 * third of the time of the full browser and has no browser interface to draw. The packages are built
 * from one source at one version, so both read and write the same profile (cookies, sign-ins). A
 * configured browser is used as set, never swapped.
 */
export function findHeadlessShell(
  browser: BrowserCandidate,
  options: Pick<FindBrowserOptions, 'isExecutable'> = {},
): string | null {
  if (browser.kind !== 'chromium' || !path.posix.isAbsolute(browser.path)) return null;
  const shell = path.posix.join(path.posix.dirname(browser.path), 'chromium-headless-shell');
  return (options.isExecutable ?? defaultIsExecutable)(shell) ? shell : null;
}
