import { CourierError, isCourierError } from '../../../../shared/errors';
import type { ActionApi, ApiParams, ApiResponse, RequestOptions } from './actionApi';
import { logIn } from './login';
import type { LoggedIn, WikiCredentials } from './login';

export interface WriteOptions extends RequestOptions {
  /** The `$wgRateLimits` action this write counts against, to turn `ratelimited` into a wait hint. */
  rateLimitAction?: string;
}

/** The token MediaWiki hands to a session without a user. */
const ANONYMOUS_TOKEN = '+\\';

type RateLimits = Record<string, Record<string, { hits: number; seconds: number }>>;

function apiCode(err: unknown): string | undefined {
  if (!isCourierError(err)) return undefined;
  const code = err.detail?.apiCode;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The logged-in state of one wiki: login on first need, one CSRF token reused until the wiki calls it
 * `badtoken`, and `assert=user` on every write so a lost session fails loudly instead of editing as
 * an IP. A write that meets `badtoken` or a lost session is repeated once, after a new token or login.
 */
export class WikiSession {
  private loggedIn: LoggedIn | null = null;
  private loginInFlight: Promise<LoggedIn> | null = null;
  private token: string | null = null;
  private rateLimitHints: RateLimits | null = null;

  constructor(
    readonly api: ActionApi,
    private readonly credentials: WikiCredentials | undefined,
  ) {}

  get user(): string | undefined {
    // The login name (User@AppId) says which bot password is meant; the wiki's answer drops the AppId.
    return this.credentials?.user ?? this.loggedIn?.user;
  }

  /** Logs in again from scratch (fresh cookie jar). */
  async login(): Promise<LoggedIn> {
    if (!this.credentials) {
      throw new CourierError({
        code: 'wiki-auth',
        message: `No account is configured for ${this.api.apiUrl}; add a bot password (User@AppId) in the wiki connection`,
      });
    }
    if (!this.loginInFlight) {
      const credentials = this.credentials;
      this.loginInFlight = (async () => {
        this.api.jar.clear();
        this.token = null;
        this.loggedIn = null;
        const result = await logIn(this.api, credentials);
        this.loggedIn = result;
        return result;
      })().finally(() => {
        this.loginInFlight = null;
      });
    }
    return this.loginInFlight;
  }

  async ensureLoggedIn(): Promise<void> {
    if (!this.loggedIn && this.credentials) await this.login();
  }

  /** The CSRF token of this session, fetched once and again after `badtoken`. */
  async csrfToken(refresh = false, afterLogin = false): Promise<string> {
    if (this.token && !refresh) return this.token;
    const { body } = await this.api.get(
      { action: 'query', meta: 'tokens', type: 'csrf' },
      { what: `edit token request to ${this.api.apiUrl}`, user: this.user },
    );
    const token = (body.query as { tokens?: { csrftoken?: unknown } } | undefined)?.tokens?.csrftoken;
    if (typeof token !== 'string') {
      throw new CourierError({ code: 'wiki-bad-response', message: `${this.api.apiUrl} gave no edit token` });
    }
    if (token === ANONYMOUS_TOKEN && this.credentials && this.loggedIn) {
      if (afterLogin) {
        throw new CourierError({
          code: 'wiki-auth',
          message: `${this.api.apiUrl} forgets the session right after the login of ${this.credentials.user}; check that the wiki's session cookies reach this computer`,
        });
      }
      // The wiki no longer knows our session (expired or dropped): log in again and ask once more.
      await this.login();
      return this.csrfToken(true, true);
    }
    this.token = token;
    return token;
  }

  /** A read with the session's cookies (anonymous when no account is configured). */
  read(params: ApiParams, options: RequestOptions): Promise<ApiResponse> {
    return this.api.get(params, { user: this.user, ...options });
  }

  /**
   * A write (POST with `token` and `assert=user`). `badtoken` fetches a new token and a lost session
   * (`assertuserfailed`, or an anonymous token) logs in again; each recovery happens at most once.
   */
  async write(params: ApiParams, options: WriteOptions): Promise<ApiResponse> {
    await this.ensureLoggedIn();
    let tokenRefreshed = false;
    let reloggedIn = false;
    for (;;) {
      try {
        const token = await this.csrfToken();
        return await this.api.post(
          { ...params, assert: this.credentials ? 'user' : undefined, token },
          { user: this.user, ...options },
        );
      } catch (err) {
        const code = apiCode(err);
        if (code === 'badtoken' && !tokenRefreshed) {
          tokenRefreshed = true;
          this.token = null;
          continue;
        }
        if ((code === 'assertuserfailed' || code === 'notloggedin') && this.credentials && !reloggedIn) {
          reloggedIn = true;
          await this.login();
          continue;
        }
        throw await this.withRateLimitHint(err, options);
      }
    }
  }

  /** `ratelimited` carries no Retry-After: wait for the window the wiki reports for this user. */
  private async withRateLimitHint(err: unknown, options: WriteOptions): Promise<unknown> {
    if (!isCourierError(err) || err.code !== 'wiki-ratelimited' || !options.rateLimitAction) return err;
    try {
      if (!this.rateLimitHints) {
        const { body } = await this.read(
          { action: 'query', meta: 'userinfo', uiprop: 'ratelimits' },
          { what: `rate limit query to ${this.api.apiUrl}` },
        );
        const info = (body.query as { userinfo?: { ratelimits?: unknown } } | undefined)?.userinfo;
        this.rateLimitHints = (info?.ratelimits ?? {}) as RateLimits;
      }
      const limits = Object.values(this.rateLimitHints?.[options.rateLimitAction] ?? {});
      if (limits.length === 0) return err;
      const windowMs = Math.max(...limits.map((l) => l.seconds)) * 1000;
      return new CourierError({
        code: err.code,
        message: `${err.message} (the wiki allows ${limits.map((l) => `${l.hits} per ${l.seconds} s`).join(', ')})`,
        retryable: true,
        retryAfterMs: windowMs,
        detail: { ...err.detail, limits },
        cause: err,
      });
    } catch {
      return err;
    }
  }
}
