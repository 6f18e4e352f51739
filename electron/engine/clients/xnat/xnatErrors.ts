import { CourierError } from '../../../../shared/errors';

/** Codes of the "something is missing on XNAT" errors, one per kind of object. */
export type XnatMissing = 'project' | 'subject' | 'experiment' | 'scan' | 'resource' | 'file';

/** Wrong user name, password or alias token: a person must fix the credentials, retrying cannot help. */
export function xnatAuthError(server: string, username: string, detail = ''): CourierError {
  return new CourierError({
    code: 'xnat-auth',
    message:
      `XNAT at ${server} refused the user name and password (or alias token) for '${username}' (401)` +
      `${detail ? `: ${detail}` : ''}. Check the credentials; an alias token may have expired.`,
    retryable: false,
    detail: { status: 401, server, username },
  });
}

/** A 404 turned into a sentence that says what is missing. */
export function xnatNotFound(missing: XnatMissing, message: string, detail: Record<string, unknown> = {}) {
  return new CourierError({
    code: `xnat-${missing}-not-found`,
    message: `XNAT answered 404: ${message}`,
    retryable: false,
    detail: { status: 404, missing, ...detail },
  });
}

/** 403: the user may see the object but not do this with it. */
export function xnatForbidden(what: string, username: string, body: string): CourierError {
  return new CourierError({
    code: 'xnat-forbidden',
    message: `${what}: XNAT answered 403, user '${username}' lacks the permission${body ? ` (${body})` : ''}`,
    retryable: false,
    detail: { status: 403 },
  });
}

/** A 2xx answer that is not what XNAT sends (an HTML page, unparsable JSON): probably not an XNAT address. */
export function xnatUnexpected(what: string, detail: string): CourierError {
  return new CourierError({
    code: 'xnat-unexpected-answer',
    message: `${what}: the server's answer is not what XNAT sends (${detail}). Is the server address right?`,
    retryable: false,
  });
}

export function cancelled(what: string): CourierError {
  return new CourierError({ code: 'cancelled', message: `${what}: cancelled`, retryable: false });
}
