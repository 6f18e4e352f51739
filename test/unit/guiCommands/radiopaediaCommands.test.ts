// The Radiopaedia screens' commands on a real engine and ledger: reading typed cases, and per-case
// progress from the ledger's items.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShowableUrl } from '../../../electron/engine/commands/radiopaedia';
import { Engine } from '../../../electron/engine/engine';
import { tempDir } from '../../support/tempDir';

let dir: ReturnType<typeof tempDir>;
let engine: Engine;

beforeAll(async () => {
  dir = tempDir();
  engine = new Engine({ dbFile: join(dir.path, 'l.sqlite'), dataDir: dir.path, mode: 'web' });
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('radiopaedia.parseCases', () => {
  it('reads URLs and rIDs of the given site, leaves out repeats and names what it cannot read', async () => {
    const parsed = await engine.handlers['radiopaedia.parseCases']({
      text: 'http://127.0.0.1:4000/cases/70001\nrID: 70001\n70002\nhello world',
      site: 'http://127.0.0.1:4000/',
    });
    expect(parsed.site).toBe('http://127.0.0.1:4000');
    expect(parsed.cases.map((c) => [c.rid, c.url])).toEqual([
      [70001, 'http://127.0.0.1:4000/cases/70001'],
      [70002, 'http://127.0.0.1:4000/cases/70002'],
    ]);
    expect(parsed.duplicates).toEqual(['rID: 70001']);
    expect(parsed.rejected).toEqual(['hello world']);
  });

  it('defaults to radiopaedia.org and refuses a site that is not an address', async () => {
    const parsed = await engine.handlers['radiopaedia.parseCases']({ text: '70432' });
    expect(parsed.cases[0]?.url).toBe('https://radiopaedia.org/cases/70432');
    await expect(
      Promise.resolve().then(() =>
        engine.handlers['radiopaedia.parseCases']({ text: '1', site: 'http://[x' }),
      ),
    ).rejects.toThrow(/not a web address/);
  });
});

describe('radiopaedia.progress', () => {
  it('counts each case’s images by status, in listing order, with its title and the image in flight', async () => {
    const batchId = engine.ledger.batches.create({
      name: 'rp',
      sourceKind: 'radiopaedia',
      sourceConfig: { cases: ['70002', '70001'] },
      targetKind: 'folder',
      targetConfig: { dir: '/out' },
    }).id;
    const image = (rid: number, title: string, n: number) => ({
      key: `${rid}/1/${n}`,
      path: `https://radiopaedia.org/cases/${rid}`,
      name: `${title} ${n}.jpg`,
      group: `rID ${rid}`,
      meta: { kind: 'radiopaedia-image', case: { rid, title } },
    });
    engine.ledger.addItems(batchId, [
      image(70002, 'Aneurysm', 1),
      image(70002, 'Aneurysm', 2),
      image(70002, 'Aneurysm', 3),
      {
        key: '70001/case',
        path: 'https://radiopaedia.org/cases/70001',
        name: 'Radiopaedia case 70001.json',
        group: 'rID 70001',
        meta: { kind: 'radiopaedia-case', rid: 70001, url: 'https://radiopaedia.org/cases/70001' },
      },
    ]);
    const set = (status: string, key: string) =>
      engine.ledger.db
        .prepare('UPDATE items SET status = ? WHERE batch_id = ? AND key = ?')
        .run(status, batchId, key);
    set('done', '70002/1/1');
    set('running', '70002/1/2');
    set('attention', '70001/case');
    const { cases, more } = await engine.handlers['radiopaedia.progress']({ batchId });
    expect(more).toBe(false);
    expect(cases.map((c) => c.group)).toEqual(['rID 70002', 'rID 70001']);
    const [aneurysm, unread] = cases;
    expect(aneurysm).toMatchObject({ rid: 70002, title: 'Aneurysm', total: 3, running: 'Aneurysm 2.jpg' });
    expect([aneurysm!.counts.done, aneurysm!.counts.running, aneurysm!.counts.pending]).toEqual([1, 1, 1]);
    expect(unread).toMatchObject({
      rid: 70001,
      title: null,
      total: 1,
      url: 'https://radiopaedia.org/cases/70001',
    });
    expect(unread!.counts.attention).toBe(1);
  });

  it('refuses a batch that does not read Radiopaedia', async () => {
    const batchId = engine.ledger.batches.create({
      name: 'folder',
      sourceKind: 'folder',
      sourceConfig: {},
      targetKind: 'folder',
      targetConfig: {},
    }).id;
    await expect(
      Promise.resolve().then(() => engine.handlers['radiopaedia.progress']({ batchId })),
    ).rejects.toThrow("Batch 'folder' does not read Radiopaedia cases.");
  });
});

describe('the visible window', () => {
  it('shows web pages only', () => {
    expect(isShowableUrl('https://radiopaedia.org/cases/1')).toBe(true);
    expect(isShowableUrl('http://127.0.0.1:3000/cases/1')).toBe(true);
    expect(isShowableUrl('file:///etc/passwd')).toBe(false);
    expect(isShowableUrl('/data/out/x.jpg')).toBe(false);
    expect(isShowableUrl('javascript:alert(1)')).toBe(false);
  });
});
