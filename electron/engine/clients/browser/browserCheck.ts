// Settings → Browser: is the program a person chose a Chromium-family browser that can be run?
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserCheck } from '../../../../shared/commands/settings';
import { CourierError } from '../../../../shared/errors';
import { findChromiumExecutable } from './findBrowser';

/** How long a browser may take to say its version; Chromium answers in about a second. */
export const VERSION_TIMEOUT_MS = 10_000;

/** What playwright-core can drive: the Chromium family. */
const CHROMIUM_FAMILY = /chrom|edge|brave|opera|vivaldi/i;

/**
 * Why `file` cannot be the browser program, or null when it can: a full path to a file that exists and
 * may be run. Looks at the file only (nothing is started).
 */
export function browserFileProblem(
  file: string,
  platform: NodeJS.Platform = process.platform,
): string | null {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (file.includes('\0')) return 'The browser path contains a character no file system accepts.';
  if (!p.isAbsolute(file)) {
    const example =
      platform === 'win32'
        ? 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'
        : platform === 'darwin'
          ? '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'
          : '/usr/bin/chromium';
    return `'${file}' is not a full path; give the browser program's whole path, e.g. ${example}.`;
  }
  let info: fs.Stats;
  try {
    info = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `There is no file ${file}.`;
    return `${file} cannot be read (${code === 'EACCES' ? 'permission denied' : (err as Error).message}).`;
  }
  if (info.isDirectory()) {
    const hint = file.endsWith('.app')
      ? ` (on a Mac, the program is inside it: ${p.join(file, 'Contents', 'MacOS', p.basename(file, '.app'))})`
      : '';
    return `${file} is a folder, not a program${hint}.`;
  }
  if (!info.isFile()) return `${file} is not a program file.`;
  if (platform !== 'win32') {
    try {
      fs.accessSync(file, fs.constants.X_OK);
    } catch {
      return `${file} is not allowed to run (it is not executable).`;
    }
  }
  return null;
}

/** The version a browser program reports: `--version`; on Windows, where that opens a window, the file's version. */
function askVersion(file: string, timeoutMs: number): Promise<string> {
  const [command, args, env] =
    process.platform === 'win32'
      ? [
          'powershell.exe',
          [
            '-NoProfile',
            '-NonInteractive',
            '-Command',
            '$i = (Get-Item -LiteralPath $env:COURIER_BROWSER_CHECK).VersionInfo; "$($i.ProductName) $($i.ProductVersion)"',
          ],
          { ...process.env, COURIER_BROWSER_CHECK: file },
        ]
      : [file, ['--version'], process.env];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 64 * 1024, env },
      (err, stdout, stderr) => {
        if (err) {
          const timedOut = (err as { killed?: boolean }).killed === true;
          reject(
            new CourierError({
              code: timedOut ? 'browser-check-timeout' : 'browser-check-failed',
              message: timedOut
                ? `${file} did not say its version within ${(timeoutMs / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s; it may not be a browser, or it is stuck.`
                : `${file} could not be run: ${firstLine(String(stderr)) || err.message}`,
            }),
          );
          return;
        }
        resolve(firstLine(String(stdout)));
      },
    );
  });
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** "Chromium 126.0.6478.126 built on Debian…" → "Chromium 126.0.6478.126". */
function shortVersion(line: string): string {
  return /^(.*?\d+(?:\.\d+)+)/.exec(line)?.[1] ?? line;
}

/**
 * Checks the browser program for Radiopaedia pages: the typed one, or (when `typed` is empty) the one
 * found automatically. It must be a file that can be run and must say it is Chrome, Edge or Chromium
 * when asked its version (within `timeoutMs`). Never throws: a problem is the result's message.
 */
export async function checkBrowser(
  typed: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<BrowserCheck> {
  let file = typed.trim();
  let how = '';
  if (file === '') {
    try {
      file = findChromiumExecutable({ env: options.env }).path;
      how = ' (found automatically)';
    } catch (err) {
      return { ok: false, path: null, version: null, message: (err as Error).message };
    }
  }
  const problem = browserFileProblem(file);
  if (problem) return { ok: false, path: file, version: null, message: problem };
  let line: string;
  try {
    line = await askVersion(file, options.timeoutMs ?? VERSION_TIMEOUT_MS);
  } catch (err) {
    return { ok: false, path: file, version: null, message: (err as Error).message };
  }
  if (!line) {
    return { ok: false, path: file, version: null, message: `${file} did not say which browser it is.` };
  }
  const version = shortVersion(line);
  if (!CHROMIUM_FAMILY.test(line)) {
    return {
      ok: false,
      path: file,
      version,
      message: `${file} says it is “${version}”: Radiopaedia pages need Chrome, Edge or Chromium.`,
    };
  }
  return { ok: true, path: file, version, message: `${version}${how}: ${file}` };
}
