import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISIC_SAMPLE_MAX } from '../../../shared/commands/isic';
import { compileSelect } from '../../../shared/isicSelect';
import { Engine } from '../../../electron/engine/engine';
import { QUERY_EXAMPLES } from '../../../renderer/src/newBatch/isic/QueryHelp';
import { startIsicFixture } from '../../servers/isic';
import type { IsicFixture } from '../../servers/isic';
import { tempDir } from '../../support/tempDir';

describe('isic commands against the fixture archive, through a saved connection', () => {
  const dir = tempDir('isic-commands-');
  let fixture: IsicFixture;
  let engine: Engine;
  let connectionId: string;

  beforeAll(async () => {
    fixture = await startIsicFixture({ images: ISIC_SAMPLE_MAX + 150 });
    engine = new Engine({ dbFile: join(dir.path, 'ledger.sqlite'), dataDir: dir.path, mode: 'cli' });
    connectionId = (
      await engine.handlers['connections.save']({
        kind: 'isic',
        label: 'Fixture',
        url: fixture.apiUrl,
        username: '',
      })
    ).id;
  });
  afterAll(async () => {
    await engine?.close();
    await fixture?.close();
    dir.cleanup();
  });

  const newestFirst = () => [...fixture.images].sort((a, b) => b.index - a.index);

  it('lists the collections, pinned ones first', async () => {
    const collections = await engine.handlers['isic.collections']({});
    expect(collections.map((c) => c.id)).toEqual([61, 74, 249, 212, 289, 301]);
    expect(collections[2]).toEqual({ id: 249, name: 'HAM10000', public: true, pinned: true });
  });

  it('previews count, sizes and thumbnails as data URLs, from the saved connection’s archive', async () => {
    const males = newestFirst().filter((i) => i.metadata.clinical.sex === 'male');
    const preview = await engine.handlers['isic.preview']({ query: 'sex:male', limit: 10, thumbnails: 3 });
    expect(preview.apiUrl).toBe(fixture.apiUrl.replace(/\/$/, ''));
    expect(preview.count).toBe(males.length);
    expect(preview.totalBytes).toBe(males.reduce((sum, i) => sum + i.fullSize, 0));
    expect(preview.wanted).toBe(10);
    expect(preview.wantedBytesEstimated).toBe(true);
    expect(preview.thumbnails.map((t) => t.isicId)).toEqual(males.slice(0, 3).map((i) => i.isicId));
    const first = preview.thumbnails[0]!;
    expect(first.dataUrl).toBe(
      `data:image/jpeg;base64,${fixture.fileBytes(first.isicId, 'thumbnail_256').toString('base64')}`,
    );
    expect(first.license).toBe(males[0]!.copyrightLicense);
  });

  it('gives the archive’s refusal of a bad query in words', async () => {
    await expect(
      engine.handlers['isic.preview']({ connectionId, query: 'sex:', limit: 0, thumbnails: 0 }),
    ).rejects.toMatchObject({ code: 'isic-bad-query', message: expect.stringContaining('"sex:"') as string });
  });

  it('accepts every example of the query help', async () => {
    for (const { query } of QUERY_EXAMPLES) {
      const preview = await engine.handlers['isic.preview']({ connectionId, query, limit: 0, thumbnails: 0 });
      expect(preview.count, query).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts a local selection over a bounded sample of the first results, and says so', async () => {
    const criteria = [
      'metadata.clinical.diagnosis_1 == Benign',
      'metadata.clinical.age_approx >= 50',
      'metadata.clinical.sex match /[/',
    ];
    const counts = await engine.handlers['isic.selectCounts']({ connectionId, limit: 0, criteria });
    const sample = newestFirst().slice(0, ISIC_SAMPLE_MAX);
    const expected = (c: string[]) =>
      sample.filter((i) => compileSelect(c)(fixture.imageJson(i.isicId))).length;
    expect(counts.sampled).toBe(ISIC_SAMPLE_MAX);
    expect(counts.complete).toBe(false);
    expect(counts.criteria[0]).toEqual({
      ok: true,
      text: "metadata.clinical.diagnosis_1 == 'Benign'",
      count: expected([criteria[0]!]),
    });
    expect(counts.criteria[1]).toMatchObject({ ok: true, count: expected([criteria[1]!]) });
    expect(counts.criteria[2]).toMatchObject({
      ok: false,
      error: expect.stringContaining('metadata.clinical.sex match /[/') as string,
    });
    expect(counts.selected).toBe(expected(criteria.slice(0, 2)));
    expect(counts.fields.find((f) => f.path === 'metadata.clinical.sex')).toMatchObject({
      kind: 'text',
      values: expect.arrayContaining(['male', 'female']) as string[],
    });

    const limited = await engine.handlers['isic.selectCounts']({ connectionId, limit: 40, criteria: [] });
    expect(limited).toMatchObject({ sampled: 40, complete: true, selected: 40 });
  });
});
