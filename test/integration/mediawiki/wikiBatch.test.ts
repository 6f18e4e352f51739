// Wiki batches through the real Engine and Runner against two real MediaWiki 1.39 wikis: a target and a
// reference "Commons". Files of a finished Radiopaedia/ISIC batch go up with their page text, licence,
// categories and comment; duplicates, taken names and every upload warning end where issue 6 says.
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediawikiClient } from '../../../electron/engine/clients/mediawiki';
import type { MediawikiClient } from '../../../electron/engine/clients/mediawiki';
import type { ImageItemMeta } from '../../../electron/engine/sources/radiopaedia/caseItems';
import { startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import {
  fileHistory,
  finishedBatch,
  itemNamed,
  items,
  pageText,
  uploadsOf,
  wikiBatch,
  wikiEngine,
} from './wikiBatchKit';
import type { WikiEngine } from './wikiBatchKit';
import { fixtureFolder, sha1Of } from './wikiTestKit';

let target: MediaWikiServer;
let commons: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;
let bot: MediawikiClient;
let seed = 5000;
const open: WikiEngine[] = [];

beforeAll(async () => {
  [target, commons, fixtures] = await Promise.all([
    startMediaWiki({ sitename: 'Batch target' }),
    startMediaWiki({ sitename: 'Batch Commons' }),
    fixtureFolder(),
  ]);
  bot = mediawikiClient({
    apiUrl: target.apiUrl,
    credentials: { user: target.botUser, password: target.botPassword },
  });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

afterAll(async () => {
  await Promise.all([target?.close(), commons?.close()]);
  await fixtures?.remove();
});

function engine(): WikiEngine {
  const w = wikiEngine(target);
  open.push(w);
  return w;
}

async function freshPng(): Promise<string> {
  seed += 1;
  return fixtures.png(`file-${seed}.png`, seed);
}

function caseImage(o: {
  rid: number;
  study: number;
  stack: number;
  plane: string;
  aux: string | null;
  position: number;
  images: number;
}): Record<string, unknown> {
  const site = 'https://radiopaedia.org';
  const meta: ImageItemMeta = {
    kind: 'radiopaedia-image',
    case: {
      rid: o.rid,
      title: 'Abdominal aortic aneurysm',
      url: `${site}/cases/abdominal-aortic-aneurysm-${o.rid}`,
      permalink: `${site}/cases/${o.rid}`,
      doi: `https://doi.org/10.53347/rID-${o.rid}`,
      author: 'Frank Gaillard',
      published: '2021-01-10',
      systems: ['Vascular', 'Gastrointestinal'],
      description: null,
    },
    study: { id: o.study, modality: 'CT', findings: null, url: `${site}/cases/${o.rid}/studies/${o.study}` },
    stack: {
      index: o.stack,
      label: [o.plane, o.aux].filter(Boolean).join(' '),
      plane_projection: o.plane,
      aux_modality: o.aux,
      modality: 'CT',
      images: o.images,
    },
    image: {
      id: o.position,
      position: o.position,
      fullUrl: `${site}/x`,
      thumbnailUrl: null,
      contentType: 'image/png',
    },
    sourceUrl: `${site}/cases/${o.rid}/studies/${o.study}`,
    licence: { url: 'https://creativecommons.org/licenses/by-nc-sa/3.0/', problem: null, approved: false },
    attribution: `Case courtesy of Frank Gaillard, Radiopaedia.org. From the case rID: ${o.rid} (${site}/cases/${o.rid})`,
    attributionHtml: '',
  };
  return meta as unknown as Record<string, unknown>;
}

describe('a finished Radiopaedia and ISIC batch sent to the wiki', () => {
  it('uploads every file with its page, licence, categories and NC Commons comment; a re-run sends nothing', async () => {
    const w = engine();
    const rid = 70000 + seed;
    const files = await Promise.all(
      [
        { key: 'a', stack: 0, plane: 'Axial', aux: 'C+ arterial phase', position: 1 },
        { key: 'b', stack: 0, plane: 'Axial', aux: 'C+ arterial phase', position: 2 },
        { key: 'c', stack: 1, plane: 'Sagittal', aux: 'C+ portal venous phase', position: 7 },
      ].map(async (f) => ({
        key: `${rid}/1/${f.key}`,
        path: await freshPng(),
        name: `Abdominal aortic aneurysm (Radiopaedia ${rid}-1 ${f.plane} ${f.aux} ${f.position}).png`,
        meta: caseImage({
          rid,
          study: 1,
          stack: f.stack,
          plane: f.plane,
          aux: f.aux,
          position: f.position,
          images: 9,
        }),
      })),
    );
    const isicFile = await freshPng();
    const isicId = `ISIC_${String(seed).padStart(7, '0')}`;
    files.push({
      key: isicId,
      path: path.join(path.dirname(isicFile), `${isicId}.png`),
      name: `${isicId}.png`,
      meta: {
        isic_id: isicId,
        copyright_license: 'CC-BY',
        attribution: 'Hospital Clínic de Barcelona',
        metadata: { acquisition: { image_type: 'dermoscopic' }, clinical: { diagnosis_1: 'Benign' } },
      },
    });
    await copyFile(isicFile, files[3]!.path);
    finishedBatch(w.engine, 'downloads', files);

    const id = wikiBatch(w.engine, 'to-wiki', { batch: 'downloads' }, target.apiUrl, {
      checkApis: [commons.apiUrl],
    });
    expect(await w.engine.runToEnd(id)).toBe('finished');
    const rows = items(w.engine, id);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    for (const [i, row] of rows.entries()) {
      expect(decodeURIComponent(row.target!)).toBe(
        `${target.serverUrl}/index.php/File:${row.name.replace(/ /g, '_')}`,
      );
      expect(row.sha1).toBe(await sha1Of(files[i]!.path));
    }

    const second = files[1]!.name;
    const text = await pageText(target, `File:${second}`);
    expect(text).toContain('{{Information');
    expect(text).toContain(
      `|description=Abdominal aortic aneurysm. Radiopaedia case ${rid}, study 1 (CT): Axial C+ arterial phase, image 2 of 9.`,
    );
    expect(text).toContain(`|source=[https://radiopaedia.org/cases/${rid} Radiopaedia case ${rid}]`);
    expect(text).toContain('|author=Frank Gaillard');
    expect(text).toContain('|date=2021-01-10');
    expect(text).toContain('[https://creativecommons.org/licenses/by-nc-sa/3.0/ CC BY-NC-SA 3.0]');
    expect(text).toContain('{{CC-BY-NC-SA-3.0}}');
    expect(text).toContain('[[Category:Radiopaedia images for Vascular]]');
    expect(text).toContain('[[Category:Radiopaedia images for Gastrointestinal]]');
    expect(text).toContain('[[Category:Radiopaedia CT images]]');
    // Two stacks in the case: it gets its own category.
    expect(text).toContain(`[[Category:Radiopaedia case ${rid} Abdominal aortic aneurysm]]`);
    expect((await fileHistory(target, `File:${second}`))[0]?.comment).toBe(`rID:${rid} (batch #${id}-2 A2)`);
    expect((await fileHistory(target, `File:${files[2]!.name}`))[0]?.comment).toBe(
      `rID:${rid} (batch #${id}-3 B7)`,
    );

    const isicText = await pageText(target, `File:${isicId}.png`);
    expect(isicText).toContain('{{CC-BY-4.0}}');
    expect(isicText).toContain('|author=Hospital Clínic de Barcelona');
    expect(isicText).toContain(`${isicId} from the ISIC Archive: Benign (dermoscopic).`);

    // The same batch again has nothing to do; a new batch of the same files finds them all there.
    expect(await w.engine.runToEnd(id)).toBe('finished');
    const before = w.seen.filter((r) => r.params.action === 'upload').length;
    const again = wikiBatch(w.engine, 'to-wiki-again', { batch: 'downloads' }, target.apiUrl, {
      checkApis: [commons.apiUrl],
    });
    expect(await w.engine.runToEnd(again)).toBe('finished');
    expect(items(w.engine, again).map((r) => [r.status, r.reason])).toEqual(
      Array(4).fill(['done', 'already-there']),
    );
    for (const file of files) expect(await fileHistory(target, `File:${file.name}`)).toHaveLength(1);
    // The wiki's own check answered (exists + nochange): no second version, no ignorewarnings.
    const later = w.seen.filter((r) => r.params.action === 'upload').slice(before);
    expect(later.every((r) => !('ignorewarnings' in r.params))).toBe(true);
  });
});

describe('duplicates', () => {
  it('marks a file already on the reference wiki as duplicate, with a link, and sends nothing', async () => {
    const w = engine();
    const png = await freshPng();
    const onCommons = mediawikiClient({
      apiUrl: commons.apiUrl,
      credentials: { user: commons.botUser, password: commons.botPassword },
    });
    await onCommons.upload({ filename: `Commons copy ${seed}.png`, filePath: png, text: 'x' });
    finishedBatch(w.engine, 'dup-ref', [{ key: 'k', path: png, name: `Our name ${seed}.png`, meta: {} }]);
    const id = wikiBatch(w.engine, 'dup-ref-wiki', { batch: 'dup-ref' }, target.apiUrl, {
      checkApis: [commons.apiUrl],
    });
    await w.engine.runToEnd(id);
    const [row] = items(w.engine, id);
    expect(row).toMatchObject({
      status: 'duplicate',
      reason: 'duplicate-on-reference',
      target: `${commons.serverUrl}/index.php/File:Commons_copy_${seed}.png`,
    });
    expect(row!.message).toContain(`File:Commons copy ${seed}.png`);
    expect(w.seen.some((r) => r.params.action === 'upload')).toBe(false);
  });

  it('marks the same bytes under another name on the target as duplicate, by the wiki’s warning or a lookup first', async () => {
    const w = engine();
    const small = await freshPng();
    const large = await fixtures.png(`large-${seed}.png`, seed + 1, 40_000);
    await bot.upload({ filename: `Existing ${seed}.png`, filePath: small, text: 'x' });
    await bot.upload({ filename: `Existing large ${seed}.png`, filePath: large, text: 'x' });
    finishedBatch(w.engine, 'dup-target', [
      { key: 'small', path: small, name: `Another name ${seed}.png`, meta: {} },
      { key: 'large', path: large, name: `Another large ${seed}.png`, meta: {} },
    ]);
    const id = wikiBatch(w.engine, 'dup-target-wiki', { batch: 'dup-target' }, target.apiUrl, {
      targetLookupBytes: 10_000,
    });
    await w.engine.runToEnd(id);
    const [viaWarning, viaLookup] = items(w.engine, id);
    expect(viaWarning).toMatchObject({ status: 'duplicate', reason: 'duplicate-on-target' });
    expect(viaWarning!.target).toBe(`${target.serverUrl}/index.php/File:Existing_${seed}.png`);
    expect(viaLookup).toMatchObject({ status: 'duplicate', reason: 'duplicate-on-target' });
    expect(viaLookup!.target).toBe(`${target.serverUrl}/index.php/File:Existing_large_${seed}.png`);
    // The small file was offered once without ignorewarnings; the large one's bytes never left.
    expect(uploadsOf(w.seen, `Another name ${seed}.png`).map((r) => r.params.ignorewarnings)).toEqual([
      undefined,
    ]);
    expect(uploadsOf(w.seen, `Another large ${seed}.png`)).toEqual([]);
  });
});

describe('overriding a duplicate', () => {
  it('lets the operator approve a duplicate: it is then uploaded under its own name, once', async () => {
    const w = engine();
    const png = await freshPng();
    await bot.upload({ filename: `First copy ${seed}.png`, filePath: png, text: 'x' });
    finishedBatch(w.engine, 'dup-approve', [
      { key: 'k', path: png, name: `Second copy ${seed}.png`, meta: {} },
    ]);
    const id = wikiBatch(w.engine, 'dup-approve-wiki', { batch: 'dup-approve' }, target.apiUrl);
    await w.engine.runToEnd(id);
    const [row] = items(w.engine, id);
    expect(row).toMatchObject({ status: 'duplicate', reason: 'duplicate-on-target' });
    expect(row!.actions).toContain('approve');

    const decided = w.engine.ledger.decide({
      batchId: id,
      itemIds: [row!.id],
      action: 'approve',
      note: 'a second copy is wanted',
      actor: 'archivist',
    });
    expect(decided).toEqual({ applied: 1, refused: [] });
    await w.engine.runToEnd(id);
    const [after] = items(w.engine, id);
    expect(after).toMatchObject({ status: 'done' });
    expect(await fileHistory(target, `File:Second copy ${seed}.png`)).toHaveLength(1);
    expect(await fileHistory(target, `File:First copy ${seed}.png`)).toHaveLength(1);
  });
});

describe('names the wiki warns about', () => {
  it('asks a person about a taken name; approving uploads a new version from the stash, renaming another name', async () => {
    const w = engine();
    const [old1, old2, new1, new2] = await Promise.all([freshPng(), freshPng(), freshPng(), freshPng()]);
    await bot.upload({ filename: `Taken ${seed}.png`, filePath: old1!, text: 'old' });
    await bot.upload({ filename: `Taken too ${seed}.png`, filePath: old2!, text: 'old' });
    finishedBatch(w.engine, 'taken', [
      { key: '1', path: new1!, name: `Taken ${seed}.png`, meta: {} },
      { key: '2', path: new2!, name: `Taken too ${seed}.png`, meta: {} },
    ]);
    const id = wikiBatch(w.engine, 'taken-wiki', { batch: 'taken' }, target.apiUrl);
    await w.engine.runToEnd(id);
    const first = itemNamed(w.engine, id, `Taken ${seed}.png`);
    const second = itemNamed(w.engine, id, `Taken too ${seed}.png`);
    for (const row of [first, second]) {
      expect(row).toMatchObject({ status: 'attention', reason: 'title-taken' });
      expect(JSON.parse(row.actions!)).toEqual(['approve', 'rename', 'skip']);
    }
    expect(first.message).toContain(`'Taken ${seed} (2).png'`);
    expect(first.message).toContain(`${target.serverUrl}/index.php/File:Taken_${seed}.png`);

    const sent = w.seen.length;
    w.engine.ledger.decide({ batchId: id, itemIds: [first.id], action: 'approve', actor: 'test' });
    w.engine.ledger.decide({
      batchId: id,
      itemIds: [second.id],
      action: 'rename',
      newName: `Taken too ${seed} (2).png`,
      actor: 'test',
    });
    await w.engine.runToEnd(id);
    expect(itemNamed(w.engine, id, `Taken ${seed}.png`).status).toBe('done');
    expect(itemNamed(w.engine, id, `Taken too ${seed} (2).png`).status).toBe('done');
    const versions = await fileHistory(target, `File:Taken ${seed}.png`);
    expect(versions.map((v) => v.sha1)).toEqual([await sha1Of(new1!), await sha1Of(old1!)]);
    expect((await fileHistory(target, `File:Taken too ${seed} (2).png`))[0]?.sha1).toBe(await sha1Of(new2!));
    // Neither decision sent the bytes again: both were published from the stash by filekey.
    const after = w.seen.slice(sent).filter((r) => r.params.action === 'upload');
    expect(after.some((r) => 'file' in r.params || 'chunk' in r.params)).toBe(false);
    expect(after.find((r) => r.params.filename === `Taken ${seed}.png`)?.params).toMatchObject({
      ignorewarnings: '1',
      filekey: expect.any(String),
    });
  });

  it('turns was-deleted, duplicate-archive, exists-normalized and badfilename into decisions that approval settles', async () => {
    const w = engine();
    const [gone, other, shape, badly, upper] = await Promise.all([
      freshPng(),
      freshPng(),
      freshPng(),
      freshPng(),
      freshPng(),
    ]);
    await bot.upload({ filename: `Gone ${seed}.png`, filePath: gone!, text: 'x' });
    await target.deleteFiles([`Gone ${seed}.png`]);
    await bot.upload({ filename: `Shape ${seed}.png`, filePath: shape!, text: 'x' });
    const reused = path.join(fixtures.dir, `reused-${seed}.png`);
    await copyFile(gone!, reused);
    finishedBatch(w.engine, 'warned', [
      { key: 'deleted-name', path: other!, name: `Gone ${seed}.png`, meta: {} },
      { key: 'deleted-bytes', path: reused, name: `Back again ${seed}.png`, meta: {} },
      { key: 'case', path: upper!, name: `Shape ${seed}.PNG`, meta: {} },
      { key: 'bad', path: badly!, name: `Case #${seed}.png`, meta: {} },
    ]);
    const id = wikiBatch(w.engine, 'warned-wiki', { batch: 'warned' }, target.apiUrl);
    await w.engine.runToEnd(id);
    const rows = items(w.engine, id);
    expect(rows.map((r) => [r.status, r.reason])).toEqual([
      ['attention', 'was-deleted'],
      ['attention', 'duplicate-archive'],
      ['attention', 'exists-normalized'],
      ['attention', 'badfilename'],
    ]);
    expect(rows[0]!.message).toContain(`A file named File:Gone ${seed}.png`);
    expect(rows[2]!.message).toContain(`File:Shape ${seed}.png`);
    expect(rows[3]!.message).toContain(`'File:Case -${seed}.png'`);

    const sent = w.seen.length;
    w.engine.ledger.decide({ batchId: id, itemIds: rows.map((r) => r.id), action: 'approve', actor: 'test' });
    await w.engine.runToEnd(id);
    const settled = items(w.engine, id);
    expect(settled.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(settled[3]!.target).toBe(`${target.serverUrl}/index.php/File:Case_-${seed}.png`);
    expect((await fileHistory(target, `File:Case -${seed}.png`))[0]?.sha1).toBe(await sha1Of(badly!));
    const after = w.seen.slice(sent).filter((r) => r.params.action === 'upload');
    expect(after).toHaveLength(4);
    expect(
      after.every((r) => r.params.ignorewarnings === '1' && r.params.filekey && !('file' in r.params)),
    ).toBe(true);
  });
});
