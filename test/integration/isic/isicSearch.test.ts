import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCourierError, type CourierError } from '../../../shared/errors';
import { compileSelect } from '../../../shared/isicSelect';
import { createIsicClient, type IsicClient, type IsicImagePage } from '../../../electron/engine/clients/isic';
import { startIsicFixture, type IsicFixture } from '../../servers/isic';

let fixture: IsicFixture;
let client: IsicClient;

beforeAll(async () => {
  fixture = await startIsicFixture({ images: 250 });
  client = createIsicClient({ apiUrl: fixture.apiUrl });
});
afterAll(() => fixture.close());
beforeEach(() => {
  fixture.clearFaults();
  fixture.resetStats();
});

async function pages(iterable: AsyncIterable<IsicImagePage>): Promise<IsicImagePage[]> {
  const out: IsicImagePage[] = [];
  for await (const page of iterable) out.push(page);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<CourierError> {
  try {
    await promise;
  } catch (err) {
    if (isCourierError(err)) return err;
    throw err;
  }
  throw new Error('expected a CourierError');
}

/** Every image as the API serves it, for checking searches against a local selection. */
const all = () => fixture.images.map((img) => fixture.imageJson(img.isicId));

describe('ISIC search: cursor pagination', () => {
  it('follows absolute next URLs in pages of 100, with the count on the first page only', async () => {
    const got = await pages(client.search());
    expect(got.map((p) => p.images.length)).toEqual([100, 100, 50]);
    expect(got.map((p) => p.count)).toEqual([250, null, null]);
    expect(got.map((p) => p.page)).toEqual([1, 2, 3]);
    const apiOrigin = new URL(fixture.apiUrl).origin;
    for (const page of got.slice(1)) {
      expect(page.url.startsWith(`${apiOrigin}/api/v2/images/search/?`)).toBe(true);
      expect(new URL(page.url).searchParams.get('cursor')).toBeTruthy();
    }
    expect(got[2]!.next).toBeNull();
    const ids = got.flatMap((p) => p.images.map((i) => i.isic_id));
    expect(new Set(ids).size).toBe(250);
    // Ordered by `-created`: the newest accession first.
    expect(ids[0]).toBe('ISIC_0000249');
    expect(ids[249]).toBe('ISIC_0000000');
    expect(fixture.stats.searchPages).toBe(3);
  });

  it('serves images shaped like the API: licence, attribution, files with sizes, metadata', async () => {
    const [first] = await pages(client.search({ limit: 1 }));
    const image = first!.images[0]!;
    expect(image).toEqual(fixture.imageJson(image.isic_id));
    expect(image.isic_id).toMatch(/^ISIC_\d{7}$/);
    expect(['CC-0', 'CC-BY', 'CC-BY-NC']).toContain(image.copyright_license);
    expect(typeof image.attribution).toBe('string');
    expect(image.files.full.size).toBeGreaterThan(0);
    expect(image.files.thumbnail_256!.url).toMatch(/_thumbnail_256\.jpg$/);
    expect(image.metadata.acquisition).toHaveProperty('pixels_x');
    expect(image.metadata.clinical).toHaveProperty('diagnosis_1');
  });

  it('stops at the limit, asking only for what is left', async () => {
    const got = await pages(client.search({ limit: 150 }));
    expect(got.map((p) => p.images.length)).toEqual([100, 50]);
    expect(fixture.stats.searches.map((s) => s.limit)).toEqual(['100', '50']);

    fixture.resetStats();
    const five = await pages(client.search({ limit: 5 }));
    expect(five.map((p) => p.images.length)).toEqual([5]);
    expect(five[0]!.next).toBeNull();
    expect(fixture.stats.searches.map((s) => s.limit)).toEqual(['5']);

    const everything = await pages(client.search({ limit: 0 }));
    expect(everything.reduce((n, p) => n + p.images.length, 0)).toBe(250);
  });

  it('resumes an interrupted listing from a saved next URL', async () => {
    const iterator = client.search();
    const first = (await iterator.next()).value as IsicImagePage;
    await iterator.return(undefined);
    const rest = await pages(client.search({ resumeFrom: first.next! }));
    const ids = [...first.images, ...rest.flatMap((p) => p.images)].map((i) => i.isic_id);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(rest[0]!.count).toBeNull();
  });

  it('fetches count and total size first', async () => {
    const query = 'diagnosis_1:Malignant';
    const expected = fixture.images.filter((i) => i.metadata.clinical.diagnosis_1 === 'Malignant');
    expect(await client.preflight({ query })).toEqual({
      count: expected.length,
      totalBytes: expected.reduce((sum, i) => sum + i.fullSize, 0),
    });
    expect(await client.count()).toBe(250);
  });
});

describe('ISIC search: the query language matches a local selection', () => {
  const CASES: [string, (img: Record<string, unknown>) => boolean][] = [
    ['diagnosis_1:Benign', compileSelect(['metadata.clinical.diagnosis_1 == Benign'])],
    [
      'age_approx:[20 TO 40] AND sex:male',
      compileSelect([
        'metadata.clinical.age_approx >= 20',
        'metadata.clinical.age_approx <= 40',
        'metadata.clinical.sex == male',
      ]),
    ],
    ['age_approx:{* TO 30}', compileSelect(['metadata.clinical.age_approx < 30'])],
    ['diagnosis_3:Melanoma*', compileSelect(['metadata.clinical.diagnosis_3 match ^Melanoma'])],
    ['diagnosis_3:*keratosis', compileSelect(['metadata.clinical.diagnosis_3 match keratosis$'])],
    [
      'diagnosis_3:"Melanoma Invasive" OR diagnosis_3:"Melanoma in situ"',
      compileSelect(["metadata.clinical.diagnosis_3 in ['Melanoma Invasive', 'Melanoma in situ']"]),
    ],
    [
      '(sex:female OR sex:male) age_approx:50',
      compileSelect(['metadata.clinical.sex in [female, male]', 'metadata.clinical.age_approx == 50']),
    ],
    ['lesion_id:*', compileSelect(['metadata.clinical.lesion_id not is null'])],
    ['-sex:male', (img) => !compileSelect(['metadata.clinical.sex == male'])(img)],
    ['image_type:clinical', compileSelect(["metadata.acquisition.image_type == 'clinical: close-up'"])],
    [
      'copyright_license:CC-BY-NC AND melanocytic:true',
      compileSelect(['copyright_license == CC-BY-NC', 'metadata.clinical.melanocytic is true']),
    ],
    ['isic_id:ISIC_0000007', compileSelect(['isic_id == ISIC_0000007'])],
  ];

  it.each(CASES)('%s', async (query, select) => {
    const expected = all()
      .filter(select)
      .map((i) => i.isic_id);
    expect(expected.length).toBeGreaterThan(0);
    const got = (await pages(client.search({ query }))).flatMap((p) => p.images.map((i) => i.isic_id));
    expect(got.sort()).toEqual((expected as string[]).sort());
    expect(await client.count({ query })).toBe(expected.length);
  });

  it('filters by collections (an image in any of them)', async () => {
    const wanted = [61, 74];
    const expected = fixture.images.filter((i) => i.collections.some((c) => wanted.includes(c))).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(250);
    const got = await pages(client.search({ collections: wanted }));
    expect(got.reduce((n, p) => n + p.images.length, 0)).toBe(expected);
    expect(got[0]!.count).toBe(expected);
    expect(fixture.stats.searches[0]!.collections).toBe('61,74');
  });

  it('gives one empty page for an empty result', async () => {
    const got = await pages(client.search({ collections: [301] }));
    expect(got).toHaveLength(1);
    expect(got[0]!.images).toEqual([]);
    expect(got[0]!.count).toBe(0);
  });
});

describe('ISIC search: errors', () => {
  it.each(['anatom_site_general:*torso', 'age_approx:old', 'sex:male AND', 'diagnosis:nevus', 'sex male'])(
    'a query the server cannot parse (%s) is isic-bad-query with its message',
    async (query) => {
      for (const attempt of [client.count({ query }), pages(client.search({ query }))]) {
        const err = await failure(attempt);
        expect(err.code).toBe('isic-bad-query');
        expect(err.retryable).toBe(false);
        expect(err.message).toContain('Could not parse search query.');
        expect(err.message).toContain(query);
        expect(err.detail).toMatchObject({ status: 400, query });
      }
    },
  );

  it('rejects collection ids that are not whole numbers before asking', async () => {
    const err = await failure(pages(client.search({ collections: [61, -2] })));
    expect(err.code).toBe('isic-bad-collections');
    expect(fixture.stats.apiRequests).toBe(0);
  });

  it('rejects a negative limit', async () => {
    expect((await failure(pages(client.search({ limit: -1 })))).code).toBe('isic-bad-limit');
  });
});

describe('ISIC collections and single images', () => {
  it('lists collections, all pages, optionally the pinned ones', async () => {
    const listed = await client.collections();
    expect(listed.map((c) => c.id).sort((a, b) => a - b)).toEqual(
      fixture.collections.map((c) => c.id).sort((a, b) => a - b),
    );
    expect(listed[0]).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        name: expect.any(String),
        public: true,
        pinned: expect.any(Boolean),
      }),
    );
    const pinned = await client.collections({ pinned: true });
    expect(pinned.map((c) => c.id).sort((a, b) => a - b)).toEqual([61, 74, 249]);
  });

  it('looks up one collection; an unknown one is isic-collection-not-found', async () => {
    expect((await client.collection(61)).name).toBe('Challenge 2016: Training');
    const err = await failure(client.collection(999));
    expect(err.code).toBe('isic-collection-not-found');
    expect(err.retryable).toBe(false);
  });

  it('reads one image by ISIC id', async () => {
    expect(await client.image('ISIC_0000003')).toEqual(fixture.imageJson('ISIC_0000003'));
    expect((await failure(client.image('ISIC_9999999'))).code).toBe('http-404');
    expect((await failure(client.image('nope'))).code).toBe('isic-bad-id');
  });

  it('reads licence texts', async () => {
    expect(await client.licenseText('CC-BY-NC')).toMatch(/Attribution-NonCommercial 4\.0/);
    expect((await failure(client.licenseText('CC-XYZ'))).code).toBe('http-404');
  });
});
