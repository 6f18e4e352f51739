import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CourierError } from '../../../shared/errors';
import { USER_AGENT } from '../../../electron/engine/clients/httpFailure';
import { XnatClient } from '../../../electron/engine/clients/xnat/xnatClient';
import { rejectionOf, startFixture } from './xnatFixture';
import type { XnatFixture } from './xnatFixture';

let fx: XnatFixture;

beforeEach(async () => {
  fx = await startFixture();
});

afterEach(async () => {
  await fx.close();
});

describe('XNAT session', () => {
  it('logs in once with POST /data/JSESSION and reuses the cookie over one keep-alive connection', async () => {
    for (let i = 0; i < 5; i++) await fx.client.listProjects();
    await fx.client.findProject('P1');
    const { stats, requestLog } = fx.emulator.state;
    expect(stats.sessionsCreated).toBe(1);
    expect(stats.basicAuthRequests).toBe(1);
    expect(requestLog[0]).toMatchObject({
      method: 'POST',
      path: '/data/JSESSION',
      status: 200,
      auth: 'basic',
    });
    expect(requestLog.slice(1).every((r) => r.auth === 'cookie')).toBe(true);
    expect(requestLog.every((r) => r.userAgent === USER_AGENT)).toBe(true);
    expect(stats.connections).toBe(1);
  });

  it('a wrong password is a non-retryable xnat-auth error with a clear sentence', async () => {
    const error = await rejectionOf(fx.connect({ password: 'wrong' }));
    expect(error).toBeInstanceOf(CourierError);
    expect(error.code).toBe('xnat-auth');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      `refused the user name and password (or alias token) for 'courier' (401)`,
    );
    expect(error.message).not.toContain('wrong');
  });

  it('an unknown user is refused the same way', async () => {
    const error = await rejectionOf(fx.connect({ username: 'nobody', password: 'x' }));
    expect(error.code).toBe('xnat-auth');
  });

  it('an alias token works as Basic credentials; an expired or wrong one is xnat-auth', async () => {
    const token = fx.emulator.state.issueToken('courier');
    const viaToken = await fx.connect({ username: token.alias, password: token.secret });
    expect((await viaToken.findProject('P1')).id).toBe('P1');
    const expired = fx.emulator.state.issueToken('courier', -1);
    expect((await rejectionOf(fx.connect({ username: expired.alias, password: expired.secret }))).code).toBe(
      'xnat-auth',
    );
    expect((await rejectionOf(fx.connect({ username: token.alias, password: 'not-the-secret' }))).code).toBe(
      'xnat-auth',
    );
  });

  it('a session that expires mid-run is renewed once and the request goes through', async () => {
    await fx.client.listProjects();
    fx.emulator.faults.expireSessions();
    const projects = await fx.client.listProjects();
    expect(projects.map((p) => p.id)).toEqual(['P1']);
    expect(fx.emulator.state.stats.sessionsCreated).toBe(2);
    expect(fx.client.session.logins).toBe(2);
  });

  it('concurrent requests that all meet the expiry share a single re-login', async () => {
    await fx.client.listProjects();
    fx.emulator.faults.expireSessions();
    const results = await Promise.all(Array.from({ length: 6 }, () => fx.client.findProject('P1')));
    expect(results.every((p) => p.id === 'P1')).toBe(true);
    expect(fx.emulator.state.stats.sessionsCreated).toBe(2);
  });

  it('a session refused again right after the re-login is xnat-auth (one re-login per request)', async () => {
    fx.emulator.faults.failNext(2, { kind: 'expire-session', match: { path: '/data/projects/P1' } });
    const error = await rejectionOf(fx.client.findProject('P1'));
    expect(error.code).toBe('xnat-auth');
    expect(error.message).toContain('refused right after a new login');
    expect(fx.emulator.state.stats.sessionsCreated).toBe(2);
  });

  it('a server that is not XNAT (a web page where the session id should be) is a clear error', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Welcome</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await rejectionOf(
        XnatClient.connect({ server: `http://127.0.0.1:${port}`, username: 'u', password: 'p' }),
      );
      expect(error.code).toBe('xnat-unexpected-answer');
      expect(error.message).toContain('Is the server address right?');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('connection refused is retryable and names the login', async () => {
    const closed = fx.emulator.url;
    await fx.emulator.close();
    const error = await rejectionOf(XnatClient.connect({ server: closed, username: 'u', password: 'p' }));
    expect(error.code).toBe('net-econnrefused');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('logging in to XNAT at');
  });
});
