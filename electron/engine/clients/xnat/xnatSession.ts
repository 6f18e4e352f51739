import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { CourierError } from '../../../../shared/errors';
import { httpFailure, networkFailure, USER_AGENT } from '../httpFailure';
import { cancelled, xnatAuthError, xnatForbidden, xnatUnexpected } from './xnatErrors';

export interface XnatConnectionOptions {
  /** Base URL of the XNAT site, e.g. `https://xnat.example.org` or `https://host/xnat`. */
  server: string;
  /** A user name or an alias token. */
  username: string;
  /** The password or the alias token's secret. */
  password: string;
  /** A request fails as a retryable timeout when no byte moves for this long (default 120 s). */
  timeoutMs?: number;
  /** Keep-alive connections per host (default 8). */
  maxSockets?: number;
  allowUnverifiedCertificates?: boolean;
  userAgent?: string;
}

/** A request body: bytes, or a stream that can be opened again (for the one retry after a re-login). */
export type XnatBody = Buffer | { size: number; open: () => Readable };

export interface XnatRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path from the server base, already encoded, starting with `/data/`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: XnatBody;
  contentType?: string;
  /** The request in words, for error messages ("upload of scan 3/DICOM/a.dcm"). */
  what: string;
  signal?: AbortSignal;
}

export interface XnatResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/**
 * One XNAT session: logs in once with `POST /data/JSESSION`, sends the `JSESSIONID` cookie on every request
 * over keep-alive connections, and on a 401 logs in again and repeats the request once.
 */
export class XnatSession {
  readonly server: string;
  readonly username: string;
  private readonly password: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private cookie: string | null = null;
  private generation = 0;
  private pendingLogin: Promise<void> | null = null;

  constructor(options: XnatConnectionOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.base = new URL(this.server);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new CourierError({
        code: 'xnat-config',
        message: `XNAT address must start with http:// or https:// (got ${this.server})`,
      });
    }
    this.username = options.username;
    this.password = options.password;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.userAgent = options.userAgent ?? USER_AGENT;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ ...agentOptions, rejectUnauthorized: !options.allowUnverifiedCertificates })
        : new http.Agent(agentOptions);
  }

  /** How many logins this session made (1 after the first request, more after expiries). */
  get logins(): number {
    return this.generation;
  }

  /** Logs in (`POST /data/JSESSION`); concurrent callers share one login. */
  login(): Promise<void> {
    this.pendingLogin ??= this.doLogin().finally(() => {
      this.pendingLogin = null;
    });
    return this.pendingLogin;
  }

  /**
   * Sends a request with the session cookie; a 401 triggers one new login and one repeat. The caller
   * consumes the returned body. Throws CourierError for network failures and for a second 401.
   */
  async send(request: XnatRequest): Promise<XnatResponse> {
    if (this.cookie === null) await this.login();
    for (let attempt = 0; ; attempt++) {
      const generation = this.generation;
      const response = await this.exchange(request, 'cookie');
      if (response.status !== 401) return response;
      response.body.resume();
      if (attempt >= 1)
        throw xnatAuthError(this.server, this.username, 'the session was refused right after a new login');
      if (generation === this.generation) await this.login();
    }
  }

  /** Reads a whole (small) answer as text. */
  async readText(response: XnatResponse, what: string, limit = 64 * 1024 * 1024): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          response.body.destroy();
          throw xnatUnexpected(what, `answer larger than ${limit} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      throw networkFailure(err, what);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * Turns a non-success answer into a CourierError: 403 → `xnat-forbidden`, 404 → `notFound()` when given,
   * other statuses through httpFailure (5xx/429 retryable).
   */
  async failure(response: XnatResponse, what: string, notFound?: () => CourierError): Promise<CourierError> {
    const body = summarise(await this.readText(response, what, 1024 * 1024).catch(() => ''));
    if (response.status === 403) return xnatForbidden(what, this.username, body);
    if (response.status === 404 && notFound) return notFound();
    return httpFailure(response.status, what, { retryAfter: header(response.headers['retry-after']), body });
  }

  /** Ends the session on the server (`DELETE /data/JSESSION`) and closes idle connections. */
  async close(): Promise<void> {
    try {
      if (this.cookie !== null) {
        const response = await this.exchange(
          { method: 'DELETE', path: '/data/JSESSION', what: 'log out of XNAT' },
          'cookie',
        );
        response.body.resume();
      }
    } catch {
      // Logging out is a courtesy: the server ends idle sessions anyway.
    } finally {
      this.cookie = null;
      this.agent.destroy();
    }
  }

  private async doLogin(): Promise<void> {
    const what = `logging in to XNAT at ${this.server}`;
    const response = await this.exchange({ method: 'POST', path: '/data/JSESSION', what }, 'basic');
    if (response.status === 401) {
      response.body.resume();
      throw xnatAuthError(this.server, this.username);
    }
    if (response.status !== 200) throw await this.failure(response, what);
    const text = (await this.readText(response, what, 64 * 1024)).trim();
    const id = sessionIdFrom(response.headers) ?? text.split(';')[0]?.trim() ?? '';
    if (!/^[A-Za-z0-9._-]{8,}$/.test(id)) {
      throw xnatUnexpected(what, `no session id in the answer to POST /data/JSESSION: "${summarise(text)}"`);
    }
    this.cookie = `JSESSIONID=${id}`;
    this.generation += 1;
  }

  private async exchange(request: XnatRequest, auth: 'cookie' | 'basic'): Promise<XnatResponse> {
    if (request.signal?.aborted) throw cancelled(request.what);
    try {
      const response = await this.rawRequest(request, auth);
      const id = sessionIdFrom(response.headers);
      if (id !== null && auth === 'cookie') this.cookie = `JSESSIONID=${id}`;
      return response;
    } catch (err) {
      if (request.signal?.aborted) throw cancelled(request.what);
      throw networkFailure(err, request.what);
    }
  }

  private rawRequest(request: XnatRequest, auth: 'cookie' | 'basic'): Promise<XnatResponse> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + request.path, this.base);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const headers: OutgoingHttpHeaders = { 'User-Agent': this.userAgent, Accept: '*/*' };
    if (auth === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    } else if (this.cookie !== null) {
      headers.Cookie = this.cookie;
    }
    const body = request.body;
    if (body !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/octet-stream';
      headers['Content-Length'] = Buffer.isBuffer(body) ? body.length : body.size;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<XnatResponse>((resolve, reject) => {
      const req = transport.request(url, {
        method: request.method,
        headers,
        agent: this.agent,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(
          Object.assign(new Error(`no data for ${this.timeoutMs / 1000} s`), { name: 'TimeoutError' }),
        );
      });
      req.on('response', (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        const source = body.open();
        source.on('error', (err) => req.destroy(err));
        source.pipe(req);
      }
    });
  }
}

function sessionIdFrom(headers: IncomingHttpHeaders): string | null {
  for (const cookie of headers['set-cookie'] ?? []) {
    const match = /^JSESSIONID=([^;]+)/.exec(cookie);
    if (match?.[1]) return match[1];
  }
  return null;
}

function header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** A server's error body in one short line (HTML tags dropped). */
export function summarise(body: string): string {
  return body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
