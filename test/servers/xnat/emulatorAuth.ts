import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { XnatEmulatorState } from './emulatorState';

export interface SessionRecord {
  id: string;
  username: string;
  lastAccess: number;
  csrfToken: string;
}

export interface Authenticated {
  username: string;
  via: 'basic' | 'cookie';
  session: SessionRecord;
}

/** Tomcat-style sessions: `JSESSIONID` + `SESSION_EXPIRATION_TIME` cookies, Basic (password or alias token). */
export class EmulatorSessions {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(
    private readonly state: XnatEmulatorState,
    public timeoutMs: number,
  ) {}

  /**
   * Who is calling: Basic credentials when sent (a new session each time, as XNAT does), else a live
   * session cookie. `null` means answer 401.
   */
  authenticate(req: IncomingMessage, res: ServerResponse): Authenticated | null {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const username = this.checkBasic(header);
      if (username === null) return null;
      const session = this.create(username);
      this.setCookies(res, session);
      this.state.stats.basicAuthRequests += 1;
      return { username, via: 'basic', session };
    }
    const id = sessionCookie(req.headers.cookie);
    if (id === null) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    const now = Date.now();
    if (now - session.lastAccess > this.timeoutMs) {
      this.sessions.delete(id);
      return null;
    }
    session.lastAccess = now;
    this.state.stats.cookieAuthRequests += 1;
    return { username: session.username, via: 'cookie', session };
  }

  invalidate(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every live session: the next cookie request gets 401, as after a server-side timeout. */
  expireAll(): void {
    this.sessions.clear();
  }

  get liveSessions(): number {
    return this.sessions.size;
  }

  private create(username: string): SessionRecord {
    const session: SessionRecord = {
      id: randomBytes(16).toString('hex').toUpperCase(),
      username,
      lastAccess: Date.now(),
      csrfToken: randomBytes(16).toString('hex'),
    };
    this.sessions.set(session.id, session);
    this.state.stats.sessionsCreated += 1;
    return session;
  }

  private setCookies(res: ServerResponse, session: SessionRecord): void {
    res.setHeader('Set-Cookie', [
      `JSESSIONID=${session.id}; Path=/; HttpOnly`,
      `SESSION_EXPIRATION_TIME="${session.lastAccess},${this.timeoutMs}"; Version=1; Path=/`,
    ]);
  }

  private checkBasic(header: string): string | null {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match?.[1]) return null;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const name = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const user = this.state.users.get(name);
    if (user && sameText(user.password, secret)) return user.username;
    const token = this.state.tokens.get(name);
    if (token && token.expiresAt > Date.now() && sameText(token.secret, secret)) return token.username;
    return null;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function sessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'JSESSIONID') return rest.join('=');
  }
  return null;
}

/**
 * XNAT's CSRF rule (`SecureAction.isCsrfTokenOk`): only cookie-authenticated mutations from a browser-like
 * User-Agent must carry `XNAT_CSRF`; blank, `XNATDesktopClient`, Java and other non-browser agents are exempt.
 */
export function csrfRequired(req: IncomingMessage, auth: Authenticated): boolean {
  if (auth.via !== 'cookie') return false;
  if (!['POST', 'PUT', 'DELETE'].includes(req.method ?? '')) return false;
  const ua = req.headers['user-agent'] ?? '';
  if (ua.trim() === '' || ua.includes('XNATDesktopClient') || /java/i.test(ua)) return false;
  return /Mozilla\/|Chrome\/|Safari\/|Firefox\/|Edg\/|Opera|Mobile/.test(ua);
}
