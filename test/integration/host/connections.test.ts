import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine';
import { commandSchemas } from '../../../shared/contract';
import { DEFAULT_PAGE_TEMPLATE } from '../../../shared/wikiPage';
import { savedWikiPageTemplate } from '../../../electron/engine/commands/settings';
import type { Credentials } from '../../../electron/engine/credentials';
import { startIsicFixture } from '../../servers/isic';
import type { IsicFixture } from '../../servers/isic';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat';
import type { XnatEmulator } from '../../servers/xnat';
import { testCipher } from '../../support/testCipher';
import { tempDir } from '../../support/tempDir';

let xnat: XnatEmulator;
let isic: IsicFixture;
const engines: Engine[] = [];
const dir = tempDir();

beforeAll(async () => {
  xnat = await startXnatEmulator({
    projects: [
      { id: 'P1', name: 'First' },
      { id: 'P2', name: 'Second' },
    ],
  });
  isic = await startIsicFixture({ images: 12 });
});
afterAll(async () => {
  await xnat.close();
  await isic.close();
  dir.cleanup();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function engine(options: { cipher?: boolean; file?: string; fallback?: Credentials } = {}): Engine {
  const e = new Engine({
    dbFile: join(dir.path, options.file ?? `l-${engines.length}-${Date.now()}.sqlite`),
    dataDir: dir.path,
    mode: 'web',
    cipher: options.cipher ? testCipher() : null,
    credentials: async () => options.fallback ?? { user: 'from-env', password: 'env-password' },
  });
  engines.push(e);
  return e;
}

describe('saved connections', () => {
  it('tests an XNAT login: the projects on success, the server’s refusal for a wrong password', async () => {
    const e = engine();
    const good = await e.handlers['connections.save']({
      kind: 'xnat',
      label: 'Research XNAT',
      url: `${xnat.url}/`,
      username: DEFAULT_USER.username,
      password: DEFAULT_USER.password,
    });
    expect(good).toMatchObject({ url: xnat.url, password: 'this-session' });
    const ok = await e.handlers['connections.test']({ id: good.id });
    expect(ok.ok).toBe(true);
    expect(ok.message).toContain(`as ${DEFAULT_USER.username}; 2 projects readable`);
    expect(ok.details.projects).toEqual(['P1', 'P2']);

    await e.handlers['connections.save']({ ...good, password: 'wrong-password' });
    const refused = await e.handlers['connections.test']({ id: good.id });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/password|log ?in|refused/i);
  });

  it('says so when a connection has no password, and forgets one given as empty', async () => {
    const e = engine();
    const c = await e.handlers['connections.save']({
      kind: 'xnat',
      label: 'X',
      url: xnat.url,
      username: 'courier',
      password: 'p',
    });
    const forgotten = await e.handlers['connections.save']({ ...c, password: '' });
    expect(forgotten.password).toBe('none');
    const result = await e.handlers['connections.test']({ id: c.id });
    expect(result).toMatchObject({ ok: false });
    expect(result.message).toContain('has no password');
  });

  it('tests the ISIC Archive by counting its images', async () => {
    const e = engine();
    const c = await e.handlers['connections.save']({
      kind: 'isic',
      label: 'ISIC',
      url: isic.apiUrl,
      username: '',
    });
    const result = await e.handlers['connections.test']({ id: c.id });
    expect(result).toMatchObject({ ok: true, details: { images: 12 } });
  });

  it('answers credential requests for URLs below its address, and leaves other servers to the fallback', async () => {
    const e = engine();
    await e.handlers['connections.save']({
      kind: 'xnat',
      label: 'site',
      url: 'https://xnat.example.org/xnat',
      username: 'alice',
      password: 'alice-pw',
    });
    await e.handlers['connections.save']({
      kind: 'xnat',
      label: 'root',
      url: 'https://XNAT.example.org',
      username: 'bob',
      password: 'bob-pw',
    });
    await expect(e.credentials('xnat', 'https://xnat.example.org/xnat/data/projects')).resolves.toEqual({
      user: 'alice',
      password: 'alice-pw',
    });
    await expect(e.credentials('xnat', 'https://xnat.example.org/other')).resolves.toEqual({
      user: 'bob',
      password: 'bob-pw',
    });
    // Same prefix but another path segment, another kind, another host: not these connections.
    await expect(e.credentials('xnat', 'https://xnat.example.org.evil.test/')).resolves.toEqual({
      user: 'from-env',
      password: 'env-password',
    });
    await expect(e.credentials('mediawiki', 'https://xnat.example.org/xnat/api.php')).resolves.toEqual({
      user: 'from-env',
      password: 'env-password',
    });
  });

  it('keeps the password encrypted across restarts when the platform can encrypt, and deletes it with the connection', async () => {
    const file = 'persisted.sqlite';
    const first = engine({ cipher: true, file });
    const c = await first.handlers['connections.save']({
      kind: 'mediawiki',
      label: 'Wiki',
      url: 'https://wiki.example.org/w/api.php',
      username: 'Archivist@courier',
      password: 'bot-secret',
    });
    expect(c.password).toBe('saved');
    await first.close();
    engines.splice(engines.indexOf(first), 1);

    const again = engine({ cipher: true, file });
    expect(again.handlers['connections.list']({})).toEqual([c]);
    await expect(again.credentials('mediawiki', 'https://wiki.example.org/w/api.php')).resolves.toEqual({
      user: 'Archivist@courier',
      password: 'bot-secret',
    });
    expect(again.handlers['connections.delete']({ id: c.id })).toEqual({ deleted: true });
    expect(again.ledger.db.prepare('SELECT count(*) FROM secrets').pluck().get()).toBe(0);
    expect(again.handlers['connections.list']({})).toEqual([]);
    expect(again.handlers['connections.delete']({ id: c.id })).toEqual({ deleted: false });
  });

  it('leaves the login to the environment when the password was saved by the desktop app (this process cannot decrypt it)', async () => {
    const file = 'desktop.sqlite';
    const desktop = engine({ cipher: true, file });
    await desktop.handlers['connections.save']({
      kind: 'xnat',
      label: 'X',
      url: 'https://xnat.example.org',
      username: 'desktop-user',
      password: 'kept-in-the-keychain',
    });
    await desktop.close();
    engines.splice(engines.indexOf(desktop), 1);
    const cli = engine({ file, fallback: { user: 'env-user', password: 'env-pw' } });
    await expect(cli.credentials('xnat', 'https://xnat.example.org/data/projects')).resolves.toEqual({
      user: 'env-user',
      password: 'env-pw',
    });
  });

  it('keeps the wiki page text saved in Settings, refuses unknown placeholders, and leaves the limits alone', async () => {
    const e = engine();
    const before = await e.handlers['settings.get']({});
    expect(before.wikiPageTemplate).toBe(DEFAULT_PAGE_TEMPLATE);
    const mine = '${description}\n\n${licence}\n';
    const after = await e.handlers['settings.save']({ wikiPageTemplate: mine });
    expect(after).toEqual({ ...before, wikiPageTemplate: mine });
    expect(savedWikiPageTemplate(e.ledger.db)).toBe(mine);
    const typo = commandSchemas['settings.save'].safeParse({ wikiPageTemplate: '${descriptoin}' });
    expect(typo.success).toBe(false);
  });

  it('refuses an address that is not http(s) before saving anything', () => {
    const e = engine();
    const parsed = commandSchemas['connections.save'].safeParse({
      kind: 'xnat',
      label: 'x',
      url: 'file:///etc',
    });
    expect(parsed.success).toBe(false);
    expect(e.handlers['connections.list']({})).toEqual([]);
  });
});
