import { CourierError } from '../../../../shared/errors';
import type { ActionApi } from './actionApi';

export interface WikiCredentials {
  /** `User@AppId` for a bot password, or the main account name. */
  user: string;
  password: string;
  /**
   * `auto`: a name with `@` is a bot password (`action=login`), anything else a main account
   * (`action=clientlogin`), as pywikibot decides.
   */
  method?: 'auto' | 'bot-password' | 'clientlogin';
}

export interface LoggedIn {
  user: string;
  userId: number | null;
}

async function loginToken(api: ActionApi, user: string): Promise<string> {
  const { body } = await api.get(
    { action: 'query', meta: 'tokens', type: 'login' },
    { what: `login token request to ${api.apiUrl}`, user },
  );
  const token = (body.query as { tokens?: { logintoken?: unknown } } | undefined)?.tokens?.logintoken;
  if (typeof token !== 'string') {
    throw new CourierError({
      code: 'wiki-bad-response',
      message: `${api.apiUrl} gave no login token; is it a MediaWiki api.php?`,
    });
  }
  return token;
}

function authFailure(
  api: ActionApi,
  user: string,
  reason: string,
  detail: Record<string, unknown>,
): CourierError {
  const hint = user.includes('@')
    ? 'check the bot password (Special:BotPasswords on the wiki): name as User@AppId, the generated 32-character secret'
    : 'check the user name and password';
  return new CourierError({
    code: 'wiki-auth',
    message: `${api.apiUrl} refused the login of ${user}: ${reason.replace(/\.$/, '')}; ${hint}`,
    detail,
  });
}

/** Logs in with a bot password (`action=login`); the session cookie lands in the api's jar. */
export async function loginWithBotPassword(
  api: ActionApi,
  user: string,
  password: string,
): Promise<LoggedIn> {
  // A login token is bound to the session cookie; a second try with a fresh token covers a lost session.
  for (let attempt = 0; attempt < 2; attempt++) {
    const lgtoken = await loginToken(api, user);
    const { body } = await api.post(
      { action: 'login', lgname: user, lgpassword: password, lgtoken },
      { what: `login of ${user} to ${api.apiUrl}`, user },
    );
    const login = (body.login ?? {}) as {
      result?: string;
      reason?: string;
      lgusername?: string;
      lguserid?: number;
      wait?: number;
    };
    if (login.result === 'Success') {
      return { user: login.lgusername ?? user, userId: login.lguserid ?? null };
    }
    if ((login.result === 'NeedToken' || login.result === 'WrongToken') && attempt === 0) continue;
    if (login.result === 'Throttled') {
      throw new CourierError({
        code: 'wiki-auth',
        message: `${api.apiUrl} throttles logins of ${user} after too many attempts; wait and try again`,
        retryable: true,
        retryAfterMs: typeof login.wait === 'number' ? login.wait * 1000 : 300_000,
        detail: { result: login.result },
      });
    }
    throw authFailure(api, user, login.reason ?? `login result ${login.result ?? 'missing'}`, {
      result: login.result,
    });
  }
  throw authFailure(api, user, 'the login token was refused twice', {});
}

/** Logs in with a main account (`action=clientlogin`); second factors and other UI steps are refused. */
export async function clientLogin(api: ActionApi, user: string, password: string): Promise<LoggedIn> {
  const logintoken = await loginToken(api, user);
  const { body } = await api.post(
    { action: 'clientlogin', username: user, password, logintoken, loginreturnurl: api.apiUrl },
    { what: `login of ${user} to ${api.apiUrl}`, user },
  );
  const result = (body.clientlogin ?? {}) as {
    status?: string;
    message?: string;
    messagecode?: string;
    username?: string;
  };
  if (result.status === 'PASS') return { user: result.username ?? user, userId: null };
  if (result.status === 'UI' || result.status === 'REDIRECT') {
    throw new CourierError({
      code: 'wiki-auth',
      message: `${api.apiUrl} wants an interactive login step for ${user} (${result.messagecode ?? result.status}, e.g. a second factor); use a bot password instead`,
      detail: { status: result.status },
    });
  }
  throw authFailure(api, user, result.message ?? `clientlogin status ${result.status ?? 'missing'}`, {
    status: result.status,
    messagecode: result.messagecode,
  });
}

/** Logs in by the method the credentials call for. */
export function logIn(api: ActionApi, credentials: WikiCredentials): Promise<LoggedIn> {
  const method = credentials.method ?? 'auto';
  const useBotPassword = method === 'bot-password' || (method === 'auto' && credentials.user.includes('@'));
  return useBotPassword
    ? loginWithBotPassword(api, credentials.user, credentials.password)
    : clientLogin(api, credentials.user, credentials.password);
}
