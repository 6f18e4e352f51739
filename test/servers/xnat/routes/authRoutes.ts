import { drain, HttpError, sendJson, sendText } from '../emulatorReply';
import type { RequestContext } from '../emulatorReply';
import type { EmulatorSessions } from '../emulatorAuth';

/**
 * `POST|GET /data/JSESSION`: the session id as text (`; XNAT_CSRF=<token>` with `CSRF=true`);
 * `DELETE` ends the session.
 */
export async function jsessionRoute(ctx: RequestContext, sessions: EmulatorSessions): Promise<void> {
  await drain(ctx.req);
  const { session } = ctx.auth;
  if (ctx.method === 'DELETE') {
    sessions.invalidate(session.id);
    sendText(ctx.res, 200, '');
    return;
  }
  if (ctx.method !== 'POST' && ctx.method !== 'GET') {
    throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET, POST, DELETE' });
  }
  const csrf = ctx.query.get('CSRF') === 'true' ? `; XNAT_CSRF=${session.csrfToken}` : '';
  sendText(ctx.res, 200, `${session.id}${csrf}`);
}

/** `GET /data/auth`: `User '<name>' is logged in`. */
export async function authRoute(ctx: RequestContext): Promise<void> {
  await drain(ctx.req);
  if (ctx.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
  const csrf = ctx.query.get('CSRF') === 'true' ? `; XNAT_CSRF=${ctx.auth.session.csrfToken}` : '';
  sendText(ctx.res, 200, `User '${ctx.auth.username}' is logged in${csrf}`);
}

/** `GET /data/services/tokens/issue`: a new alias token for the caller. */
export async function tokenIssueRoute(ctx: RequestContext): Promise<void> {
  await drain(ctx.req);
  if (ctx.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
  const token = ctx.state.issueToken(ctx.auth.username);
  sendJson(ctx.res, 200, {
    alias: token.alias,
    secret: token.secret,
    xdatUserId: ctx.auth.username,
    estimatedExpirationTime: token.expiresAt,
    created: token.created,
    enabled: true,
    singleUse: false,
    validIPAddresses: [],
    id: ctx.state.tokens.size,
    timestamp: token.created,
    disabled: 0,
  });
}
