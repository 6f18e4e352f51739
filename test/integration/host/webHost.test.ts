import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../../electron/engine/engine';
import { startWebHost } from '../../../electron/engine/host/webHost';
import type { WebHost } from '../../../electron/engine/host/webHost';
import { tempDir } from '../../support/tempDir';

/** Opens a socket and reports how the server answered the upgrade: 'open' or the HTTP status. */
function connect(
  url: string,
  headers: Record<string, string>,
): Promise<{ outcome: 'open' | number; ws: WebSocket }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ outcome: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ outcome: res.statusCode ?? 0, ws }));
    ws.once('error', () => resolve({ outcome: 0, ws }));
  });
}

function request(ws: WebSocket, id: number, command: string, args: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as { id?: number };
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, command, args }));
  });
}

describe('web mode host', () => {
  const dir = tempDir();
  let engine: Engine;
  let host: WebHost;
  let origin: string;
  beforeAll(async () => {
    const web = join(dir.path, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Imaging Courier</title>');
    writeFileSync(join(dir.path, 'secret.txt'), 'not for the web');
    engine = new Engine({ dbFile: join(dir.path, 'l.sqlite'), dataDir: dir.path, mode: 'web' });
    engine.ledger.batches.create({
      name: 'b',
      sourceKind: 'folder',
      sourceConfig: { dir: '/a' },
      targetKind: 'folder',
      targetConfig: { dir: '/b' },
    });
    host = await startWebHost({ engine, staticDir: web });
    origin = `http://127.0.0.1:${host.port}`;
  });
  afterAll(async () => {
    await host.close();
    await engine.close();
    dir.cleanup();
  });

  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('serves the page only with the token, then by same-site cookie', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(401);
    expect((await fetch(`${origin}/?token=wrong`)).status).toBe(401);
    const ok = await fetch(host.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await fetch(`${origin}/index.html`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(
      200,
    );
    expect((await fetch(`${origin}/..%2Fsecret.txt?token=${host.token}`)).status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request: httpRequest } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      httpRequest(
        {
          host: '127.0.0.1',
          port: host.port,
          path: `/?token=${host.token}`,
          headers: { host: `evil.example:${host.port}` },
        },
        (res) => resolve(res.statusCode ?? 0),
      ).end();
    });
    expect(status).toBe(403);
  });

  it('refuses a socket without the token, with a wrong token, or from another origin', async () => {
    const ws = `ws://127.0.0.1:${host.port}/ws`;
    expect((await connect(ws, { origin })).outcome).toBe(401);
    expect((await connect(`${ws}?token=nope`, { origin })).outcome).toBe(401);
    expect((await connect(`${ws}?token=${host.token}`, { origin: 'https://evil.example' })).outcome).toBe(
      403,
    );
    expect((await connect(`${ws}?token=${host.token}`, {})).outcome).toBe(403);
  });

  it('carries commands, refuses malformed ones, and pushes engine events', async () => {
    const { outcome, ws } = await connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin });
    expect(outcome).toBe('open');
    await expect(request(ws, 1, 'batches.list', {})).resolves.toMatchObject({
      ok: true,
      value: [{ name: 'b' }],
    });
    await expect(request(ws, 2, 'items.window', { batchId: 1, offset: -1, limit: 5 })).resolves.toMatchObject(
      {
        ok: false,
        error: { code: 'bad-arguments' },
      },
    );
    const event = new Promise((resolve) =>
      ws.on('message', (d) => {
        const msg = JSON.parse(String(d)) as { event?: string };
        if (msg.event === 'batch.changed') resolve(msg);
      }),
    );
    engine.ledger.addItems(1, [{ key: 'k', path: '/a/k', name: 'k' }]);
    await expect(event).resolves.toMatchObject({ event: 'batch.changed', payload: { batchId: 1, total: 1 } });
    ws.close();
  });
});

describe('changes made by another process', () => {
  it('are announced to the UI from the ledger file', async () => {
    const dir = tempDir();
    const engine = new Engine({ dbFile: join(dir.path, 'l.sqlite'), dataDir: dir.path, mode: 'web' });
    const batchId = engine.ledger.batches.create({
      name: 'b',
      sourceKind: 'folder',
      sourceConfig: { dir: '/a' },
      targetKind: 'folder',
      targetConfig: { dir: '/b' },
    }).id;
    engine.ledger.addItems(batchId, [{ key: 'k', path: '/a/k', name: 'k' }]);
    const { Ledger } = await import('../../../electron/engine/ledger/ledger');
    const other = Ledger.open(join(dir.path, 'l.sqlite'), { role: 'reader' });
    try {
      const announced = new Promise((resolve) =>
        engine.on((event, payload) => {
          if (event === 'batch.changed' && (payload as { counts: { skipped: number } }).counts.skipped === 1)
            resolve(payload);
        }),
      );
      const itemId = other.db.prepare('SELECT id FROM items').pluck().get() as number;
      other.decide({ batchId, itemIds: [itemId], action: 'skip', actor: 'cli' });
      await expect(announced).resolves.toMatchObject({ batchId, changed: 'many' });
    } finally {
      other.close();
      await engine.close();
      dir.cleanup();
    }
  });
});
