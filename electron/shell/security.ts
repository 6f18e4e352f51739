// The desktop window's security policy, as plain data and pure functions so tests can check it
// without an Electron binary (reference/electron.md §2.1).
import { normalize, resolve, sep } from 'node:path';
import type { WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://courier`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** webPreferences of every app window: isolated, sandboxed, no Node, only our preload. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** True for URLs of the app's own pages; nothing else may be loaded in an app window. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'courier';
  } catch {
    return false;
  }
}

/** Links that may be handed to the system browser: http(s) only, parsed, no credentials in them. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** Maps an app:// request to a file below `root`, or null when it would leave that folder. */
export function resolveAppRequest(url: string, root: string): string | null {
  if (!isAppUrl(url)) return null;
  const base = resolve(root);
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const file = normalize(resolve(base, `.${path}`));
  return file.startsWith(base + sep) ? file : null;
}

/** Every permission request (camera, notifications from pages, geolocation…) is refused. */
export function permissionDecision(_permission: string): boolean {
  return false;
}

/** Whether an IPC message comes from one of the app's own windows showing an app page. */
export function isTrustedSender(
  sender: { id: number },
  frameUrl: string | undefined,
  trustedWebContentsIds: ReadonlySet<number>,
): boolean {
  return trustedWebContentsIds.has(sender.id) && frameUrl !== undefined && isAppUrl(frameUrl);
}
