import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidCursorError, paginate, type PageOf } from './cursorPagination';
import {
  generateDataset,
  LICENSE_TEXTS,
  paddedJpeg,
  type FixtureCollection,
  type FixtureImage,
  type IsicDatasetOptions,
} from './dataset';
import { FaultPlan, type ArmedFault, type IsicFault } from './faults';
import { compileSearchQuery, SearchParseError } from './searchQuery';

/**
 * Fixture of the ISIC Archive API v2 (reference/sources.md §1.1) on 127.0.0.1: an API host
 * (`/api/v2/…`) and a second host for the image files, as the real archive serves files from its
 * bucket/CDN. Faults are injected per host and path: statuses (429 with Retry-After, 503 bursts),
 * connection resets, truncated or short file bodies, and stalls.
 */

export type { IsicFault, IsicFaultKind } from './faults';

export interface IsicFixtureOptions extends IsicDatasetOptions {
  faults?: IsicFault[];
  /** Added latency before each answer, to watch progress in a GUI test. */
  delayMs?: { api?: number; files?: number };
}

export interface IsicFixtureStats {
  apiRequests: number;
  fileRequests: number;
  searchPages: number;
  fullImages: number;
  thumbnails: number;
  bytesServed: number;
  faultsServed: number;
  statuses: Record<number, number>;
  /** The last 500 search / list requests, as the server saw their parameters. */
  searches: {
    path: string;
    query: string | null;
    collections: string | null;
    limit: string | null;
    cursor: string | null;
  }[];
}

export interface IsicFixture {
  /** e.g. http://127.0.0.1:PORT/api/v2/ (with the trailing slash, like isic-cli's base). */
  apiUrl: string;
  /** e.g. http://127.0.0.1:OTHERPORT/ — where files.full.url and files.thumbnail_256.url point. */
  filesUrl: string;
  stats: IsicFixtureStats;
  images: readonly FixtureImage[];
  collections: readonly FixtureCollection[];
  /** The image as the API serves it (ImageOut). */
  imageJson(isicId: string): Record<string, unknown>;
  /** The exact bytes the files host serves for an image. */
  fileBytes(isicId: string, kind?: 'full' | 'thumbnail_256'): Buffer;
  inject(fault: IsicFault): void;
  clearFaults(): void;
  resetStats(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string | number>;
  body: Buffer | string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(value) };
}

function emptyStats(): IsicFixtureStats {
  return {
    apiRequests: 0,
    fileRequests: 0,
    searchPages: 0,
    fullImages: 0,
    thumbnails: 0,
    bytesServed: 0,
    faultsServed: 0,
    statuses: {},
    searches: [],
  };
}

/** Starts both hosts on free loopback ports. */
export async function startIsicFixture(options: IsicFixtureOptions = {}): Promise<IsicFixture> {
  const { images, collections } = generateDataset(options);
  const byId = new Map(images.map((img) => [img.isicId, img]));
  // Listing order is `-created`: the newest (highest index) first. rank = place in that order.
  const byCreated = new Map(images.map((img) => [img.created, images.length - 1 - img.index]));
  const newestFirst = [...images].reverse();
  const faults = new FaultPlan();
  const stats: IsicFixtureStats = emptyStats();
  const stalled = new Set<http.ServerResponse>();
  let filesUrl = '';
  const jsonCache: (string | undefined)[] = new Array(images.length);
  const matchCache = new Map<string, FixtureImage[]>();
  const hold = (res: http.ServerResponse) => {
    stalled.add(res);
    res.on('close', () => stalled.delete(res));
  };

  const imageOut = (img: FixtureImage) => ({
    isic_id: img.isicId,
    public: img.public,
    copyright_license: img.copyrightLicense,
    attribution: img.attribution,
    files: {
      full: { url: `${filesUrl}images/${img.isicId}.jpg`, size: img.fullSize },
      thumbnail_256: {
        url: `${filesUrl}thumbnails/${img.isicId}_thumbnail_256.jpg`,
        size: img.thumbnailSize,
      },
    },
    metadata: img.metadata,
  });
  const imageJsonText = (img: FixtureImage) => (jsonCache[img.index] ??= JSON.stringify(imageOut(img)));

  const fileBytes = (img: FixtureImage, kind: 'full' | 'thumbnail_256') =>
    paddedJpeg(img.baseJpeg, kind === 'full' ? img.fullSize : img.thumbnailSize, img.isicId);

  const send = (req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, fault?: ArmedFault) => {
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    stats.statuses[reply.status] = (stats.statuses[reply.status] ?? 0) + 1;
    const headers = { ...reply.headers, 'Content-Length': body.length };
    if (req.method === 'HEAD') {
      res.writeHead(reply.status, headers).end();
      return;
    }
    const half = body.subarray(0, Math.floor(body.length / 2));
    switch (fault?.kind) {
      case 'truncate':
        res.writeHead(reply.status, headers);
        res.write(half, () => req.socket.destroy());
        stats.bytesServed += half.length;
        return;
      case 'short':
        res.writeHead(reply.status, { ...headers, 'Content-Length': half.length }).end(half);
        stats.bytesServed += half.length;
        return;
      case 'stall-body':
        hold(res);
        res.writeHead(reply.status, headers);
        res.write(half);
        return;
      default:
        res.writeHead(reply.status, headers).end(body);
        stats.bytesServed += body.length;
    }
  };

  const faultReply = (host: 'api' | 'files', fault: ArmedFault): Reply => {
    const status = fault.status ?? 503;
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
    if (host === 'api' && status === 429) {
      headers['Content-Type'] = JSON_TYPE;
      return { status, headers, body: fault.body ?? '{"detail":"Request was throttled."}' };
    }
    headers['Content-Type'] = 'text/html';
    return { status, headers, body: fault.body ?? `<html><body><h1>${status}</h1></body></html>` };
  };

  /** Applies a fault that replaces the answer; returns true when the request is dealt with. */
  const preempt = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    host: 'api' | 'files',
    fault: ArmedFault,
  ) => {
    if (fault.kind === 'reset') {
      req.socket.destroy();
      return true;
    }
    if (fault.kind === 'stall') {
      hold(res);
      return true;
    }
    if (fault.kind === 'status') {
      send(req, res, faultReply(host, fault));
      return true;
    }
    return false;
  };

  const matching = (query: string, collectionIds: number[]): FixtureImage[] => {
    const key = `${collectionIds.join(',')}|${query}`;
    let found = matchCache.get(key);
    if (!found) {
      const predicate = compileSearchQuery(query);
      const wanted = new Set(collectionIds);
      found = newestFirst.filter(
        (img) => predicate(img) && (wanted.size === 0 || img.collections.some((id) => wanted.has(id))),
      );
      if (matchCache.size > 200) matchCache.clear();
      matchCache.set(key, found);
    }
    return found;
  };

  const pageJson = (page: PageOf<FixtureImage>) =>
    `{"results":[${page.results.map(imageJsonText).join(',')}],"count":${JSON.stringify(page.count)},` +
    `"next":${JSON.stringify(page.next)},"previous":${JSON.stringify(page.previous)}}`;

  const unprocessable = (loc: string, msg: string) =>
    json(422, { detail: [{ type: 'value_error', loc: ['query', loc], msg }] });

  const apiRoute = (req: http.IncomingMessage): Reply => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname;
    const params = url.searchParams;
    if (!path.startsWith('/api/v2/')) return json(404, { detail: 'Not Found' });
    const route = path.slice('/api/v2/'.length);
    if (route !== '' && !route.endsWith('/')) {
      // Django's APPEND_SLASH.
      return { status: 301, headers: { Location: `${path}/${url.search}` }, body: '' };
    }
    const baseUrl = `${url.origin}${path}`;
    const record = () => {
      stats.searches.push({
        path: route,
        query: params.get('query'),
        collections: params.get('collections'),
        limit: params.get('limit'),
        cursor: params.get('cursor'),
      });
      if (stats.searches.length > 500) stats.searches.shift();
    };

    const searchSet = (): FixtureImage[] | Reply => {
      const collectionsParam = params.get('collections') ?? '';
      if (collectionsParam !== '' && !/^\d+(,\d+)*$/.test(collectionsParam)) {
        return unprocessable('collections', 'Value error, collections must be comma-separated integers');
      }
      const ids = collectionsParam === '' ? [] : collectionsParam.split(',').map(Number);
      try {
        return matching(params.get('query') ?? '', ids);
      } catch (err) {
        if (err instanceof SearchParseError) return json(400, { message: 'Could not parse search query.' });
        throw err;
      }
    };
    const imagePage = (set: FixtureImage[]): Reply => {
      try {
        const page = paginate(
          set,
          (img) => img.created,
          (p) => byCreated.get(p),
          { baseUrl, params },
        );
        stats.searchPages++;
        return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: pageJson(page) };
      } catch (err) {
        if (err instanceof InvalidCursorError) return unprocessable('cursor', `Value error, ${err.message}`);
        throw err;
      }
    };

    if (route === 'images/' || route === 'images/search/') {
      record();
      const set = route === 'images/' ? newestFirst : searchSet();
      return Array.isArray(set) ? imagePage(set) : set;
    }
    if (route === 'images/search/size/') {
      const set = searchSet();
      return Array.isArray(set) ? json(200, { size: set.reduce((sum, img) => sum + img.fullSize, 0) }) : set;
    }
    let m = /^images\/([^/]+)\/$/.exec(route);
    if (m) {
      const img = byId.get(decodeURIComponent(m[1]!));
      return img
        ? { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: imageJsonText(img) }
        : json(404, { detail: 'Not Found' });
    }
    if (route === 'collections/') {
      record();
      let listed = collections.filter((c) => c.public);
      const pinned = params.get('pinned');
      if (pinned === 'true' || pinned === 'false')
        listed = listed.filter((c) => c.pinned === (pinned === 'true'));
      const byName = params.get('sort') === 'name';
      const ordered = byName
        ? [...listed].sort((a, b) => (a.name < b.name ? -1 : 1))
        : [...listed].sort((a, b) => (a.created < b.created ? 1 : -1));
      const keyOf = (c: FixtureCollection) => (byName ? c.name : c.created);
      const rankOf = new Map(ordered.map((c, i) => [keyOf(c), i]));
      try {
        const page = paginate(ordered, keyOf, (p) => rankOf.get(p), { baseUrl, params });
        return json(200, { ...page, results: page.results.map(collectionOut) });
      } catch (err) {
        if (err instanceof InvalidCursorError) return unprocessable('cursor', `Value error, ${err.message}`);
        throw err;
      }
    }
    m = /^collections\/(\d+)\/$/.exec(route);
    if (m) {
      const c = collections.find((x) => x.id === Number(m![1]));
      return c && c.public ? json(200, collectionOut(c)) : json(404, { detail: 'Not Found' });
    }
    m = /^zip-download\/license-file\/([^/]+)\/$/.exec(route);
    if (m) {
      const text = LICENSE_TEXTS[m[1]!];
      return text
        ? { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: text }
        : json(404, { detail: 'Not Found' });
    }
    return json(404, { detail: 'Not Found' });
  };

  const apiServer = http.createServer((req, res) => {
    stats.apiRequests++;
    const fault = faults.take('api', req.url ?? '', stats);
    void (async () => {
      if (options.delayMs?.api) await sleep(options.delayMs.api);
      if (fault && preempt(req, res, 'api', fault)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(req, res, json(405, { detail: 'Method not allowed' }));
        return;
      }
      let reply: Reply;
      try {
        reply = apiRoute(req);
      } catch (err) {
        reply = json(500, { detail: `fixture error: ${(err as Error).message}` });
      }
      send(req, res, reply, fault);
    })();
  });

  const filesServer = http.createServer((req, res) => {
    stats.fileRequests++;
    const url = req.url ?? '/';
    const fault = faults.take('files', url, stats);
    const answer = () => {
      if (fault && preempt(req, res, 'files', fault)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(req, res, {
          status: 405,
          headers: { 'Content-Type': 'text/plain' },
          body: 'Method Not Allowed',
        });
        return;
      }
      const path = url.split('?', 1)[0]!;
      let img: FixtureImage | undefined;
      let kind: 'full' | 'thumbnail_256' = 'full';
      if (path.startsWith('/images/') && path.endsWith('.jpg')) {
        img = byId.get(path.slice(8, -4));
      } else if (path.startsWith('/thumbnails/') && path.endsWith('_thumbnail_256.jpg')) {
        img = byId.get(path.slice(12, -18));
        kind = 'thumbnail_256';
      }
      if (!img) {
        send(req, res, {
          status: 404,
          headers: { 'Content-Type': 'application/xml' },
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${path.slice(1)}</Key></Error>`,
        });
        return;
      }
      if (kind === 'full') stats.fullImages++;
      else stats.thumbnails++;
      send(
        req,
        res,
        {
          status: 200,
          headers: {
            'Content-Type': 'image/jpeg',
            ETag: `"${img.isicId}-${kind}"`,
            'Accept-Ranges': 'bytes',
          },
          body: fileBytes(img, kind),
        },
        fault,
      );
    };
    if (options.delayMs?.files) void sleep(options.delayMs.files).then(answer);
    else answer();
  });

  const listen = (server: http.Server) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const apiPort = await listen(apiServer);
  const filesPort = await listen(filesServer);
  filesUrl = `http://127.0.0.1:${filesPort}/`;

  for (const fault of options.faults ?? []) faults.add(fault);

  const lookup = (isicId: string) => {
    const img = byId.get(isicId);
    if (!img) throw new Error(`no fixture image ${isicId}`);
    return img;
  };

  return {
    apiUrl: `http://127.0.0.1:${apiPort}/api/v2/`,
    filesUrl,
    stats,
    images,
    collections,
    imageJson: (isicId) => JSON.parse(imageJsonText(lookup(isicId))) as Record<string, unknown>,
    fileBytes: (isicId, kind = 'full') => fileBytes(lookup(isicId), kind),
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    resetStats: () => Object.assign(stats, emptyStats()),
    close: async () => {
      for (const res of stalled) res.destroy();
      stalled.clear();
      await Promise.all(
        [apiServer, filesServer].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

function collectionOut(c: FixtureCollection) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    public: c.public,
    pinned: c.pinned,
    locked: c.locked,
    doi: c.doi,
    doi_url: c.doi_url,
  };
}
