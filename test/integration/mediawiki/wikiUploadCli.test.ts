// `courier wiki-upload` as users run it (the built command), against a real MediaWiki 1.39 target and a
// reference "Commons": a dry run, a real run from a CSV sheet and its safe re-run, and refusals (exit 2).
import Database from 'better-sqlite3';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediaWiki } from '../../servers/mediawiki';
import type { MediaWikiServer } from '../../servers/mediawiki';
import { courier, requireBuilt } from '../../support/cli';
import { fileHistory } from './wikiBatchKit';
import { fixtureFolder, sha1Of } from './wikiTestKit';

let target: MediaWikiServer;
let commons: MediaWikiServer;
let fixtures: Awaited<ReturnType<typeof fixtureFolder>>;
let sheet: string;
let files: string[];

beforeAll(async () => {
  requireBuilt();
  [target, commons, fixtures] = await Promise.all([
    startMediaWiki({ sitename: 'CLI target' }),
    startMediaWiki({ sitename: 'CLI Commons' }),
    fixtureFolder(),
  ]);
  files = [await fixtures.png('one.png', 401), await fixtures.png('two.png', 402)];
  sheet = path.join(fixtures.dir, 'upload.csv');
  await writeFile(
    sheet,
    [
      'path,name,description,date,source,author,license,categories',
      'one.png,CLI first C+ arterial,"First, with a comma",2024-02-01,Own work,Archivist,CC-BY-4.0,CLI uploads',
      'two.png,CLI second.png,Second,2024-02-02,Own work,Archivist,CC-BY-4.0,CLI uploads;Second category',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await Promise.all([target?.close(), commons?.close()]);
  await fixtures?.remove();
});

const db = () => path.join(fixtures.dir, 'ledger.sqlite');
const login = () => ({ WIKI_USER: target.botUser, WIKI_PASSWORD: target.botPassword });
const upload = (...args: string[]) => [
  '--db',
  db(),
  'wiki-upload',
  '--sheet',
  sheet,
  '--api',
  target.apiUrl,
  '--check-api',
  commons.apiUrl,
  ...args,
];

describe('courier wiki-upload', () => {
  it('shows titles, page text and checks on a dry run, uploads nothing and exits 0', async () => {
    const result = await courier(upload('--dry-run'), { WIKI_USER: '', WIKI_PASSWORD: '' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('=== File:CLI first C+ arterial.png ===');
    expect(result.stdout).toContain('Verdict: would be uploaded as File:CLI first C+ arterial.png');
    expect(result.stdout).toContain(
      '127.0.0.1:' + new URL(target.apiUrl).port + ": the name 'File:CLI first C+ arterial.png' is free",
    );
    expect(result.stdout).toContain(`${new URL(commons.apiUrl).host}: no file has these bytes`);
    expect(result.stdout).toContain('|description=First, with a comma');
    expect(result.stdout).toContain('[[Category:Second category]]');
    expect(result.stdout).toContain(`SHA-1:   ${await sha1Of(files[0]!)}`);
    expect(await fileHistory(target, 'File:CLI first C+ arterial.png')).toEqual([]);
  });

  it('uploads every row, exits 0, and a second run sends nothing again', async () => {
    const first = await courier(upload(), login());
    expect(first.stderr).toContain('2 done');
    expect(first.code, first.stderr).toBe(0);
    const [one] = await fileHistory(target, 'File:CLI first C+ arterial.png');
    expect(one?.sha1).toBe(await sha1Of(files[0]!));
    const second = await courier(upload('--name', 'again'), login());
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('2 done');
    expect(await fileHistory(target, 'File:CLI first C+ arterial.png')).toHaveLength(1);
    expect(await fileHistory(target, 'File:CLI second.png')).toHaveLength(1);
  });

  it('stops before creating a batch when the password is wrong, or nothing is named to upload (exit 2)', async () => {
    const wrong = await courier(upload('--name', 'wrong'), {
      WIKI_USER: target.botUser,
      WIKI_PASSWORD: '0123456789abcdef0123456789abcdef',
    });
    expect(wrong.code, wrong.stderr).toBe(2);
    expect(wrong.stderr).toContain(`refused the login of ${target.botUser}`);
    const ledger = new Database(db(), { readonly: true });
    expect(ledger.prepare('SELECT name FROM batches').pluck().all()).not.toContain('wrong');
    ledger.close();
    const nothing = await courier(['--db', db(), 'wiki-upload', '--api', target.apiUrl]);
    expect(nothing.code, nothing.stderr).toBe(2);
    expect(nothing.stderr).toContain('--batch NAME');
  });
});
