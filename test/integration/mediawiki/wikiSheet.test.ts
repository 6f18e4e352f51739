// A spreadsheet of files (Pattypan's columns, as .xlsx) sent to a real MediaWiki 1.39 through the real
// Engine and Runner: pages from the cells, names completed, a row whose file is missing fails on its own.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import { fileHistory, items, pageText, wikiBatch, wikiEngine } from './wikiBatchKit';
import type { WikiEngine } from './wikiBatchKit';
import { fixtureFolder, sha1Of } from './wikiTestKit';

let wiki: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;
let w: WikiEngine;

beforeAll(async () => {
  [wiki, fixtures] = await Promise.all([startMediaWiki({ sitename: 'Sheet wiki' }), fixtureFolder()]);
  w = wikiEngine(wiki);
});

afterAll(async () => {
  await w?.close();
  await wiki?.close();
  await fixtures?.remove();
});

describe('a spreadsheet of files', () => {
  it('uploads each row with its cells as page text and comment; a missing file fails alone, naming it', async () => {
    await mkdir(path.join(fixtures.dir, 'images'));
    const relative = await fixtures.png(path.join('images', 'a.png'), 301);
    const absolute = await fixtures.png('b.png', 302);
    const sheetFile = path.join(fixtures.dir, 'upload.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Data');
    sheet.addRow([
      'path',
      'name',
      'description',
      'date',
      'source',
      'author',
      'licence',
      'categories',
      'comment',
    ]);
    sheet.addRow([
      'images/a.png',
      'Sheet row A',
      "An ''annotated'' chest film",
      new Date(Date.UTC(2020, 4, 17)),
      '[https://example.org/a Example archive]',
      'Dr. A. Author',
      'CC-BY-4.0',
      'Chest X-rays; [[Category:Teaching files]] ;',
      'Imported from the teaching file',
    ]);
    sheet.addRow([]);
    sheet.addRow([absolute, 'Sheet row B.png', 'Second file', '', '', 'Someone', '{{CC-zero}}', '', '']);
    sheet.addRow(['images/missing.png', 'Sheet row C', 'Not there', '', '', '', 'CC-BY-4.0', '', '']);
    await workbook.xlsx.writeFile(sheetFile);

    const id = wikiBatch(w.engine, 'sheet-wiki', { file: sheetFile }, wiki.apiUrl);
    expect(await w.engine.runToEnd(id)).toBe('finished');
    const rows = items(w.engine, id);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['Sheet row A.png', 'done'],
      ['Sheet row B.png', 'done'],
      ['Sheet row C.png', 'failed'],
    ]);
    expect(rows[2]).toMatchObject({ reason: 'missing-file' });
    expect(rows[2]!.message).toContain(
      `Row 5 of upload.xlsx: the file ${path.join(fixtures.dir, 'images', 'missing.png')}`,
    );

    const text = await pageText(wiki, 'File:Sheet row A.png');
    expect(text).toContain("|description=An ''annotated'' chest film");
    expect(text).toContain('|date=2020-05-17');
    expect(text).toContain('|source=[https://example.org/a Example archive]');
    expect(text).toContain('|author=Dr. A. Author');
    expect(text).toContain('{{CC-BY-4.0}}');
    expect(text).toContain('[[Category:Chest X-rays]]\n[[Category:Teaching files]]');
    const [version] = await fileHistory(wiki, 'File:Sheet row A.png');
    expect(version).toMatchObject({
      comment: 'Imported from the teaching file',
      sha1: await sha1Of(relative),
    });
    expect(await pageText(wiki, 'File:Sheet row B.png')).toContain('{{CC-zero}}');
    expect((await fileHistory(wiki, 'File:Sheet row B.png'))[0]?.comment).toBe(
      `Imaging Courier batch #${id}: Sheet row B.png`,
    );
  });
});
