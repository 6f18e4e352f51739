// Plain HTTP on behalf of a browser context: the context's cookies for each URL go out with the request,
// under the User-Agent the browser itself sends, and cookies set by the answers are given back to the
// context. Much lighter than the context's own request API for many files.
import type { BrowserContext } from 'playwright-core';

type ContextCookie = Parameters<BrowserContext['addCookies']>[0][number];

/** The browser's own User-Agent per context, read once from a page when the caller does not know it. */
const agents = new WeakMap<BrowserContext, Promise<string>>();

export function contextUserAgent(context: BrowserContext): Promise<string> {
  let agent = agents.get(context);
  if (!agent) {
    agent = (async () => {
      const page = context.pages().find((p) => !p.isClosed()) ?? (await context.newPage());
      return page.evaluate(() => navigator.userAgent);
    })();
    agent.catch(() => agents.delete(context));
    agents.set(context, agent);
  }
  return agent;
}

type StoredCookie = Awaited<ReturnType<BrowserContext['cookies']>>[number];

const snapshots = new WeakMap<BrowserContext, { at: number; cookies: Promise<StoredCookie[]> }>();

/** Makes the next request read the context's cookies from the browser again. */
export function forgetCookieSnapshot(context: BrowserContext): void {
  snapshots.delete(context);
}

function contextCookies(context: BrowserContext, now: number, reuseMs: number): Promise<StoredCookie[]> {
  const known = snapshots.get(context);
  if (known && now - known.at < reuseMs) return known.cookies;
  const cookies = context.cookies();
  const entry = { at: now, cookies };
  snapshots.set(context, entry);
  cookies.catch(() => {
    if (snapshots.get(context) === entry) snapshots.delete(context);
  });
  return cookies;
}

const TRUSTED_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether the browser would send `cookie` with a request to `url` (RFC 6265 §5.4: domain, path, secure, expiry). */
export function cookieApplies(cookie: StoredCookie, url: URL, nowMs: number): boolean {
  const host = url.hostname.toLowerCase();
  const domain = cookie.domain.toLowerCase();
  const domainOk = domain.startsWith('.')
    ? host === domain.slice(1) || host.endsWith(domain)
    : host === domain;
  if (!domainOk) return false;
  const path = url.pathname || '/';
  const pathOk =
    path === cookie.path ||
    (path.startsWith(cookie.path) && (cookie.path.endsWith('/') || path[cookie.path.length] === '/'));
  if (!pathOk) return false;
  if (cookie.secure && url.protocol !== 'https:' && !TRUSTED_HOSTS.has(host)) return false;
  return cookie.expires < 0 || cookie.expires * 1000 > nowMs;
}

/**
 * The `Cookie` header the browser would send to `url`, or null when it has none for it. With `reuseMs`,
 * one read of the context's cookies serves the requests of that many milliseconds (asking the browser
 * costs a round trip per file); page loads, sign-in redirects and cookies set by answers end that reuse
 * early (`forgetCookieSnapshot`).
 */
export async function cookieHeaderFor(
  context: BrowserContext,
  url: string,
  reuseMs = 0,
): Promise<string | null> {
  const now = Date.now();
  const target = new URL(url);
  const cookies = (await contextCookies(context, now, reuseMs))
    .filter((c) => cookieApplies(c, target, now))
    // Longer paths first, as browsers send them.
    .sort((a, b) => b.path.length - a.path.length);
  return cookies.length > 0 ? cookies.map((c) => `${c.name}=${c.value}`).join('; ') : null;
}

const SAME_SITE: Record<string, ContextCookie['sameSite']> = { strict: 'Strict', lax: 'Lax', none: 'None' };

/** One `Set-Cookie` header as a cookie of the context, scoped like the browser would scope it. */
export function parseSetCookie(header: string, url: string, nowMs = Date.now()): ContextCookie | null {
  const [pair, ...attributes] = header.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq <= 0) return null;
  const from = new URL(url);
  const cookie: ContextCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: from.hostname,
    path: from.pathname.replace(/\/[^/]*$/, '') || '/',
  };
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'domain' && value) cookie.domain = `.${value.replace(/^\./, '')}`;
    else if (key === 'path' && value.startsWith('/')) cookie.path = value;
    else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.expires = nowMs / 1000 + Number(value);
    else if (key === 'expires' && cookie.expires === undefined && !Number.isNaN(Date.parse(value)))
      cookie.expires = Date.parse(value) / 1000;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'samesite' && SAME_SITE[value.toLowerCase()])
      cookie.sameSite = SAME_SITE[value.toLowerCase()];
  }
  return cookie;
}

/** Stores the cookies an answer set in the context, as the browser would have. */
export async function keepSetCookies(
  context: BrowserContext,
  response: Response,
  url: string,
): Promise<void> {
  const cookies = response.headers
    .getSetCookie()
    .map((h) => parseSetCookie(h, url))
    .filter((c): c is ContextCookie => c !== null);
  if (cookies.length === 0) return;
  forgetCookieSnapshot(context);
  await context.addCookies(cookies);
  forgetCookieSnapshot(context);
}
