import { CourierError, parseRetryAfter } from '../../../../shared/errors';

/** An Action API error as MediaWiki sends it (`formatversion=2`, `errorformat=bc`). */
export interface ApiErrorBody {
  code: string;
  info?: string;
  [extra: string]: unknown;
}

/** What the transport knows about the request that failed, for a sentence a person can act on. */
export interface ApiErrorContext {
  /** The request in words: "upload of 'X.png' to http://…/api.php". */
  what: string;
  /** Login name in use, if any. */
  user?: string;
  /** `Retry-After` header of the response. */
  retryAfter?: string | null;
  nowMs?: number;
}

const DEFAULT_MAXLAG_WAIT_MS = 5_000;
const DEFAULT_RATELIMIT_WAIT_MS = 60_000;

const AUTH_CODES = new Set([
  'assertuserfailed',
  'assertbotfailed',
  'assertnameduserfailed',
  'notloggedin',
  'mustbeloggedin',
  'stashnotloggedin',
]);
const PERMISSION_CODES = new Set([
  'permissiondenied',
  'writeapidenied',
  'protectedpage',
  'cascadeprotected',
  'cantcreate',
  'cantcreate-anon',
  'fileexists-forbidden',
  'fileexists-shared-forbidden',
  'uploaddisabled',
  'copyuploaddisabled',
]);
const FILENAME_CODES = new Set([
  'illegal-filename',
  'filename-tooshort',
  'filename-toolong',
  'filetype-missing',
  'windows-nonascii-filename',
  'invalidtitle',
]);
const FILETYPE_CODES = new Set(['filetype-banned', 'verification-error', 'empty-file', 'file-too-large']);
const STASH_CODES = new Set([
  'stashfailed',
  'stashedfilenotfound',
  'stashnosuchfilekey',
  'stashwrongowner',
  'stashzerolength',
  'stashpathinvalid',
  'stashfilestorage',
  'invalid-file-key',
  'filekeynotallowed',
  'filekeyneeded',
  'missingresult',
]);
const CHUNK_CODES = new Set(['chunk-too-small', 'invalid-chunk']);
const REJECTED_CODES = new Set([
  'hookaborted',
  'abusefilter-disallowed',
  'spamblacklist',
  'titleblacklist-forbidden',
]);

function sentence(info: string | undefined): string {
  const text = (info ?? '')
    .replace(/\[\[(?:[^\]|]*\|)?([^\]]*)\]\]/g, '$1') // [[Project:Users|Users]] → Users
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? '' : ` (${text.replace(/\.$/, '')})`;
}

/**
 * Turns an Action API error (always HTTP 200) into a CourierError: `maxlag`, `ratelimited`, `readonly`
 * and internal errors are retryable (with the server's or a sensible wait); wrong logins become
 * `wiki-auth`, missing rights or grants `wiki-permission`; name and type problems need a person.
 */
export function apiErrorToCourier(error: ApiErrorBody, context: ApiErrorContext): CourierError {
  const { code, info, docref: _docref, ...extra } = error;
  const detail: Record<string, unknown> = { ...extra, apiCode: code, info };
  const who = context.user ? ` for ${context.user}` : '';
  const nowMs = context.nowMs ?? Date.now();

  if (code === 'maxlag') {
    const waitMs = parseRetryAfter(context.retryAfter, nowMs) ?? DEFAULT_MAXLAG_WAIT_MS;
    const lag = typeof error.lag === 'number' ? `${error.lag} s` : 'too far';
    return new CourierError({
      code: 'wiki-maxlag',
      message: `${context.what}: the wiki's database replicas lag ${lag} behind, so it asks bots to wait ${Math.round(waitMs / 1000)} s (maxlag) before trying again`,
      retryable: true,
      retryAfterMs: waitMs,
      detail,
    });
  }
  if (code === 'ratelimited') {
    return new CourierError({
      code: 'wiki-ratelimited',
      message: `${context.what}: the wiki's rate limit${who} is used up (ratelimited); slow down and try again later`,
      retryable: true,
      retryAfterMs: DEFAULT_RATELIMIT_WAIT_MS,
      detail,
    });
  }
  if (code === 'readonly') {
    return new CourierError({
      code: 'wiki-readonly',
      message: `${context.what}: the wiki is read-only for now${sentence(typeof error.readonlyreason === 'string' ? error.readonlyreason : info)}`,
      retryable: true,
      retryAfterMs: 60_000,
      detail,
    });
  }
  if (code === 'badtoken') {
    return new CourierError({
      code: 'wiki-badtoken',
      message: `${context.what}: the wiki refused the edit token twice (badtoken); the session may have ended — log in again`,
      retryable: true,
      detail,
    });
  }
  if (code.startsWith('internal_api_error') || code === 'databaseerror') {
    return new CourierError({
      code: 'wiki-internal',
      message: `${context.what}: the wiki failed internally${sentence(info)}`,
      retryable: true,
      detail,
    });
  }
  if (AUTH_CODES.has(code)) {
    return new CourierError({
      code: 'wiki-auth',
      message: `${context.what}: the wiki does not see a logged-in user${who} (${code}); log in again`,
      detail,
    });
  }
  if (code === 'blocked' || code === 'autoblocked') {
    return new CourierError({
      code: 'wiki-blocked',
      message: `${context.what}: the account${who} is blocked on this wiki${sentence(info)}`,
      attention: { reason: 'account blocked', actions: ['retry', 'skip'] },
      detail,
    });
  }
  if (PERMISSION_CODES.has(code)) {
    return new CourierError({
      code: 'wiki-permission',
      message: `${context.what}: the wiki does not allow this${who} (${code})${sentence(info)}; give the account the right, or the bot password the grant (Special:BotPasswords)`,
      detail,
    });
  }
  if (FILENAME_CODES.has(code)) {
    return new CourierError({
      code: 'wiki-filename',
      message: `${context.what}: the wiki rejects the file name (${code})${sentence(info)}; choose another name`,
      attention: { reason: `file name rejected: ${code}`, actions: ['rename', 'skip'] },
      detail,
    });
  }
  if (FILETYPE_CODES.has(code)) {
    return new CourierError({
      code: 'wiki-filetype',
      message: `${context.what}: the wiki rejects the file itself (${code})${sentence(info)}; replace the file and retry it, or skip it`,
      attention: { reason: `file rejected: ${code}`, actions: ['skip'] },
      detail,
    });
  }
  if (STASH_CODES.has(code) || code.startsWith('uploadstash-')) {
    return new CourierError({
      code: 'wiki-stash',
      message: `${context.what}: the wiki's upload stash failed (${code})${sentence(info)}; the upload must start again`,
      retryable: code === 'stashfailed' || code === 'stashfilestorage',
      detail,
    });
  }
  if (CHUNK_CODES.has(code)) {
    return new CourierError({
      code: 'wiki-chunk',
      message: `${context.what}: the wiki rejected a chunk (${code})${sentence(info)}; check the chunk size against the wiki's minimum and maximum`,
      detail,
    });
  }
  if (REJECTED_CODES.has(code)) {
    return new CourierError({
      code: 'wiki-rejected',
      message: `${context.what}: a filter on the wiki refused it (${code})${sentence(info)}`,
      attention: { reason: `refused by the wiki: ${code}`, actions: ['retry', 'skip'] },
      detail,
    });
  }
  return new CourierError({
    code: 'wiki-api',
    message: `${context.what}: the wiki answered with error '${code}'${sentence(info)}`,
    detail,
  });
}
