import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import { AdapterRegistry } from '../../../electron/engine/runner/adapters';
import type { SourceAdapter } from '../../../electron/engine/runner/adapters';
import { Runner } from '../../../electron/engine/runner/runner';
import { folderTarget } from '../../../electron/engine/targets/folder/folderTarget';
import { FakeClock } from '../../support/fakeClock';
import { tempDir } from '../../support/tempDir';
import { noConfig } from '../runner/scriptedAdapters';

const sha1 = (data: string) => createHash('sha1').update(data).digest('hex');
const md5 = (data: string) => createHash('md5').update(data).digest('hex');

describe('folder target with a source that downloads into temporary files', () => {
  let dir: ReturnType<typeof tempDir>;
  let ledger: Ledger;

  beforeEach(() => {
    dir = tempDir();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'), { now: () => Date.now() });
  });
  afterEach(() => {
    ledger.close();
    dir.cleanup();
  });

  /** Writes each item's bytes to a temporary file and counts the releases the runner asks for. */
  function downloadingSource(names: string[], withDigests: boolean) {
    const released: string[] = [];
    const downloads = join(dir.path, 'downloads');
    mkdirSync(downloads, { recursive: true });
    const source: SourceAdapter<Record<string, never>> = {
      kind: 'downloads',
      title: 'Downloads',
      configSchema: noConfig,
      label: () => 'downloads',
      host: () => null,
      async *collect() {
        yield names.map((name) => ({ key: name, path: name, name }));
      },
      async fetch(item) {
        const path = join(downloads, String(item.id));
        const data = `bytes of ${item.name}`;
        writeFileSync(path, data);
        return {
          path,
          size: data.length,
          ...(withDigests ? { sha1: sha1(data), md5: md5(data) } : {}),
          temporary: true,
          release: async () => {
            released.push(item.name);
          },
        };
      },
    };
    return { source, released };
  }

  async function run(names: string[], withDigests: boolean) {
    const { source, released } = downloadingSource(names, withDigests);
    const out = join(dir.path, 'out');
    const runner = new Runner({
      ledger,
      adapters: new AdapterRegistry().addSource(source).addTarget(folderTarget),
      clock: new FakeClock(),
      workRoot: join(dir.path, 'work'),
    });
    const batch = ledger.batches.create({
      name: `b${withDigests ? 1 : 0}`,
      sourceKind: 'downloads',
      sourceConfig: {},
      targetKind: 'folder',
      targetConfig: { dir: out },
      settings: { concurrency: 3 },
    });
    await expect(runner.start(batch.id)).resolves.toBe('finished');
    return { out, released, batchId: batch.id };
  }

  it('moves each file into folders made on the way, with its digests, and releases nothing it moved', async () => {
    const names = ['a/1.jpg', 'a/2.jpg', 'a/b/3.jpg', 'c/4.jpg', '5.jpg'];
    const { out, released, batchId } = await run(names, true);
    for (const name of names) {
      expect(readFileSync(join(out, ...name.split('/')), 'utf8')).toBe(`bytes of ${name}`);
    }
    const items = ledger.db
      .prepare('SELECT status, sha1, md5 FROM items WHERE batch_id = ? ORDER BY seq')
      .raw()
      .all(batchId);
    expect(items).toEqual(names.map((n) => ['done', sha1(`bytes of ${n}`), md5(`bytes of ${n}`)]));
    // The temporary files were moved, not copied: none left behind, and nothing for the source to remove.
    expect(released).toEqual([]);
    expect(existsSync(join(dir.path, 'downloads', '1'))).toBe(false);
  });

  it('hashes a temporary file that came without digests, and still moves it', async () => {
    const { out, released } = await run(['x/y.jpg'], false);
    expect(readFileSync(join(out, 'x', 'y.jpg'), 'utf8')).toBe('bytes of x/y.jpg');
    expect(released).toEqual([]);
  });
});
