// The fault proxy in front of a plain HTTP server: it passes requests on unchanged, and injects the faults
// its plan hands out (statuses with Retry-After, resets before or after the server answered, stalls).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../servers/faultProxy';
import type { FaultProxy } from '../../servers/faultProxy';

let server: http.Server;
let origin: string;
let proxy: FaultProxy;
/** Requests the server handled, with the body it received. */
let handled: { method: string; url: string; host: string; body: string }[];

beforeEach(async () => {
  handled = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      handled.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', body });
      if (req.url === '/moved') {
        res.writeHead(302, { location: `${origin}/here?x=1` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
      res.end(`echo ${req.method} ${req.url} ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await startFaultProxy({ target: origin, seed: 3 });
});

afterEach(async () => {
  await proxy.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

describe('fault proxy', () => {
  it('passes requests and answers on unchanged, and keeps redirects behind the proxy', async () => {
    const answer = await fetch(`${proxy.url}/up?q=1`, { method: 'POST', body: 'payload' });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('echo POST /up?q=1 payload');
    expect(answer.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(handled).toEqual([
      { method: 'POST', url: '/up?q=1', host: new URL(origin).host, body: 'payload' },
    ]);
    const moved = await fetch(`${proxy.url}/moved`, { redirect: 'manual' });
    expect(moved.headers.get('location')).toBe(`${proxy.url}/here?x=1`);
    expect(proxy.stats).toMatchObject({ requests: 2, forwarded: 2, lostAnswers: 0 });
  });

  it('answers a 503 with Retry-After without passing the request on', async () => {
    proxy.faults.failNext(1, { kind: 'status', status: 503, retryAfter: '2', match: { path: '/a' } });
    const refused = await fetch(`${proxy.url}/a`, { method: 'PUT', body: 'x'.repeat(100_000) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(handled).toHaveLength(0);
    expect((await fetch(`${proxy.url}/a`)).status).toBe(200);
    expect(proxy.faults.fired.status).toBe(1);
  });

  it('resets a connection before the server sees the request, or after it answered (the answer is lost)', async () => {
    proxy.faults.failNext(1, { kind: 'reset', afterAnswer: false, match: { path: '/before' } });
    proxy.faults.failNext(1, {
      kind: 'reset',
      afterAnswer: true,
      match: { method: 'POST', contentType: /^multipart\/form-data/ },
    });
    await expect(fetch(`${proxy.url}/before`)).rejects.toThrow();
    expect(handled).toHaveLength(0);

    // A url-encoded POST does not match the rule; the multipart one reaches the server, its answer does not.
    expect(
      (await fetch(`${proxy.url}/form`, { method: 'POST', body: new URLSearchParams('a=1') })).status,
    ).toBe(200);
    const form = new FormData();
    form.append('file', new Blob(['bytes']), 'f.bin');
    await expect(fetch(`${proxy.url}/upload`, { method: 'POST', body: form })).rejects.toThrow();
    expect(handled.map((h) => h.url)).toEqual(['/form', '/upload']);
    expect(proxy.stats.lostAnswers).toBe(1);
    expect(proxy.faults.fired.reset).toBe(2);
  });

  it('holds a stalled request, then passes it on', async () => {
    proxy.faults.failNext(1, { kind: 'stall', stallMs: 1_000, match: { path: '/slow' } });
    const answer = fetch(`${proxy.url}/slow`);
    // While it is held, the server has not seen it; other requests go through.
    expect((await fetch(`${proxy.url}/fast`)).status).toBe(200);
    expect(handled.map((h) => h.url)).toEqual(['/fast']);
    expect(await (await answer).text()).toBe('echo GET /slow ');
    expect(handled.map((h) => h.url)).toEqual(['/fast', '/slow']);
  });

  it('draws faults at the given rates from its seed: the same seed gives the same faults', async () => {
    const run = async (seed: number) => {
      const p = await startFaultProxy({
        target: origin,
        seed,
        rates: { serverError: 0.3, retryAfter: '1', retryAfterShare: 0.5 },
      });
      const statuses: string[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await fetch(`${p.url}/r${i}`);
        await r.arrayBuffer();
        statuses.push(`${r.status}${r.headers.get('retry-after') ? '+RA' : ''}`);
      }
      await p.close();
      return statuses;
    };
    const first = await run(11);
    expect(await run(11)).toEqual(first);
    expect(first.filter((s) => s.startsWith('503')).length).toBeGreaterThan(5);
    expect(first).toContain('503+RA');
    expect(first).toContain('503');
    expect(await run(12)).not.toEqual(first);
  });
});
