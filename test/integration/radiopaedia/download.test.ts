// Full-size downloads through the browser context (its cookies) against the fixture site.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { downloadImage, extractCase } from '../../../electron/engine/sources/radiopaedia';
import { radiopaediaFileNames } from '../../../shared/radiopaediaNames';
import { caught, startHarness } from './harness';
import type { Harness } from './harness';

let h: Harness;
let page: Page;
let context: BrowserContext;
let site: string;

beforeAll(async () => {
  h = await startHarness({ renderDelayMs: 100, imageBytes: 60_000 });
  context = await h.driver.context();
  page = await h.driver.page();
  site = h.fixture.url;
});

afterAll(async () => {
  await h?.close();
});

describe('downloadImage', () => {
  it('full-size bytes equal the served original and differ from the thumbnail; the suggested name is ignored', async () => {
    const c = await extractCase(page, 70001, { site });
    const images = c.studies.flatMap((s) => s.stacks.flatMap((st) => st.images));
    expect(images).toHaveLength(10);
    for (const img of images) {
      const got = await downloadImage(context, img.fullUrl, path.join(h.dir, '70001', String(img.id)), {
        referer: c.url,
      });
      const bytes = await fs.readFile(got.path);
      const original = h.fixture.originalBytes(img.id);
      expect(bytes.equals(original)).toBe(true);
      expect(bytes.equals(h.fixture.thumbnailBytes(img.id))).toBe(false);
      expect(got.sha1).toBe(crypto.createHash('sha1').update(original).digest('hex'));
      expect(got.size).toBe(original.length);
      // Named by us, extension from the bytes: never the server's "medulloblastoma-4-NN.jpg".
      expect(path.basename(got.path)).toBe(
        `${img.id}.${h.fixture.imagesOf(70001).find((i) => i.id === img.id)!.format}`,
      );
    }
    // The thumbnail URL the data names really is the small rendition.
    const thumb = await context.request.get(images[0]!.thumbnailUrl!);
    expect((await thumb.body()).equals(h.fixture.thumbnailBytes(images[0]!.id))).toBe(true);
    expect(h.fixture.stats.unauthorizedDownloads).toBe(0);
  });

  it('in place (a private work folder): written straight under its final name over an earlier attempt’s file, no temporary name', async () => {
    const c = await extractCase(page, 70001, { site });
    const img = c.studies[0]!.stacks[0]!.images[0]!;
    const folder = path.join(h.dir, 'in-place');
    const format = h.fixture.imagesOf(70001).find((i) => i.id === img.id)!.format;
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, `${img.id}.${format}`), 'half of an earlier attempt');
    const earlier = await fs.stat(path.join(folder, `${img.id}.${format}`));
    const got = await downloadImage(context, img.fullUrl, path.join(folder, String(img.id)), {
      referer: c.url,
      inPlace: true,
    });
    expect(got.path).toBe(path.join(folder, `${img.id}.${format}`));
    expect((await fs.readFile(got.path)).equals(h.fixture.originalBytes(img.id))).toBe(true);
    expect(await fs.readdir(folder)).toEqual([path.basename(got.path)]);
    // The same file written over, not another one renamed onto its name.
    expect((await fs.stat(got.path)).ino).toBe(earlier.ino);
  });

  it('the full-size download needs the page’s session cookie: plain HTTP is sent to sign-in', async () => {
    const url = `${site}/images/70001001/download?layout=false`;
    const plain = await fetch(url, { redirect: 'manual' });
    expect(plain.status).toBe(302);
    expect(plain.headers.get('location')).toContain('/users/sign_in');
    expect(h.fixture.stats.unauthorizedDownloads).toBe(1);
  });

  it('without the session cookie → attention "sign-in"; after loading the case page again it works', async () => {
    await context.clearCookies();
    const url = `${site}/images/70001001/download?layout=false`;
    const err = await caught(() => downloadImage(context, url, path.join(h.dir, 'nocookie', 'x')));
    expect(err).toMatchObject({ code: 'sign-in-required', attention: { reason: 'sign-in' } });
    await extractCase(page, 70001, { site });
    const got = await downloadImage(context, url, path.join(h.dir, 'nocookie', 'x'));
    expect(got.ext).toBe('jpg');
  });

  it('a BMP (claimed to be JPEG) is detected from its bytes → attention convert/skip, file kept', async () => {
    const c = await extractCase(page, 70006, { site });
    const [jpg, bmp] = c.studies[0]!.stacks[0]!.images;
    expect(bmp!.contentType).toBe('image/jpeg');
    const ok = await downloadImage(context, jpg!.fullUrl, path.join(h.dir, '70006', 'a'));
    expect(ok.ext).toBe('jpg');
    const err = await caught(() => downloadImage(context, bmp!.fullUrl, path.join(h.dir, '70006', 'b.jpg')));
    expect(err).toMatchObject({
      code: 'format-not-allowed',
      attention: { reason: 'format-not-allowed', actions: ['convert', 'skip'] },
    });
    const detail = err['detail'] as { path: string; ext: string; contentType: string };
    expect(detail).toMatchObject({ ext: 'bmp', contentType: 'image/jpeg' });
    expect(detail.path).toBe(path.join(h.dir, '70006', 'b.bmp'));
    expect((await fs.readFile(detail.path)).equals(h.fixture.originalBytes(bmp!.id))).toBe(true);
    // Allowed when configured.
    const allowed = await downloadImage(context, bmp!.fullUrl, path.join(h.dir, '70006', 'b'), {
      allowedFormats: ['jpg', 'png', 'bmp'],
    });
    expect(allowed).toMatchObject({ ext: 'bmp', mime: 'image/bmp' });
  });

  it('a video is detected as mp4 and named by the single-file rule', async () => {
    const c = await extractCase(page, 70005, { site });
    const img = c.studies[0]!.stacks[0]!.images[0]!;
    const got = await downloadImage(context, img.fullUrl, path.join(h.dir, '70005', String(img.id)));
    expect(got).toMatchObject({ ext: 'mp4', mime: 'video/mp4' });
    const [name] = radiopaediaFileNames({
      rid: c.rid,
      title: c.title,
      studies: c.studies.map((s) => ({
        id: s.id,
        stacks: s.stacks.map((st) => ({ ...st, images: st.images.map((im) => ({ ...im, ext: got.ext })) })),
      })),
    });
    expect(name!.name).toBe('Ovarian torsion (Radiopaedia 70005).mp4');
  });

  it('502 on a download → retryable; 429 → retryAfterMs', async () => {
    await extractCase(page, 70001, { site });
    const url = `${site}/images/70001002/download?layout=false`;
    h.fixture.injectFault({ status: 502, target: 'image' });
    expect(await caught(() => downloadImage(context, url, path.join(h.dir, 'faults', 'x')))).toMatchObject({
      code: 'http-502',
      retryable: true,
    });
    h.fixture.injectFault({ status: 429, target: 'image', retryAfter: '3' });
    expect(await caught(() => downloadImage(context, url, path.join(h.dir, 'faults', 'x')))).toMatchObject({
      code: 'http-429',
      retryable: true,
      retryAfterMs: 3000,
    });
    expect((await downloadImage(context, url, path.join(h.dir, 'faults', 'x'))).ext).toBe('jpg');
  });
});
