import { mkdir, rm, unlink } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { CourierError } from '../../../../shared/errors';
import { createIsicClient, writeIsicOutputFiles } from '../../clients/isic';
import type { IsicClient, IsicClientOptions } from '../../clients/isic';
import type { SourceAdapter, StepContext } from '../../runner/adapters';
import { requireFreeSpace } from './diskSpace';
import { imageItem, imageOf, localSelection } from './imageItems';
import { describeIsicSearch, isicSourceConfig } from './isicSourceConfig';
import type { IsicSourceConfig } from './isicSourceConfig';
import { spooledRecords, spoolRecords } from './recordSpool';
import { clearCursor, loadCursor, saveCursor, searchFingerprint } from './listingCursor';
import { DEFAULT_REQUEST_RETRY, retryDelay, withRequestRetry } from './requestRetry';
import type { RequestRetryPolicy } from './requestRetry';

export interface IsicSourceOptions {
  /** Timeouts and the like for the API client (the API URL comes from each batch's config). */
  client?: Omit<IsicClientOptions, 'apiUrl'>;
  /** Backoff for the listing and the licence texts (items are retried by the runner). */
  requestRetry?: RequestRetryPolicy;
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

/** The archive's answer to a cursor it no longer accepts: 422 "Invalid cursor." */
function refusedCursor(err: unknown): boolean {
  return err instanceof CourierError && err.code === 'http-422';
}

/** The folder of a folder-like target (`{dir}`), where metadata.csv and the rest belong; null otherwise. */
function targetFolder(targetConfig: unknown): string | null {
  const dir = (targetConfig as { dir?: unknown } | null)?.dir;
  return typeof dir === 'string' && dir !== '' ? dir : null;
}

/** An ISIC Archive source; `isicSource` is the one the app ships, tests may tune timeouts and backoff. */
export function createIsicSource(options: IsicSourceOptions = {}): SourceAdapter<IsicSourceConfig> {
  const policy = options.requestRetry ?? DEFAULT_REQUEST_RETRY;
  const clients = new Map<string, IsicClient>();
  const clientFor = (config: IsicSourceConfig): IsicClient => {
    let client = clients.get(config.apiUrl);
    if (!client) {
      client = createIsicClient({ ...options.client, apiUrl: config.apiUrl });
      clients.set(config.apiUrl, client);
    }
    return client;
  };

  // Whatever an earlier process left in a batch's download folder (a crash mid-download) is removed
  // once, before this process's first download there.
  const downloadFolders = new Map<string, Promise<string>>();
  const downloadFolder = (workDir: string): Promise<string> => {
    let ready = downloadFolders.get(workDir);
    if (!ready) {
      const dir = join(workDir, 'downloads');
      ready = rm(dir, { recursive: true, force: true })
        .then(() => mkdir(dir, { recursive: true }))
        .then(() => dir);
      ready.catch(() => downloadFolders.delete(workDir));
      downloadFolders.set(workDir, ready);
    }
    return ready;
  };

  async function* collect(config: IsicSourceConfig, ctx: StepContext) {
    const client = clientFor(config);
    const selection = localSelection(config.select);
    const search = { query: config.query, collections: config.collections, signal: ctx.signal };
    const saved = await loadCursor(ctx.workDir, config);
    let listed = saved?.listed ?? 0;
    let resumeFrom = saved?.next;
    let restarted = false;
    if (!saved) {
      const { count, totalBytes } = await withRequestRetry(() => client.preflight(search), {
        clock: ctx.clock,
        signal: ctx.signal,
        policy,
      });
      const wanted = config.limit > 0 ? Math.min(config.limit, count) : count;
      // With a limit, the first `limit` images' sizes are not known before listing them: assume the average.
      const needed = count === 0 ? 0 : Math.ceil((totalBytes * wanted) / count);
      await requireFreeSpace(ctx.workDir, needed, `Downloading ${wanted} image(s) from the ISIC Archive`);
    }
    for (let attempt = 1; ; attempt++) {
      const left = config.limit > 0 ? config.limit - listed : 0;
      if (config.limit > 0 && left <= 0) break;
      try {
        for await (const page of client.search({ ...search, limit: left, resumeFrom })) {
          attempt = 1;
          if (page.images.length > 0) yield page.images.map((image) => imageItem(image, selection));
          // Reached only once the ledger has stored the page: the cursor never skips unstored images.
          listed += page.images.length;
          if (page.next === null) break;
          resumeFrom = page.next;
          await saveCursor(ctx.workDir, { search: searchFingerprint(config), next: page.next, listed });
        }
        break;
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        if (refusedCursor(err) && resumeFrom !== undefined && !restarted) {
          // The archive refuses a cursor (422 "Invalid cursor." after a change on its side): list again
          // from the start, once; the ledger keeps the images it already has and adds none twice.
          restarted = true;
          resumeFrom = undefined;
          listed = 0;
          await clearCursor(ctx.workDir);
          continue;
        }
        await ctx.clock.sleep(retryDelay(err, attempt, policy), ctx.signal);
      }
    }
    await clearCursor(ctx.workDir);
  }

  return {
    kind: 'isic',
    title: 'ISIC Archive',
    configSchema: isicSourceConfig,
    label: describeIsicSearch,
    host: (config) => new URL(config.apiUrl).host,
    collect,

    async fetch(item, config, ctx) {
      const image = imageOf(item);
      const dir = await downloadFolder(ctx.workDir);
      const dest = join(dir, `${item.id}${extname(item.name) || '.jpg'}`);
      // Digests computed while downloading spare the target a second read of the file.
      const { bytes, sha1, md5 } = await clientFor(config).downloadImage(image, dest, {
        signal: ctx.signal,
        digests: true,
        // The batch's download folder is private and emptied before first use: no rename needed there.
        inPlace: true,
      });
      ctx.progress(bytes, bytes);
      return {
        path: dest,
        size: bytes,
        ...(sha1 && md5 ? { sha1, md5 } : {}),
        temporary: true,
        // Usually the folder target has moved the file away: one unlink, which may find nothing.
        release: () => unlink(dest).catch(ignoreMissing),
      };
    },

    async finish(config, items, ctx, targetConfig) {
      const dir = targetFolder(targetConfig);
      if (!dir) return;
      const client = clientFor(config);
      const spool = join(ctx.workDir, 'isic-records.ndjson');
      spoolRecords(items(), spool);
      try {
        await writeIsicOutputFiles(
          dir,
          () => spooledRecords(spool),
          (license) =>
            withRequestRetry(() => client.licenseText(license, { signal: ctx.signal }), {
              clock: ctx.clock,
              signal: ctx.signal,
              policy,
            }),
        );
      } finally {
        await rm(spool, { force: true });
      }
    },
  };
}

/** Images of an ISIC Archive search, downloaded in parallel, with metadata.csv, attribution and licences. */
export const isicSource = createIsicSource();
