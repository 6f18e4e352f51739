// A loopback stand-in for radiopaedia.org (reference/sources.md §2): case pages whose content exists only
// after their script runs, the study JSON endpoints, thumbnails on a "CDN" path, full-size downloads that
// need the session cookie the case page sets, sign-in, and switchable 502/503/429 faults.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CC_BY_NC_SA_3, CC_BY_SA_4, fixtureCases } from './cases';
import type { FixtureCase, FixtureImage } from './cases';
import { fixtureBytes } from './media';
import { casePage, imageHash, signInPage, stacksJson, viewerJson } from './pages';

export { CC_BY_NC_SA_3, CC_BY_SA_4 };
export type { FixtureCase, FixtureImage };

export interface RadiopaediaFixtureOptions {
  /** How long the case page's script waits before loading its data and rendering. Default 250 ms. */
  renderDelayMs?: number;
  /** Size of each full-size original. Default 40 000 bytes. */
  imageBytes?: number;
  /** Size of each thumbnail. Default 2 000 bytes. */
  thumbnailBytes?: number;
  /** Number of images of the large case 25855 (three stacks). Default 250. */
  largeCaseImages?: number;
  /** "Occasional 502s": every Nth case-page request answers 502 Bad Gateway. 0 (default) = never. */
  every502?: number;
  /** The one account the sign-in form accepts. */
  credentials?: { email: string; password: string };
}

export type FaultTarget = 'page' | 'data' | 'image' | 'any';

export interface Fault {
  status: 429 | 500 | 502 | 503;
  /** How many matching requests get the fault. Default 1. */
  times?: number;
  target?: FaultTarget;
  /** `Retry-After` value sent with the fault (seconds or an HTTP date). */
  retryAfter?: string;
}

export interface RadiopaediaFixtureStats {
  pageLoads: number;
  dataRequests: number;
  downloads: number;
  /** Full-size downloads refused for want of a session cookie. */
  unauthorizedDownloads: number;
  thumbnails: number;
  signIns: number;
  faultsServed: number;
  userAgents: Set<string>;
}

export interface RadiopaediaFixture {
  url: string;
  close(): Promise<void>;
  stats: RadiopaediaFixtureStats;
  cases: FixtureCase[];
  caseById(rid: number): FixtureCase;
  /** All images of a case in case order (study, stack, position). */
  imagesOf(rid: number): FixtureImage[];
  originalBytes(imageId: number): Buffer;
  thumbnailBytes(imageId: number): Buffer;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** The name of the session cookie that full-size downloads need. */
  sessionCookieName: string;
  credentials: { email: string; password: string };
}

interface ActiveFault {
  status: Fault['status'];
  times: number;
  target: FaultTarget;
  retryAfter: string | undefined;
}

const SESSION_COOKIE = '_radiopaedia_session';
const REMEMBER_COOKIE = 'remember_user_token';

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startRadiopaediaFixture(
  options: RadiopaediaFixtureOptions = {},
): Promise<RadiopaediaFixture> {
  const renderDelayMs = options.renderDelayMs ?? 250;
  const imageBytes = options.imageBytes ?? 40_000;
  const thumbnailBytes = options.thumbnailBytes ?? 2_000;
  const every502 = options.every502 ?? 0;
  const credentials = options.credentials ?? {
    email: 'archivist@example.org',
    password: 'courier-test-password',
  };
  const cases = fixtureCases(options.largeCaseImages ?? 250);

  const byRid = new Map<number, FixtureCase>();
  const bySlug = new Map<string, FixtureCase>();
  const images = new Map<number, { image: FixtureImage; c: FixtureCase }>();
  const studies = new Map<number, { c: FixtureCase; index: number }>();
  for (const c of cases) {
    byRid.set(c.rid, c);
    bySlug.set(c.slug, c);
    c.studies.forEach((s, index) => {
      studies.set(s.id, { c, index });
      for (const stack of s.stacks) for (const image of stack.images) images.set(image.id, { image, c });
    });
  }

  const originals = new Map<number, Buffer>();
  const thumbs = new Map<number, Buffer>();
  const originalBytes = (id: number): Buffer => {
    const entry = images.get(id);
    if (!entry) throw new Error(`fixture has no image ${id}`);
    let bytes = originals.get(id);
    if (!bytes) {
      bytes = fixtureBytes(entry.image.format, `radiopaedia-fixture original ${id}`, imageBytes);
      originals.set(id, bytes);
    }
    return bytes;
  };
  const thumbnailBytesOf = (id: number): Buffer => {
    let bytes = thumbs.get(id);
    if (!bytes) {
      bytes = fixtureBytes('jpg', `radiopaedia-fixture thumbnail ${id}`, thumbnailBytes);
      thumbs.set(id, bytes);
    }
    return bytes;
  };

  const stats: RadiopaediaFixtureStats = {
    pageLoads: 0,
    dataRequests: 0,
    downloads: 0,
    unauthorizedDownloads: 0,
    thumbnails: 0,
    signIns: 0,
    faultsServed: 0,
    userAgents: new Set(),
  };
  const sessions = new Set<string>();
  const signedIn = new Set<string>();
  let serial = 0;
  let pageRequests = 0;
  const faults: ActiveFault[] = [];

  function takeFault(target: Exclude<FaultTarget, 'any'>): ActiveFault | undefined {
    const index = faults.findIndex((f) => f.target === 'any' || f.target === target);
    const fault = faults[index];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault;
  }

  function sendFault(res: http.ServerResponse, fault: Fault): void {
    stats.faultsServed += 1;
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/html; charset=utf-8' };
    if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
    const text =
      fault.status === 429 ? 'Too Many Requests' : fault.status === 502 ? 'Bad Gateway' : 'Server error';
    res.writeHead(fault.status, headers);
    res.end(`<html><body><h1>${fault.status} ${text}</h1></body></html>`);
  }

  function send(
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    extra = {},
  ): void {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  }

  function redirect(res: http.ServerResponse, location: string, extra: http.OutgoingHttpHeaders = {}): void {
    res.writeHead(302, { location, 'content-length': 0, ...extra });
    res.end();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const path = url.pathname;
    const cookies = parseCookies(req.headers.cookie);
    const ua = req.headers['user-agent'];
    if (ua) stats.userAgents.add(ua);

    // Case pages: /cases/{rID} or /cases/{slug}
    let m = /^\/cases\/([^/]+)\/?$/.exec(path);
    if (m && req.method === 'GET') {
      const key = decodeURIComponent(m[1] ?? '');
      const c = /^\d+$/.test(key) ? byRid.get(Number(key)) : bySlug.get(key);
      pageRequests += 1;
      const fault =
        takeFault('page') ??
        (every502 > 0 && pageRequests % every502 === 0 ? { status: 502 as const } : undefined);
      if (fault) return sendFault(res, fault);
      if (!c) return send(res, 404, 'text/html; charset=utf-8', '<h1>Case not found</h1>');
      if (c.requiresSignIn && !signedIn.has(cookies.get(REMEMBER_COOKIE) ?? '')) {
        return redirect(res, `/users/sign_in?return_to=${encodeURIComponent(path)}`);
      }
      stats.pageLoads += 1;
      const extra: http.OutgoingHttpHeaders = { 'cache-control': 'no-store' };
      if (!sessions.has(cookies.get(SESSION_COOKIE) ?? '')) {
        const token = `s${++serial}-${imageHash(serial)}`;
        sessions.add(token);
        extra['set-cookie'] = `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
      }
      return send(res, 200, 'text/html; charset=utf-8', casePage(c, renderDelayMs), extra);
    }

    // Study data: /studies/{id}/stacks and /studies/{id}/annotated_viewer_json
    m = /^\/studies\/(\d+)\/(stacks|annotated_viewer_json)$/.exec(path);
    if (m && req.method === 'GET') {
      const fault = takeFault('data');
      if (fault) return sendFault(res, fault);
      const entry = studies.get(Number(m[1]));
      if (!entry) return send(res, 404, 'application/json', '{"error":"not found"}');
      stats.dataRequests += 1;
      const study = entry.c.studies[entry.index];
      const body = m[2] === 'stacks' ? stacksJson(study?.stacks ?? []) : viewerJson(entry.c, Number(m[1]));
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
    }

    // Thumbnails and other renditions on the "CDN": never the original bytes.
    m = /^\/cdn\/images\/(\d+)\/[^/]+$/.exec(path);
    if (m && req.method === 'GET') {
      const id = Number(m[1]);
      if (!images.has(id)) return send(res, 404, 'text/plain', 'not found');
      stats.thumbnails += 1;
      return send(res, 200, 'image/jpeg', thumbnailBytesOf(id), { 'cache-control': 'max-age=3600' });
    }

    // The "authorized download" of the full-size original: needs the session cookie of a case page.
    m = /^\/images\/(\d+)\/download$/.exec(path);
    if (m && req.method === 'GET') {
      const fault = takeFault('image');
      if (fault) return sendFault(res, fault);
      const entry = images.get(Number(m[1]));
      if (!entry) return send(res, 404, 'text/plain', 'not found');
      if (!sessions.has(cookies.get(SESSION_COOKIE) ?? '')) {
        stats.unauthorizedDownloads += 1;
        return redirect(res, `/users/sign_in?return_to=${encodeURIComponent(path)}`);
      }
      stats.downloads += 1;
      const { image, c } = entry;
      // Like the real site, the suggested name is unrelated to the image (seed: "abdominal-aortic-aneurysm-38.jpg").
      const suggested = `${c.slug}-${(image.id * 37) % 100}.jpg`;
      return send(res, 200, image.declaredType, originalBytes(image.id), {
        'content-disposition': `attachment; filename="${suggested}"`,
      });
    }

    if (path === '/users/sign_in' && req.method === 'GET') {
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        signInPage(url.searchParams.get('return_to') ?? '/', false),
      );
    }
    if (path === '/users/sign_in' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const returnTo = form.get('return_to') ?? '/';
      if (form.get('email') !== credentials.email || form.get('password') !== credentials.password) {
        return send(res, 200, 'text/html; charset=utf-8', signInPage(returnTo, true));
      }
      stats.signIns += 1;
      const token = `u${++serial}-${imageHash(serial + 1000)}`;
      signedIn.add(token);
      // A "remember me" cookie with an expiry, so a persistent browser profile keeps it across restarts.
      return redirect(res, returnTo.startsWith('/') ? returnTo : '/', {
        'set-cookie': `${REMEMBER_COOKIE}=${token}; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax`,
      });
    }
    if (path === '/' && req.method === 'GET') {
      const list = cases.map((c) => `<li><a href="/cases/${c.slug}">${c.title}</a></li>`).join('');
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        `<!DOCTYPE html><title>Fixture</title><ul>${list}</ul>`,
      );
    }
    if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    return send(res, 404, 'text/plain', 'not found');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    cases,
    credentials,
    sessionCookieName: SESSION_COOKIE,
    caseById(rid) {
      const c = byRid.get(rid);
      if (!c) throw new Error(`fixture has no case ${rid}`);
      return c;
    },
    imagesOf(rid) {
      const c = byRid.get(rid);
      if (!c) throw new Error(`fixture has no case ${rid}`);
      return c.studies.flatMap((s) => s.stacks.flatMap((st) => st.images));
    },
    originalBytes,
    thumbnailBytes: thumbnailBytesOf,
    injectFault(fault) {
      faults.push({
        status: fault.status,
        times: fault.times ?? 1,
        target: fault.target ?? 'any',
        retryAfter: fault.retryAfter,
      });
    },
    clearFaults() {
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
