import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsicFixture, type IsicFixture } from '../../servers/isic';

// The fixture's own protocol, seen with plain fetch: what the client relies on without showing it.
let fixture: IsicFixture;
beforeAll(async () => {
  fixture = await startIsicFixture({ images: 230, imageBytes: { min: 1000, max: 1500 } });
});
afterAll(() => fixture.close());

interface Page {
  results: { isic_id: string }[];
  count: number | null;
  next: string | null;
  previous: string | null;
}
const getPage = async (url: string): Promise<Page> => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

describe('ISIC fixture API', () => {
  it('clamps limit to 100 and treats 0 as the default page', async () => {
    expect((await getPage(`${fixture.apiUrl}images/search/?limit=500`)).results).toHaveLength(100);
    expect((await getPage(`${fixture.apiUrl}images/search/?limit=0`)).results).toHaveLength(100);
    expect((await getPage(`${fixture.apiUrl}images/?limit=7`)).results).toHaveLength(7);
  });

  it('pages back with previous links (reverse cursors)', async () => {
    const first = await getPage(`${fixture.apiUrl}images/search/?limit=10`);
    expect(first.previous).toBeNull();
    const second = await getPage(first.next!);
    expect(second.count).toBeNull();
    const back = await getPage(second.previous!);
    expect(back.results.map((r) => r.isic_id)).toEqual(first.results.map((r) => r.isic_id));
    expect(back.previous).toBeNull();
    // The next URL keeps the request's other parameters, sorted, with the cursor replaced.
    expect(new URL(first.next!).search).toMatch(/^\?cursor=[^&]+&limit=10$/);
  });

  it('answers 422 to a cursor it did not make, 404 JSON to unknown routes, and adds the slash', async () => {
    const bad = await fetch(
      `${fixture.apiUrl}images/search/?cursor=${Buffer.from('o=abc').toString('base64')}`,
    );
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({
      detail: [{ type: 'value_error', loc: ['query', 'cursor'], msg: 'Value error, Invalid cursor.' }],
    });
    const badCollections = await fetch(`${fixture.apiUrl}images/search/?collections=a,b`);
    expect(badCollections.status).toBe(422);
    const missing = await fetch(`${fixture.apiUrl}nothing/`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Not Found' });
    const noSlash = await fetch(`${fixture.apiUrl}images/search?limit=1`, { redirect: 'manual' });
    expect(noSlash.status).toBe(301);
    expect(noSlash.headers.get('location')).toBe('/api/v2/images/search/?limit=1');
  });

  it('serves files as valid JPEGs of the listed size, with HEAD', async () => {
    const image = fixture.imageJson('ISIC_0000042') as { files: { full: { url: string; size: number } } };
    expect(image.files.full.size).toBeGreaterThanOrEqual(1000);
    expect(image.files.full.size).toBeLessThanOrEqual(1500);
    const head = await fetch(image.files.full.url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(image.files.full.size));
    const bytes = Buffer.from(await (await fetch(image.files.full.url)).arrayBuffer());
    expect(bytes.length).toBe(image.files.full.size);
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...bytes.subarray(-2)]).toEqual([0xff, 0xd9]);
    const missing = await fetch(`${fixture.filesUrl}images/ISIC_9999999.jpg`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('injects a fault on every Nth matching request', async () => {
    fixture.inject({
      host: 'files',
      kind: 'status',
      status: 429,
      retryAfter: '1',
      every: 3,
      times: Infinity,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${fixture.filesUrl}images/ISIC_000000${i}.jpg`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    fixture.clearFaults();
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429, 200, 200, 429]);
  });

  it('is deterministic for a seed', async () => {
    const again = await startIsicFixture({ images: 230, imageBytes: { min: 1000, max: 1500 } });
    const other = await startIsicFixture({ images: 230, imageBytes: { min: 1000, max: 1500 }, seed: 99 });
    try {
      const strip = (f: IsicFixture) =>
        f.images.map((i) => JSON.stringify(f.imageJson(i.isicId)).replace(/127\.0\.0\.1:\d+/g, ''));
      expect(strip(again)).toEqual(strip(fixture));
      expect(strip(other)).not.toEqual(strip(fixture));
      expect(again.fileBytes('ISIC_0000001').equals(fixture.fileBytes('ISIC_0000001'))).toBe(true);
    } finally {
      await again.close();
      await other.close();
    }
  });

  it('generates 10,000 images quickly', async () => {
    const started = performance.now();
    const big = await startIsicFixture({ images: 10_000 });
    try {
      expect(big.images).toHaveLength(10_000);
      expect((await getPage(`${big.apiUrl}images/search/?limit=1`)).count).toBe(10_000);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await big.close();
    }
  });
});
