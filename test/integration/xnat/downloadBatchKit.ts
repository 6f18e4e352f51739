import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Credentials } from '../../../electron/engine/credentials';
import { Engine } from '../../../electron/engine/engine';
import type { XnatDownloadConfig } from '../../../electron/engine/sources/xnat/xnatDownloadSource';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator, XnatEmulatorOptions } from '../../servers/xnat/index';

export const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/** A row of the items table, as the tests read it. */
export interface ItemRecordView {
  id: number;
  key: string;
  path: string;
  name: string;
  group_key: string;
  status: string;
  reason: string | null;
  message: string | null;
  size: number | null;
  md5: string | null;
  sha1: string | null;
  target: string | null;
  meta: string;
}

/**
 * An emulator with project `P1` (secondary ID `HUB-001`, alias `P1-ALIAS`), a scratch folder holding the
 * ledger, the engine's data folder and the output folder `out/`, and engines opened on that ledger.
 */
export interface DownloadKit {
  emulator: XnatEmulator;
  root: string;
  dataDir: string;
  out: string;
  openEngine(credentials?: Credentials): Engine;
  /** Closes an engine as the app does on quit (files in flight become interrupted). */
  closeEngine(engine: Engine): Promise<void>;
  createBatch(engine: Engine, config: Partial<XnatDownloadConfig>, name?: string): number;
  items(engine: Engine, batchId: number): ItemRecordView[];
  /** Every path below `dir`, relative with `/`, sorted. */
  tree(dir: string): Promise<string[]>;
  /** Every file (anything but a folder) below `dir`, relative with `/`, sorted. */
  files(dir: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startDownloadKit(options: XnatEmulatorOptions = {}): Promise<DownloadKit> {
  const emulator = await startXnatEmulator({
    projects: [{ id: 'P1', secondaryId: 'HUB-001', name: 'Project one', aliases: ['P1-ALIAS'] }],
    ...options,
  });
  const root = await mkdtemp(path.join(tmpdir(), 'xnat-download-batch-'));
  const dataDir = path.join(root, 'data');
  const out = path.join(root, 'out');
  const engines = new Set<Engine>();
  return {
    emulator,
    root,
    dataDir,
    out,
    openEngine(credentials = { user: DEFAULT_USER.username, password: DEFAULT_USER.password }) {
      const engine = new Engine({
        dbFile: path.join(dataDir, 'ledger.sqlite'),
        dataDir,
        mode: 'cli',
        credentials: () => Promise.resolve(credentials),
      });
      engines.add(engine);
      return engine;
    },
    async closeEngine(engine) {
      engines.delete(engine);
      await engine.close();
    },
    createBatch(engine, config, name = 'download') {
      return engine.ledger.batches.create({
        name,
        sourceKind: 'xnat-download',
        sourceConfig: {
          server: emulator.url,
          project: 'P1',
          accession: 'ACC-0042',
          type: 'scan',
          resource: 'DICOM',
          ...config,
        },
        targetKind: 'folder',
        targetConfig: { dir: out },
        settings: {},
      }).id;
    },
    items(engine, batchId) {
      return engine.ledger.db
        .prepare('SELECT * FROM items WHERE batch_id = ? ORDER BY key')
        .all(batchId) as ItemRecordView[];
    },
    async tree(dir) {
      const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
      return entries.map((e) => e.split(path.sep).join('/')).sort();
    },
    async files(dir) {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((e) => !e.isDirectory())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
        .sort();
    },
    async close() {
      for (const engine of engines) await engine.close().catch(() => undefined);
      await emulator.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection, got a result');
}
