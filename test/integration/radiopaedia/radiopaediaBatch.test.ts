// Radiopaedia cases as a batch of the ledger: the real Engine and Runner, the fixture site and Debian's
// Chromium. One profile (and one browser at a time) for the whole file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserDriver } from '../../../electron/engine/clients/browser';
import { environmentCredentials } from '../../../electron/engine/credentials';
import { Engine } from '../../../electron/engine/engine';
import type { ItemDraft } from '../../../electron/engine/ledger/ledger';
import type { StepContext, WorkItem } from '../../../electron/engine/runner/adapters';
import { systemClock } from '../../../electron/engine/runner/clock';
import { HostLimiter } from '../../../electron/engine/runner/hostLimiter';
import {
  browserSessionFor,
  existingBrowserSession,
} from '../../../electron/engine/sources/radiopaedia/browserSession';
import { radiopaediaSource } from '../../../electron/engine/sources/radiopaedia/radiopaediaSource';
import type { RadiopaediaSourceConfig } from '../../../electron/engine/sources/radiopaedia/sourceConfig';
import { startRadiopaediaFixture } from '../../servers/radiopaedia';
import type { RadiopaediaFixture } from '../../servers/radiopaedia';

interface Row {
  id: number;
  key: string;
  path: string;
  name: string;
  status: string;
  reason: string | null;
  message: string | null;
  actions: string | null;
  target: string | null;
  meta: string;
}

let dir: string;
let profileDir: string;
let fixture: RadiopaediaFixture;
let engine: Engine;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courier-rp-batch-'));
  profileDir = path.join(dir, 'profile');
  fixture = await startRadiopaediaFixture({ renderDelayMs: 100, imageBytes: 30_000, largeCaseImages: 3 });
  engine = new Engine({
    dbFile: path.join(dir, 'ledger.sqlite'),
    dataDir: dir,
    mode: 'cli',
    backoff: { baseMs: 20, capMs: 100, maxRetryAfterMs: 1_000 },
  });
});

afterAll(async () => {
  await engine?.close();
  await fixture?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function createBatch(name: string, cases: string[], out: string): number {
  return engine.ledger.batches.create({
    name,
    sourceKind: 'radiopaedia',
    sourceConfig: { site: fixture.url, cases, delayMs: 0, profileDir },
    targetKind: 'folder',
    targetConfig: { dir: out },
    settings: {},
  }).id;
}

function rows(batchId: number): Row[] {
  return engine.ledger.db
    .prepare(
      'SELECT id, key, path, name, status, reason, message, actions, target, meta FROM items WHERE batch_id = ? ORDER BY seq',
    )
    .all(batchId) as Row[];
}

function rowsOf(batchId: number, rid: number): Row[] {
  return rows(batchId).filter((r) => r.key.startsWith(`${rid}/`));
}

/** Whether a browser process runs on the file's profile (headless Chromium keeps no SingletonLock). */
function browserRunning(): boolean {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      // Chromium's helpers rewrite their command line into one string.
      const flag = `--user-data-dir=${profileDir}`;
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a === flag || a.includes(`${flag} `))) return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/** Resolves once the batch's counts (as the engine announces them) satisfy `ok`. */
function waitFor(batchId: number, ok: (counts: Record<string, number>) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = engine.on((event, payload) => {
      const p = payload as { batchId?: number; counts?: Record<string, number> };
      if (event === 'batch.changed' && p.batchId === batchId && p.counts && ok(p.counts)) {
        off();
        resolve();
      }
    });
  });
}

function sha1(bytes: Buffer): string {
  return crypto.createHash('sha1').update(bytes).digest('hex');
}

describe('a Radiopaedia batch', () => {
  const out = () => path.join(dir, 'out-main');
  let batchId: number;

  it('archives full-size images under NC Commons names; a BMP, a sign-in and a licence problem wait for a person; the others go on', async () => {
    batchId = createBatch(
      'main',
      [
        '70001',
        `${fixture.url}/cases/abdominal-aortic-aneurysm-12`, // two studies, slug URL, viewer JSON
        'rID-70006', // a JPEG and a BMP that claims to be a JPEG
        '70007', // behind sign-in
        '70003', // a single image (inline data)
        '70008', // no licence link
      ],
      out(),
    );
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(browserRunning()).toBe(false);

    // Each case page was opened once (the sign-in redirect serves no case page); no download lacked the cookie.
    expect(fixture.stats.pageLoads).toBe(5);
    expect(fixture.stats.unauthorizedDownloads).toBe(0);

    const medullo = rowsOf(batchId, 70001);
    expect(medullo.map((r) => r.name)).toEqual([
      'Medulloblastoma (Radiopaedia 70001-700011 Axial T1 1).jpg',
      'Medulloblastoma (Radiopaedia 70001-700011 Axial T1 2).jpg',
      'Medulloblastoma (Radiopaedia 70001-700011 Axial T1 3).jpg',
      'Medulloblastoma (Radiopaedia 70001-700011 Axial T1 4).jpg',
      'Medulloblastoma (Radiopaedia 70001-700011 Sagittal T2 1).png',
      'Medulloblastoma (Radiopaedia 70001-700011 Sagittal T2 2).png',
      'Medulloblastoma (Radiopaedia 70001-700011 Sagittal T2 3).png',
      'Medulloblastoma (Radiopaedia 70001-700011 Coronal T1 C+ 1).jpg',
      'Medulloblastoma (Radiopaedia 70001-700011 Coronal T1 C+ 2).jpg',
      'Medulloblastoma (Radiopaedia 70001-700011 Coronal T1 C+ 3).jpg',
    ]);
    const aaa = rowsOf(batchId, 70002);
    expect(aaa.map((r) => r.name)).toEqual([
      'Abdominal aortic aneurysm (Radiopaedia 70002-700021 Axial C+ arterial phase 1).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 70002-700021 Axial C+ arterial phase 2).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 70002-700021 Axial C+ arterial phase 3).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 70002-700021 Sagittal C+ portal venous phase 1).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 70002-700021 Sagittal C+ portal venous phase 2).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 70002-700022 A 1).jpg',
      'Abdominal aortic aneurysm (Radiopaedia 70002-700022 A 2).jpg',
    ]);
    expect(rowsOf(batchId, 70003).map((r) => r.name)).toEqual(['Scaphoid fracture (Radiopaedia 70003).png']);

    // Full-size bytes (not the thumbnails) under those names, in the batch folder.
    for (const r of [...medullo, ...aaa, ...rowsOf(batchId, 70003)]) {
      expect(r.status).toBe('done');
      expect(r.target).toBe(path.join(out(), r.name));
      const bytes = fs.readFileSync(r.target!);
      const imageId = Number(r.key.split('/')[2]);
      expect(sha1(bytes)).toBe(sha1(fixture.originalBytes(imageId)));
      expect(bytes.equals(fixture.thumbnailBytes(imageId))).toBe(false);
      // "Open in browser" opens the case page.
      expect(r.path).toMatch(new RegExp(`^${fixture.url}/cases/`));
    }
    expect(medullo[0]!.key).toBe('70001/700011/70001001');

    const [jpg, bmp] = rowsOf(batchId, 70006);
    expect(jpg).toMatchObject({ status: 'done' });
    expect(bmp).toMatchObject({ status: 'attention', reason: 'format-not-allowed' });
    expect(JSON.parse(bmp!.actions!)).toEqual(['convert', 'skip']);

    const signIn = rowsOf(batchId, 70007);
    expect(signIn).toHaveLength(1);
    expect(signIn[0]).toMatchObject({ key: '70007/case', status: 'attention', reason: 'sign-in' });
    expect(signIn[0]!.message).toMatch(/sign in/i);

    const unlicensed = rowsOf(batchId, 70008);
    expect(unlicensed.map((r) => [r.status, r.reason])).toEqual([
      ['attention', 'licence-missing'],
      ['attention', 'licence-missing'],
    ]);
    expect(JSON.parse(unlicensed[0]!.actions!)).toContain('approve');

    // The metadata a later wiki batch needs travels with each item.
    const meta = JSON.parse(aaa[5]!.meta) as Record<string, Record<string, unknown>>;
    expect(meta['case']).toMatchObject({
      rid: 70002,
      title: 'Abdominal aortic aneurysm',
      author: 'Henry Knipe',
      published: '3 Feb 2021',
      systems: ['Vascular'],
    });
    expect(meta['study']).toMatchObject({ id: 700022, modality: 'Ultrasound' });
    expect(meta['stack']).toMatchObject({ label: 'A', plane_projection: null, aux_modality: null });
    expect(meta['image']).toMatchObject({ id: 70002006, position: 1 });
    expect(meta['licence']).toMatchObject({ url: expect.stringContaining('by-nc-sa/3.0'), problem: null });
    expect(meta['attribution']).toContain('Henry Knipe, Radiopaedia.org');
    expect(meta['attribution']).toContain('rID: 70002');
    expect(meta['sourceUrl']).toBe(`${fixture.url}/cases/70002/studies/700022`);
    expect(aaa[5]).toMatchObject({ status: 'done' });

    // One sidecar per case with images, none for the case that could not be read.
    const sidecar = JSON.parse(fs.readFileSync(path.join(out(), 'Radiopaedia case 70002.json'), 'utf8')) as {
      rid: number;
      licence: { url: string };
      attribution: string;
      studies: {
        id: number;
        stacks: { label: string; images: { file: string; sha1: string; sourceUrl: string }[] }[];
      }[];
    };
    expect(sidecar.rid).toBe(70002);
    expect(sidecar.licence.url).toContain('by-nc-sa/3.0');
    expect(sidecar.attribution).toContain('Henry Knipe');
    expect(sidecar.studies.map((s) => s.id)).toEqual([700021, 700022]);
    expect(sidecar.studies[0]!.stacks.map((s) => s.label)).toEqual([
      'Axial C+ arterial phase',
      'Sagittal C+ portal venous phase',
    ]);
    const firstImage = sidecar.studies[0]!.stacks[0]!.images[0]!;
    expect(firstImage.file).toBe(aaa[0]!.name);
    expect(firstImage.sha1).toBe(sha1(fixture.originalBytes(70002001)));
    expect(firstImage.sourceUrl).toBe(`${fixture.url}/images/70002001/download?layout=false`);
    const written = fs.readdirSync(out()).filter((f) => f.endsWith('.json'));
    expect(written.sort()).toEqual(
      ['70001', '70002', '70003', '70006', '70008'].map((rid) => `Radiopaedia case ${rid}.json`),
    );
    // Downloads were moved out of the work folder, not left behind.
    const work = path.join(dir, 'work', `batch-${batchId}`, 'radiopaedia');
    const leftovers = fs.existsSync(work) ? fs.readdirSync(work, { recursive: true }) : [];
    expect(leftovers.filter((f) => /\.(jpg|png|bmp|part)$/.test(String(f)))).toEqual([]);
  });

  it('an approved conversion turns the BMP into a PNG, an approved licence lets the files through', async () => {
    const bmp = rowsOf(batchId, 70006)[1]!;
    const unlicensed = rowsOf(batchId, 70008);
    expect(
      engine.ledger.decide({ batchId, itemIds: [bmp.id], action: 'convert', actor: 'test' }).applied,
    ).toBe(1);
    expect(
      engine.ledger.decide({
        batchId,
        itemIds: unlicensed.map((r) => r.id),
        action: 'approve',
        actor: 'test',
      }).applied,
    ).toBe(2);
    const loadsBefore = fixture.stats.pageLoads;
    expect(await engine.runToEnd(batchId)).toBe('finished');

    const converted = engine.ledger.item(bmp.id)!;
    expect(converted.status).toBe('done');
    expect(converted.target).toBe(
      path.join(out(), 'Osteoid osteoma (Radiopaedia 70006-700061 Axial bone window 2).png'),
    );
    const png = fs.readFileSync(converted.target!);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    // Same dimensions as the bitmap the site served.
    const original = fixture.originalBytes(70006002);
    expect(png.readUInt32BE(16)).toBe(original.readInt32LE(18));
    expect(png.readUInt32BE(20)).toBe(Math.abs(original.readInt32LE(22)));
    expect(fs.existsSync(path.join(out(), bmp.name))).toBe(false);

    for (const r of unlicensed) expect(engine.ledger.item(r.id)!.status).toBe('done');
    const sidecar = JSON.parse(fs.readFileSync(path.join(out(), 'Radiopaedia case 70008.json'), 'utf8')) as {
      licence: { url: string | null; problem: string; approved: boolean };
    };
    expect(sidecar.licence).toEqual({ url: null, problem: 'licence-missing', approved: true });
    // A new browser loads each case page once more for its cookie (two cases), nothing else.
    expect(fixture.stats.pageLoads - loadsBefore).toBe(2);
    expect(browserRunning()).toBe(false);
  });

  it('a run of a finished batch sends nothing again', async () => {
    const before = { ...fixture.stats };
    const counts = engine.ledger.counts(batchId);
    expect(await engine.runToEnd(batchId)).toBe('finished');
    expect(fixture.stats.downloads).toBe(before.downloads);
    expect(fixture.stats.pageLoads).toBe(before.pageLoads);
    expect(engine.ledger.counts(batchId)).toEqual(counts);
    expect(counts.done).toBe(22);
  });

  it('after signing in, retrying the case item reads the case again', async () => {
    // The operator's sign-in, in the same profile the batch uses.
    const driver = createBrowserDriver({ profileDir });
    try {
      const page = await driver.page();
      await page.goto(`${fixture.url}/users/sign_in?return_to=/cases/70007`);
      await page.getByLabel('Email').fill(fixture.credentials.email);
      await page.getByLabel('Password').fill(fixture.credentials.password);
      await Promise.all([
        page.waitForURL(/\/cases\/70007$/),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
    } finally {
      await driver.close();
    }
    const item = rowsOf(batchId, 70007)[0]!;
    engine.ledger.decide({ batchId, itemIds: [item.id], action: 'retry', actor: 'test' });
    const loadsBefore = fixture.stats.pageLoads;
    await engine.runToEnd(batchId);
    expect(fixture.stats.pageLoads).toBe(loadsBefore + 1);
    // The case item delivers the case record and adds the case's files to the batch, which are archived too.
    expect(engine.ledger.item(item.id)).toMatchObject({ status: 'done' });
    const rows = rowsOf(batchId, 70007);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => engine.ledger.item(r.id)!.status === 'done')).toBe(true);
  });

  it('where the runner can add items, a case item read again lists its images and delivers the case record', async () => {
    const config: RadiopaediaSourceConfig = {
      site: fixture.url,
      cases: ['70007'],
      delayMs: 0,
      profileDir,
    };
    const added: ItemDraft[] = [];
    const controller = new AbortController();
    const workDir = path.join(dir, 'work', 'direct');
    fs.mkdirSync(workDir, { recursive: true });
    const ctx: StepContext & { addItems(drafts: ItemDraft[]): number } = {
      signal: controller.signal,
      clock: systemClock,
      hosts: new HostLimiter(systemClock),
      workDir,
      progress: () => undefined,
      credentials: environmentCredentials(),
      batchItems: () => [],
      addItems: (drafts) => added.push(...drafts),
    };
    const item: WorkItem = {
      id: 1,
      batchId: 0,
      key: '70007/case',
      path: `${fixture.url}/cases/70007`,
      name: 'Radiopaedia case 70007.json',
      group: 'rID 70007',
      attempts: 0,
      size: null,
      meta: {
        kind: 'radiopaedia-case',
        input: '70007',
        url: `${fixture.url}/cases/70007`,
        rid: 70007,
        listingError: { code: 'sign-in-required', message: '' },
      },
    };
    try {
      const file = await radiopaediaSource.fetch(item, config, ctx);
      expect(added.map((d) => d.name)).toEqual([
        'Members only case (Radiopaedia 70007-700071 PA 1).jpg',
        'Members only case (Radiopaedia 70007-700071 PA 2).jpg',
      ]);
      expect(JSON.parse(fs.readFileSync(file.path, 'utf8'))).toMatchObject({
        rid: 70007,
        title: 'Members only case',
      });
      await file.release?.();
      expect(fs.existsSync(file.path)).toBe(false);
    } finally {
      await radiopaediaSource.finish?.(config, () => [], ctx, {});
    }
    expect(browserRunning()).toBe(false);
  });
});

describe('politeness', () => {
  it('one page at a time, with at least delayMs between page loads, whoever asks', async () => {
    const session = browserSessionFor(profileDir, null);
    session.join('politeness');
    const spans: { start: number; end: number }[] = [];
    const turn = { delayMs: 400, clock: systemClock, signal: new AbortController().signal };
    const load = (rid: number) =>
      session.withPage(turn, async (page) => {
        const start = Date.now();
        await page.goto(`${fixture.url}/cases/${rid}`, { waitUntil: 'domcontentloaded' });
        spans.push({ start, end: Date.now() });
      });
    try {
      await Promise.all([load(70001), load(70003), load(70004)]);
    } finally {
      await session.leave('politeness');
    }
    expect(spans).toHaveLength(3);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.start - spans[i - 1]!.end).toBeGreaterThanOrEqual(395);
    }
    expect(browserRunning()).toBe(false);
  });
});

describe('failures on the way', () => {
  it('502s on the page and on downloads are retried until every file is done', async () => {
    const out = path.join(dir, 'out-502');
    fixture.injectFault({ status: 502, target: 'page', times: 1 });
    fixture.injectFault({ status: 502, target: 'image', times: 3 });
    const served = fixture.stats.faultsServed;
    const id = createBatch('bad-gateway', ['70001'], out);
    expect(await engine.runToEnd(id)).toBe('finished');
    expect(fixture.stats.faultsServed - served).toBe(4);
    const all = rows(id);
    expect(all).toHaveLength(10);
    expect(all.every((r) => r.status === 'done')).toBe(true);
    for (const r of all) {
      expect(sha1(fs.readFileSync(r.target!))).toBe(sha1(fixture.originalBytes(Number(r.key.split('/')[2]))));
    }
    expect(fs.existsSync(path.join(out, 'Radiopaedia case 70001.json'))).toBe(true);
  });

  it('a batch cancelled while it waits to retry closes its browser; the next run finishes it', async () => {
    const out = path.join(dir, 'out-cancel');
    // Every download answers 503 "come back in a second": the batch waits, nothing in flight.
    fixture.injectFault({ status: 503, target: 'image', times: 10_000, retryAfter: '1' });
    const id = createBatch('cancelled', ['70001', '70003'], out);
    try {
      const waiting = waitFor(id, (counts) => (counts.failed ?? 0) >= 10);
      const retrying = engine.runToEnd(id);
      await waiting;
      expect(browserRunning()).toBe(true);
      await engine.runner!.cancel(id);
      expect(await retrying).toBe('cancelled');
      // The stop reaches the source through the listing's signal, which does not wait for the browser.
      await existingBrowserSession(profileDir)?.settled();
      expect(browserRunning()).toBe(false);
    } finally {
      fixture.clearFaults();
    }
    expect(await engine.runToEnd(id)).toBe('finished');
    expect(engine.ledger.counts(id).done).toBe(11);
    expect(fs.readdirSync(out).filter((f) => /\.(jpg|png)$/.test(f))).toHaveLength(11);
    expect(browserRunning()).toBe(false);
  });
});
