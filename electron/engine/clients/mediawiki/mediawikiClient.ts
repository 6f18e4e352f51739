import { CourierError } from '../../../../shared/errors';
import { ActionApi } from './actionApi';
import { checkChunkedUpload, uploadInChunks } from './chunkedUpload';
import type { ChunkStatus } from './chunkedUpload';
import type { LoggedIn, WikiCredentials } from './login';
import { fetchFileStates, fetchSiteInfo, fetchUserInfo, findFilesBySha1 } from './queries';
import { fileSize, publishFromStash, uploadInOneRequest } from './upload';
import type {
  AcceptStashedRequest,
  FileState,
  SiteInfo,
  UploadRequest,
  UploadResult,
  UserInfo,
  WikiFile,
} from './types';
import { WikiSession } from './wikiSession';

export const DEFAULT_CHUNK_SIZE = 5 * 1024 * 1024;

export interface MediawikiClientOptions {
  /** `https://example.org/w/api.php` */
  apiUrl: string;
  /** Absent: anonymous (reads only, e.g. SHA-1 lookups on a reference wiki). */
  credentials?: WikiCredentials;
  /** `maxlag` sent with every request; default 5, null to leave it out. */
  maxlag?: number | null;
  userAgent?: string;
  /** Bytes per chunk; default 5 MiB. */
  chunkSize?: number;
  /** Files larger than this go in chunks; default: the chunk size. */
  chunkThreshold?: number;
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface EditRequest {
  title: string;
  text: string;
  summary?: string;
  /** Fail instead of creating the page. */
  noCreate?: boolean;
}

export interface MediawikiClient {
  readonly apiUrl: string;
  /** Logs in now (otherwise the first write does); throws `wiki-auth` on a wrong name or password. */
  login(): Promise<LoggedIn>;
  siteInfo(): Promise<SiteInfo>;
  userInfo(): Promise<UserInfo>;
  /** Current files with this SHA-1 (40 hex digits). */
  findBySha1(sha1: string): Promise<WikiFile[]>;
  /** Page and file state per name (`File:` optional), keyed by the names as given. */
  fileStates(names: readonly string[]): Promise<Map<string, FileState>>;
  /** Whether a page with this title exists (`File:X.png`, `Category:Y`…). */
  pageExists(title: string): Promise<boolean>;
  /**
   * Uploads without `ignorewarnings` (in chunks above the threshold): `success`, or `warning` with the
   * filekey that `acceptStashed` publishes later. Errors are thrown as CourierError.
   */
  upload(request: UploadRequest): Promise<UploadResult>;
  /** Publishes stashed bytes with `ignorewarnings=1`, without sending them again. */
  acceptStashed(request: AcceptStashedRequest): Promise<UploadResult>;
  /** Where a chunked upload stands on the wiki. */
  chunkStatus(filename: string, filekey: string): Promise<ChunkStatus>;
  /** Creates or replaces a page's text (e.g. a file description, which re-uploads do not change). */
  editPage(request: EditRequest): Promise<{ title: string; newRevision: number | null; noChange: boolean }>;
}

/** A client for one wiki's Action API, with its own cookie jar, login and edit token. */
export function mediawikiClient(options: MediawikiClientOptions): MediawikiClient {
  const api = new ActionApi({
    apiUrl: options.apiUrl,
    userAgent: options.userAgent,
    maxlag: options.maxlag,
    timeoutMs: options.timeoutMs,
    uploadTimeoutMs: options.uploadTimeoutMs,
    fetch: options.fetch,
  });
  const session = new WikiSession(api, options.credentials);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const chunkThreshold = options.chunkThreshold ?? chunkSize;
  let siteInfo: Promise<SiteInfo> | null = null;
  const cachedSiteInfo = (): Promise<SiteInfo> => {
    siteInfo ??= fetchSiteInfo(session).catch((err: unknown) => {
      siteInfo = null;
      throw err;
    });
    return siteInfo;
  };

  return {
    apiUrl: options.apiUrl,
    login: () => session.login(),
    siteInfo: cachedSiteInfo,
    async userInfo() {
      await session.ensureLoggedIn();
      return fetchUserInfo(session);
    },
    findBySha1: (sha1) => findFilesBySha1(session, sha1),
    fileStates: (names) => fetchFileStates(session, names),
    async pageExists(title) {
      const { body } = await session.read(
        { action: 'query', prop: 'info', titles: title },
        { what: `page lookup of '${title}' on ${api.apiUrl}` },
      );
      const page = (body.query as { pages?: { missing?: boolean; invalid?: boolean }[] } | undefined)
        ?.pages?.[0];
      return page !== undefined && page.missing !== true && page.invalid !== true;
    },
    async upload(request) {
      const size = await fileSize(request.filePath);
      if (size <= chunkThreshold && !request.resumeFilekey) return uploadInOneRequest(session, request);
      const site = await cachedSiteInfo();
      if (chunkSize < site.minUploadChunkSize) {
        throw new CourierError({
          code: 'wiki-chunk',
          message: `The chunk size ${chunkSize} B is below ${api.apiUrl}'s minimum of ${site.minUploadChunkSize} B; raise it in the wiki connection`,
        });
      }
      return uploadInChunks(session, request, size, chunkSize);
    },
    acceptStashed: (request) => publishFromStash(session, request, true),
    chunkStatus: (filename, filekey) => checkChunkedUpload(session, filename, filekey),
    async editPage(request) {
      const { body } = await session.write(
        {
          action: 'edit',
          title: request.title,
          text: request.text,
          summary: request.summary,
          nocreate: request.noCreate,
          bot: true,
        },
        { what: `edit of '${request.title}' on ${api.apiUrl}`, rateLimitAction: 'edit' },
      );
      const edit = (body.edit ?? {}) as {
        result?: string;
        title?: string;
        newrevid?: number;
        nochange?: boolean;
      };
      if (edit.result !== 'Success') {
        throw new CourierError({
          code: 'wiki-rejected',
          message: `edit of '${request.title}' on ${api.apiUrl}: the wiki answered '${edit.result ?? 'nothing'}'`,
          attention: { reason: 'edit refused', actions: ['retry', 'skip'] },
          detail: { edit },
        });
      }
      return {
        title: edit.title ?? request.title,
        newRevision: edit.newrevid ?? null,
        noChange: edit.nochange === true,
      };
    },
  };
}
