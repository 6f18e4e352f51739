// Wiki batches through the real Engine and Runner: a ledger in a temp folder, the shipped sources and the
// mediawiki target (with a fetch that records what went to the real wikis), small backoff.
import { join } from 'node:path';
import type { BatchSummary } from '../../../shared/domain';
import { Engine } from '../../../electron/engine/engine';
import type { ItemRecord } from '../../../electron/engine/ledger/rows';
import { AdapterRegistry } from '../../../electron/engine/runner/adapters';
import type { BackoffPolicy } from '../../../electron/engine/runner/backoff';
import { earlierBatchSource } from '../../../electron/engine/sources/batchItems/earlierBatchSource';
import { sheetSource } from '../../../electron/engine/sources/sheet/sheetSource';
import { createMediawikiTarget } from '../../../electron/engine/targets/mediawiki/mediawikiTarget';
import type { MediaWikiServer } from '../../servers/mediawiki';
import { tempDir } from '../../support/tempDir';
import { recordingFetch } from './wikiTestKit';
import type { SeenRequest } from './wikiTestKit';

export const FAST_BACKOFF: BackoffPolicy = { baseMs: 10, capMs: 100, maxRetryAfterMs: 200 };

export interface WikiEngine {
  engine: Engine;
  /** Requests the target adapter made, in order. */
  seen: SeenRequest[];
  dir: string;
  /** Closes the engine only (its folder stays, e.g. for a second engine on the same ledger). */
  stop(): Promise<void>;
  /** Closes the engine if still open and removes its folder (unless the folder was given). */
  close(): Promise<void>;
}

export interface WikiEngineOptions {
  login?: { user: string; password: string };
  backoff?: BackoffPolicy;
  /** Changes a request's form fields before it leaves (see recordingFetch). */
  rewrite?: (params: Record<string, string>) => Record<string, string> | null;
  /** Told after each answer (e.g. to stop the batch in the middle of a chunked upload). */
  afterResponse?: (request: SeenRequest) => void;
  /** Reuse a folder (a second engine on the same ledger). */
  dir?: string;
}

/** An engine whose mediawiki target logs in with `login` (default: the wiki's bot password). */
export function wikiEngine(wiki: MediaWikiServer, options: WikiEngineOptions = {}): WikiEngine {
  const folder = options.dir ? null : tempDir('courier-wiki-batch-');
  const dir = options.dir ?? folder!.path;
  const recording = recordingFetch(options.rewrite);
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await recording.fetch(input, init);
    const last = recording.seen.at(-1);
    if (last) options.afterResponse?.(last);
    return response;
  };
  const login = options.login ?? { user: wiki.botUser, password: wiki.botPassword };
  const engine = new Engine({
    dbFile: join(dir, 'ledger.sqlite'),
    dataDir: dir,
    mode: 'cli',
    backoff: options.backoff ?? FAST_BACKOFF,
    credentials: async () => login,
    adapters: new AdapterRegistry()
      .addSource(earlierBatchSource)
      .addSource(sheetSource)
      .addTarget(createMediawikiTarget({ fetch })),
  });
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= engine.close());
  return {
    engine,
    seen: recording.seen,
    dir,
    stop,
    async close() {
      await stop();
      folder?.cleanup();
    },
  };
}

export interface EarlierFile {
  key: string;
  /** Local path the earlier batch delivered the file to. */
  path: string;
  name: string;
  meta: Record<string, unknown>;
  group?: string;
}

/** A finished earlier batch (say, Radiopaedia to a folder) as the ledger holds it: every file `done`. */
export function finishedBatch(engine: Engine, name: string, files: readonly EarlierFile[]): number {
  const { ledger } = engine;
  const batch = ledger.batches.create({
    name,
    sourceKind: 'radiopaedia',
    sourceConfig: {},
    targetKind: 'folder',
    targetConfig: { dir: '/' },
  });
  ledger.addItems(
    batch.id,
    files.map((f) => ({
      key: f.key,
      path: `https://radiopaedia.org/cases/${f.key}`,
      name: f.name,
      group: f.group ?? '',
      meta: f.meta,
    })),
  );
  const claimed = ledger.claim(batch.id, files.length);
  const byKey = new Map(files.map((f) => [f.key, f]));
  ledger.record(
    batch.id,
    claimed.map((item) => ({ itemId: item.id, status: 'done', target: byKey.get(item.key)!.path })),
  );
  ledger.batches.setState(batch.id, 'finished', 'Finished: every file is settled.');
  return batch.id;
}

export interface WikiBatchOptions {
  checkApis?: string[];
  targetLookupBytes?: number;
  chunkSize?: number;
  dryRun?: boolean;
  pageTemplate?: string;
  commentTemplate?: string;
  concurrency?: number;
  maxAttempts?: number;
}

/** A wiki batch of the files of an earlier batch, or of a spreadsheet. */
export function wikiBatch(
  engine: Engine,
  name: string,
  source: { batch: string } | { file: string },
  api: string,
  options: WikiBatchOptions = {},
): number {
  const { concurrency, maxAttempts, ...target } = options;
  const created = engine.handlers['batches.create']({
    name,
    source: 'batch' in source ? { kind: 'earlier-batch', config: source } : { kind: 'sheet', config: source },
    target: { kind: 'mediawiki', config: { api, checkApis: [], ...target } },
    settings: { concurrency: concurrency ?? 2, ...(maxAttempts ? { maxAttempts } : {}) },
  }) as BatchSummary;
  return created.id;
}

export function items(engine: Engine, batchId: number): ItemRecord[] {
  return engine.ledger.db
    .prepare('SELECT * FROM items WHERE batch_id = ? ORDER BY seq')
    .all(batchId) as ItemRecord[];
}

export function itemNamed(engine: Engine, batchId: number, name: string): ItemRecord {
  const found = items(engine, batchId).find((i) => i.name === name);
  if (!found) throw new Error(`no item '${name}' in batch ${batchId}`);
  return found;
}

export function eventsOf(
  engine: Engine,
  itemId: number,
): { status: string | null; code: string | null; data: string | null }[] {
  return engine.ledger.db
    .prepare('SELECT status, code, data FROM events WHERE item_id = ? ORDER BY id')
    .all(itemId) as { status: string | null; code: string | null; data: string | null }[];
}

/** Requests that sent an upload (file, chunk or filekey) under this name. */
export function uploadsOf(seen: readonly SeenRequest[], filename: string): SeenRequest[] {
  return seen.filter((r) => r.params.action === 'upload' && r.params.filename === filename);
}

/** The raw wikitext of a page. */
export async function pageText(wiki: MediaWikiServer, title: string): Promise<string> {
  const response = await fetch(`${wiki.indexUrl}?action=raw&title=${encodeURIComponent(title)}`);
  if (response.status !== 200) throw new Error(`no page ${title} on ${wiki.apiUrl} (${response.status})`);
  return response.text();
}

/** Every version of a file (newest first): comment, SHA-1, size. */
export async function fileHistory(
  wiki: MediaWikiServer,
  title: string,
): Promise<{ comment: string; sha1: string; size: number }[]> {
  const url = new URL(wiki.apiUrl);
  for (const [k, v] of Object.entries({
    action: 'query',
    prop: 'imageinfo',
    iiprop: 'comment|sha1|size',
    iilimit: 'max',
    titles: title,
    format: 'json',
    formatversion: '2',
  }))
    url.searchParams.set(k, v);
  const body = (await (await fetch(url)).json()) as {
    query: { pages: { imageinfo?: { comment: string; sha1: string; size: number }[] }[] };
  };
  return body.query.pages[0]?.imageinfo ?? [];
}
