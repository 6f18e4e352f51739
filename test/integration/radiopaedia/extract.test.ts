// extractCase against the fixture site in headless Debian Chromium: one browser for the whole file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { extractCase } from '../../../electron/engine/sources/radiopaedia';
import type { RadiopaediaCase } from '../../../electron/engine/sources/radiopaedia';
import { radiopaediaFileNames } from '../../../shared/radiopaediaNames';
import { CC_BY_NC_SA_3, CC_BY_SA_4, startRadiopaediaFixture } from '../../servers/radiopaedia';
import type { FixtureCase } from '../../servers/radiopaedia';
import { caught, startHarness } from './harness';
import type { Harness } from './harness';

let h: Harness;
let page: Page;
let site: string;

beforeAll(async () => {
  h = await startHarness({ renderDelayMs: 300 });
  page = await h.driver.page();
  site = h.fixture.url;
});

afterAll(async () => {
  await h?.close();
});

/** The extracted studies/stacks/images have the fixture's ids, order, planes and download URLs. */
function expectSameStructure(c: RadiopaediaCase, f: FixtureCase) {
  expect(c.studies.map((s) => s.id)).toEqual(f.studies.map((s) => s.id));
  c.studies.forEach((study, i) => {
    const fs = f.studies[i]!;
    expect(study.modality).toBe(fs.modality);
    expect(study.findings).toBe(fs.findings);
    expect(study.url).toBe(`${site}/cases/${f.rid}/studies/${fs.id}`);
    expect(
      study.stacks.map((s) => ({
        plane: s.plane_projection,
        aux: s.aux_modality,
        ids: s.images.map((im) => im.id),
      })),
    ).toEqual(
      fs.stacks.map((s) => ({
        plane: s.plane_projection,
        aux: s.aux_modality,
        ids: s.images.map((im) => im.id),
      })),
    );
    for (const stack of study.stacks) {
      stack.images.forEach((img, k) => {
        expect(img.position).toBe(k + 1);
        expect(img.fullUrl).toBe(`${site}/images/${img.id}/download?layout=false`);
      });
    }
  });
}

describe('extractCase', () => {
  it('a normal case: metadata, licence, one study with three stacks, from the page’s /stacks request', async () => {
    const before = h.fixture.stats.dataRequests;
    const c = await extractCase(page, 70001, { site });
    expect(c).toMatchObject({
      rid: 70001,
      url: `${site}/cases/70001`,
      title: 'Medulloblastoma',
      author: 'Frank Gaillard',
      published: '14 Aug 2019',
      systems: ['Central Nervous System', 'Paediatrics'],
      licenseUrl: CC_BY_NC_SA_3,
    });
    expect(c.studies).toHaveLength(1);
    expect(c.studies[0]!.source).toBe('stacks');
    expect(
      c.studies[0]!.stacks.map((s) => [s.position, s.plane_projection, s.aux_modality, s.images.length]),
    ).toEqual([
      [1, 'Axial', 'T1', 4],
      [2, 'Sagittal', 'T2', 3],
      [3, 'Coronal', 'T1 C+', 3],
    ]);
    expectSameStructure(c, h.fixture.caseById(70001));
    // The data came from the page's own request: exactly one per study, none of our own.
    expect(h.fixture.stats.dataRequests - before).toBe(1);
  });

  it('accepts the case URL with a slug and finds the rID on the page', async () => {
    const c = await extractCase(page, `${site}/cases/medulloblastoma-4?lang=us`, { site });
    expect(c.rid).toBe(70001);
    expect(c.title).toBe('Medulloblastoma');
  });

  it('a two-study case read from annotated_viewer_json', async () => {
    const c = await extractCase(page, `${site}/cases/70002`, { site, cdnBase: `${site}/cdn/images` });
    expect(c.studies.map((s) => [s.id, s.modality, s.source])).toEqual([
      [700021, 'CT', 'viewer-json'],
      [700022, 'Ultrasound', 'viewer-json'],
    ]);
    expectSameStructure(c, h.fixture.caseById(70002));
    expect(c.studies[0]!.stacks[0]!.images[0]!.thumbnailUrl).toMatch(
      /\/cdn\/images\/70002001\/\w+_big_gallery\.jpeg$/,
    );
  });

  it('a single-image case from inline stackedImages', async () => {
    const c = await extractCase(page, 'rID-70003', { site });
    expect(c.studies).toHaveLength(1);
    expect(c.studies[0]!.source).toBe('inline');
    expectSameStructure(c, h.fixture.caseById(70003));
    const names = radiopaediaFileNames({
      rid: c.rid,
      title: c.title,
      studies: c.studies.map((s) => ({
        id: s.id,
        stacks: s.stacks.map((st) => ({ ...st, images: st.images.map((im) => ({ ...im, ext: 'png' })) })),
      })),
    });
    expect(names.map((n) => n.name)).toEqual(['Scaphoid fracture (Radiopaedia 70003).png']);
  });

  it('duplicate and null planes are passed on as they are, and named with letters', async () => {
    const c = await extractCase(page, 70004, { site });
    expectSameStructure(c, h.fixture.caseById(70004));
    expect(c.studies[0]!.stacks.map((s) => s.plane_projection)).toEqual([
      'Oblique',
      'Oblique',
      null,
      'Frontal',
      'Oblique',
    ]);
    const names = radiopaediaFileNames({
      rid: c.rid,
      title: c.title,
      studies: c.studies.map((s) => ({
        id: s.id,
        stacks: s.stacks.map((st) => ({ ...st, images: st.images.map((im) => ({ ...im, ext: 'jpg' })) })),
      })),
    });
    expect(names.map((n) => n.name)).toEqual([
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 A 1).jpg',
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 A 2).jpg',
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 B 1).jpg',
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 C 1).jpg',
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 C 2).jpg',
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 Frontal 1).jpg',
      'Pelvic fractures- Tile C - open-book (Radiopaedia 70004-700041 D 1).jpg',
    ]);
  });

  it('a video case: one stack, one mp4', async () => {
    const c = await extractCase(page, 70005, { site });
    expect(c.studies[0]!.stacks).toHaveLength(1);
    expect(c.studies[0]!.stacks[0]!.images[0]!.contentType).toBe('video/mp4');
  });

  it('a redirect to sign-in → attention "sign-in"', async () => {
    const err = await caught(() => extractCase(page, 70007, { site }));
    expect(err).toMatchObject({
      code: 'sign-in-required',
      retryable: false,
      attention: { reason: 'sign-in' },
    });
    expect((err['attention'] as { actions: string[] }).actions).toContain('open-in-browser');
    expect((err['detail'] as { signInUrl: string }).signInUrl).toContain('/users/sign_in');
  });

  it('no licence link → attention, with the extracted case kept; approving skips the check', async () => {
    const err = await caught(() => extractCase(page, 70008, { site }));
    expect(err).toMatchObject({ code: 'licence-missing', attention: { reason: 'licence-missing' } });
    expect((err['detail'] as { case: RadiopaediaCase }).case.rid).toBe(70008);
    const c = await extractCase(page, 70008, { site, checkLicence: false });
    expect(c.licenseUrl).toBeNull();
  });

  it('a different licence → attention; accepted when it is among the expected ones', async () => {
    const err = await caught(() => extractCase(page, 70009, { site }));
    expect(err).toMatchObject({ code: 'licence-unexpected', attention: { reason: 'licence-unexpected' } });
    expect((err['detail'] as { licenseUrl: string }).licenseUrl).toBe(CC_BY_SA_4);
    const c = await extractCase(page, 70009, { site, expectedLicences: [CC_BY_NC_SA_3, CC_BY_SA_4] });
    expect(c.licenseUrl).toBe(CC_BY_SA_4);
  });

  it('502 on the page → retryable; the reload succeeds', async () => {
    h.fixture.injectFault({ status: 502, target: 'page' });
    const err = await caught(() => extractCase(page, 70001, { site }));
    expect(err).toMatchObject({ code: 'http-502', retryable: true });
    const c = await extractCase(page, 70001, { site });
    expect(c.rid).toBe(70001);
  });

  it('503 on the page’s data request → retryable at once, without waiting for a timeout', async () => {
    h.fixture.injectFault({ status: 503, target: 'data' });
    const started = Date.now();
    const err = await caught(() => extractCase(page, 70001, { site, timeoutMs: 20_000 }));
    expect(err).toMatchObject({ code: 'http-503', retryable: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('429 with Retry-After → retryable with retryAfterMs (page and data)', async () => {
    h.fixture.injectFault({ status: 429, target: 'page', retryAfter: '7' });
    expect(await caught(() => extractCase(page, 70001, { site }))).toMatchObject({
      code: 'http-429',
      retryable: true,
      retryAfterMs: 7000,
    });
    h.fixture.injectFault({ status: 429, target: 'data', retryAfter: '2' });
    expect(await caught(() => extractCase(page, 70001, { site }))).toMatchObject({
      code: 'http-429',
      retryable: true,
      retryAfterMs: 2000,
    });
  });

  it('an unknown case → case-not-found (final)', async () => {
    expect(await caught(() => extractCase(page, 99999, { site }))).toMatchObject({
      code: 'case-not-found',
      retryable: false,
    });
  });

  it('"occasional 502s": every second page load fails, each retry succeeds', async () => {
    const flaky = await startRadiopaediaFixture({ every502: 2, renderDelayMs: 50 });
    try {
      const results: string[] = [];
      for (let i = 0; i < 4; i++) {
        results.push(
          await extractCase(page, 70003, { site: flaky.url }).then(
            () => 'ok',
            (e: { code: string }) => e.code,
          ),
        );
      }
      expect(results).toEqual(['ok', 'http-502', 'ok', 'http-502']);
    } finally {
      await flaky.close();
    }
  });

  it('a page that never shows its content → page-not-rendered (retryable) when the time is up', async () => {
    const slow = await startRadiopaediaFixture({ renderDelayMs: 60_000 });
    try {
      expect(await caught(() => extractCase(page, 70001, { site: slow.url, timeoutMs: 1500 }))).toMatchObject(
        {
          code: 'page-not-rendered',
          retryable: true,
        },
      );
    } finally {
      await slow.close();
    }
  });
});
