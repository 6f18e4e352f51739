import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { WireEvent, WireRequest } from '../../../shared/contract';
import type { Engine } from '../engine';
import { dispatch } from './dispatch';
import { serveReport } from './reportDownload';

export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameSecret(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)courier_token=([^;]+)/.exec(cookie)?.[1];
}

/**
 * Web mode: the renderer's files and the contract over a WebSocket, on 127.0.0.1 only. Every request
 * needs the random token (in the URL once, then a same-site cookie); the socket also needs this
 * server's own Origin and Host, so no other web page or host name can reach the engine.
 */
export async function startWebHost(options: {
  engine: Engine;
  staticDir: string;
  port?: number;
  token?: string;
}): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = resolve(options.staticDir);
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);

  const refuse = (res: ServerResponse, status: 401 | 403 | 404 | 405, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (!allowedHosts().includes(req.headers.host ?? '')) return refuse(res, 403, 'Forbidden host');
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const fromQuery = url.searchParams.get('token');
      const authorised = sameSecret(fromQuery, token) || sameSecret(cookieToken(req), token);
      if (!authorised)
        return refuse(
          res,
          401,
          'Open the address that `courier serve` printed (it carries the access token).',
        );
      let path = decodeURIComponent(url.pathname);
      if (path.startsWith('/reports/')) return serveReport(options.engine.dataDir, path, url, req, res);
      if (path === '/' || path === '') path = '/index.html';
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep)) return refuse(res, 403, 'Forbidden');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return refuse(res, 404, 'Not found');
      const headers: Record<string, string> = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': String(info.size),
        'content-security-policy': WEB_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      };
      if (fromQuery) headers['set-cookie'] = `courier_token=${token}; HttpOnly; SameSite=Strict; Path=/`;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end('Internal error');
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    if (!allowedHosts().includes(req.headers.host ?? '')) return reject(403, 'Forbidden');
    if (!allowedOrigins().includes(req.headers.origin ?? '')) return reject(403, 'Forbidden');
    if (!sameSecret(url.searchParams.get('token'), token) && !sameSecret(cookieToken(req), token)) {
      return reject(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let request: WireRequest;
        try {
          request = JSON.parse(String(data)) as WireRequest;
        } catch {
          return ws.close(1003, 'Messages must be JSON');
        }
        if (typeof request?.id !== 'number' || typeof request.command !== 'string') {
          return ws.close(1003, 'Malformed request');
        }
        void dispatch(options.engine, request.id, request.command, request.args).then((response) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
        });
      });
    });
  });

  const unsubscribe = options.engine.on((event, payload) => {
    const message = JSON.stringify({ event, payload } satisfies WireEvent);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
