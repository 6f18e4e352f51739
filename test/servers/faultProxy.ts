/**
 * A reverse proxy that injects faults in front of a server that has no fault switch of its own (the real
 * MediaWiki, the Radiopaedia fixture): requests go to `target` unchanged except for the faults the shared
 * plan (faultPlan.ts) hands out — a 5xx answer (with Retry-After when the plan says so), a reset
 * connection, or a stall before the request is passed on. A share of the resets (`lostAnswers`) comes
 * after the server answered: the request took effect, but its answer never reaches the client.
 *
 *   const proxy = await startFaultProxy({ target: wiki.url, seed: 7 });
 *   proxy.faults.setRates({ serverError: 0.1, retryAfter: '1', retryAfterShare: 0.3, reset: 0.02, stall: 0.01 });
 *   proxy.faults.failNext(2, { kind: 'reset', afterAnswer: true, match: { contentType: /^multipart\// } });
 *   // … point the client at proxy.url …
 *   proxy.faults.fired; proxy.stats; await proxy.close();
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, mulberry32, stallRequest } from './faultPlan';
import type { FaultRates, HttpFaultSpec } from './faultPlan';

export interface ProxyFaultSpec extends HttpFaultSpec {
  /** A `reset` rule: pass the request on and drop the connection once the target answered. */
  afterAnswer?: boolean;
}

export interface FaultProxyOptions {
  /** The origin requests are passed to, e.g. `http://127.0.0.1:8080`. */
  target: string;
  seed?: number;
  rates?: FaultRates;
  /** Share of injected resets that come after the target answered (the answer is lost). Default 0.5. */
  lostAnswers?: number;
}

export interface FaultProxyStats {
  requests: number;
  /** Requests passed on to the target. */
  forwarded: number;
  /** Resets after the target answered: done there, never heard of by the client. */
  lostAnswers: number;
  /** Requests the target could not be reached for (answered 502). */
  upstreamErrors: number;
}

export interface FaultProxy {
  url: string;
  faults: FaultPlan<ProxyFaultSpec>;
  stats: FaultProxyStats;
  close(): Promise<void>;
}

/** Reads and drops a request body, so the client can finish sending before the answer. */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) {
      resolve();
      return;
    }
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.on('close', resolve);
    req.resume();
  });
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const seed = options.seed ?? 1;
  const faults = new FaultPlan<ProxyFaultSpec>(['status', 'reset', 'stall'], seed);
  if (options.rates) faults.setRates(options.rates);
  const lostShare = options.lostAnswers ?? 0.5;
  const lostDraw = mulberry32(seed ^ 0x5eed);
  const stats: FaultProxyStats = { requests: 0, forwarded: 0, lostAnswers: 0, upstreamErrors: 0 };
  const agent = new http.Agent({ keepAlive: true });
  const closing = new AbortController();
  let origin = '';

  /** A redirect to the target's own origin stays behind the proxy. */
  const rewriteLocation = (location: string | undefined): string | undefined =>
    location?.startsWith(target.origin) ? origin + location.slice(target.origin.length) : location;

  const forward = (req: IncomingMessage, res: ServerResponse, loseAnswer: boolean) => {
    stats.forwarded += 1;
    const upstream = http.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        if (loseAnswer) {
          // The target did the work; the client only sees its connection dropped.
          answer.resume();
          answer.on('end', () => {
            stats.lostAnswers += 1;
            req.socket.destroy();
          });
          return;
        }
        const headers = { ...answer.headers };
        if (headers.location) headers.location = rewriteLocation(headers.location);
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      stats.upstreamErrors += 1;
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('Bad gateway (the proxied server did not answer)');
      }
    });
    // A client that goes away takes the request to the target with it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const fault = faults.takeRequestFault(method, path, req.headers['content-type']);
    if (fault?.kind === 'reset') {
      if (fault.afterAnswer ?? lostDraw() < lostShare) return forward(req, res, true);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      await drain(req);
      const status = fault.status ?? 503;
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/html; charset=utf-8' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(status, headers);
      res.end(`<html><body><h1>${status}</h1><p>Injected fault.</p></body></html>`);
      return;
    }
    if (fault?.kind === 'stall' && !(await stallRequest(fault.stallMs ?? 2000, req, closing.signal))) {
      req.socket.destroy();
      return;
    }
    forward(req, res, false);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    faults,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
