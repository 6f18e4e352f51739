import { CourierError } from '../../../../shared/errors';
import type { ApiParams } from './actionApi';
import type { FileState, SiteInfo, UserInfo, WikiFile } from './types';
import type { WikiSession } from './wikiSession';

/** imageinfo as the API returns it. */
export interface RawImageInfo {
  sha1?: string;
  size?: number;
  mime?: string;
  timestamp?: string;
  user?: string;
  url?: string;
  descriptionurl?: string;
}

const FILE_PROPS = ['sha1', 'size', 'mime', 'timestamp', 'user', 'url'];
const TITLES_PER_QUERY = 50;

function toWikiFile(title: string, info: RawImageInfo): WikiFile {
  return {
    title,
    name: title.replace(/^[^:]+:/, '').replace(/ /g, '_'),
    sha1: info.sha1 ?? '',
    size: info.size ?? 0,
    mime: info.mime,
    timestamp: info.timestamp,
    user: info.user,
    url: info.url ?? '',
    descriptionUrl: info.descriptionurl ?? '',
  };
}

/** `meta=siteinfo`: limits and allowed extensions. */
export async function fetchSiteInfo(session: WikiSession): Promise<SiteInfo> {
  const { body } = await session.read(
    { action: 'query', meta: 'siteinfo', siprop: ['general', 'fileextensions'] },
    { what: `site information request to ${session.api.apiUrl}` },
  );
  const query = body.query as
    { general?: Record<string, unknown>; fileextensions?: { ext: string }[] } | undefined;
  const general = query?.general;
  if (!general || typeof general.generator !== 'string') {
    throw new CourierError({
      code: 'wiki-bad-response',
      message: `${session.api.apiUrl} answered siteinfo without a generator; is it a MediaWiki api.php?`,
    });
  }
  return {
    sitename: String(general.sitename ?? ''),
    generator: general.generator,
    server: String(general.server ?? ''),
    articlePath: String(general.articlepath ?? '/index.php/$1'),
    maxUploadSize: Number(general.maxuploadsize ?? 0),
    minUploadChunkSize: Number(general.minuploadchunksize ?? 1024),
    fileExtensions: (query?.fileextensions ?? []).map((e) => e.ext.toLowerCase()),
  };
}

/** `meta=userinfo`: who the session is and what it may do. */
export async function fetchUserInfo(session: WikiSession): Promise<UserInfo> {
  const { body } = await session.read(
    { action: 'query', meta: 'userinfo', uiprop: ['groups', 'rights', 'ratelimits'] },
    { what: `user information request to ${session.api.apiUrl}` },
  );
  const info = ((body.query as { userinfo?: Record<string, unknown> } | undefined)?.userinfo ?? {}) as {
    name?: string;
    anon?: boolean;
    groups?: string[];
    rights?: string[];
    ratelimits?: UserInfo['rateLimits'];
  };
  return {
    name: info.name ?? '',
    anonymous: info.anon === true,
    groups: info.groups ?? [],
    rights: info.rights ?? [],
    rateLimits: info.ratelimits ?? {},
  };
}

/** Current files with exactly this SHA-1 (`list=allimages&aisha1`), on any wiki, anonymously if need be. */
export async function findFilesBySha1(session: WikiSession, sha1: string): Promise<WikiFile[]> {
  const hash = sha1.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(hash)) {
    throw new CourierError({ code: 'wiki-api', message: `'${sha1}' is not a SHA-1 (40 hexadecimal digits)` });
  }
  const files: WikiFile[] = [];
  let continuation: Record<string, string> = {};
  // A hash rarely matches more than a handful of files; the bound only stops a misbehaving server.
  for (let page = 0; page < 20; page++) {
    const params: ApiParams = {
      action: 'query',
      list: 'allimages',
      aisha1: hash,
      aiprop: FILE_PROPS,
      ailimit: 'max',
      ...continuation,
    };
    const { body } = await session.read(params, { what: `SHA-1 lookup on ${session.api.apiUrl}` });
    const found = ((
      body.query as { allimages?: (RawImageInfo & { title: string; name: string })[] } | undefined
    )?.allimages ?? []) as (RawImageInfo & { title: string })[];
    for (const item of found) files.push(toWikiFile(item.title, item));
    const next = body.continue as Record<string, string> | undefined;
    if (!next) break;
    continuation = next;
  }
  return files;
}

function withFilePrefix(name: string): string {
  return /^(File|Image):/i.test(name) ? name : `File:${name}`;
}

/**
 * Page and file state of each title (`File:` added when missing), 50 titles per request. The map is
 * keyed by the titles as given.
 */
export async function fetchFileStates(
  session: WikiSession,
  names: readonly string[],
): Promise<Map<string, FileState>> {
  const states = new Map<string, FileState>();
  for (let start = 0; start < names.length; start += TITLES_PER_QUERY) {
    const batch = names.slice(start, start + TITLES_PER_QUERY);
    const asked = batch.map(withFilePrefix);
    const { body } = await session.read(
      { action: 'query', prop: ['info', 'imageinfo'], iiprop: FILE_PROPS, titles: asked },
      { what: `file lookup on ${session.api.apiUrl}` },
    );
    const query = (body.query ?? {}) as {
      normalized?: { from: string; to: string }[];
      pages?: {
        title: string;
        missing?: boolean;
        invalid?: boolean;
        known?: boolean;
        imagerepository?: string;
        imageinfo?: RawImageInfo[];
      }[];
    };
    const normalized = new Map((query.normalized ?? []).map((n) => [n.from, n.to]));
    const pages = new Map((query.pages ?? []).map((p) => [p.title, p]));
    batch.forEach((requested, i) => {
      const askedTitle = asked[i] ?? requested;
      const title = normalized.get(askedTitle) ?? askedTitle;
      const page = pages.get(title);
      const info = page?.imageinfo?.[0];
      const local = page?.imagerepository === 'local' && info !== undefined;
      states.set(requested, {
        requested,
        title,
        pageExists: page !== undefined && page.missing !== true && page.invalid !== true,
        file: local ? toWikiFile(title, info) : null,
        sharedFile:
          page?.imagerepository !== undefined &&
          page.imagerepository !== 'local' &&
          page.imagerepository !== '',
        invalid: page?.invalid === true,
      });
    });
  }
  return states;
}
