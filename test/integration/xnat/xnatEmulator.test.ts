import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator, XnatEmulatorOptions } from '../../servers/xnat/index';

// The emulator's own promises (reference/xnat.md §3.8–3.9), checked with plain HTTP.
let emu: XnatEmulator;
let cookie: string;
const basic = `Basic ${Buffer.from(`${DEFAULT_USER.username}:${DEFAULT_USER.password}`).toString('base64')}`;
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36';

async function start(options: XnatEmulatorOptions = {}) {
  emu = await startXnatEmulator({
    projects: [{ id: 'P1', secondaryId: 'HUB-001', aliases: ['ALIAS1'] }],
    ...options,
  });
  const login = await fetch(`${emu.url}/data/JSESSION`, {
    method: 'POST',
    headers: { authorization: basic },
  });
  cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}

function call(
  method: string,
  path: string,
  init: { body?: string | Buffer; headers?: Record<string, string> } = {},
) {
  return fetch(`${emu.url}${path}`, {
    method,
    headers: { cookie, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}

const octet = { 'content-type': 'application/octet-stream' };
const E = '/data/projects/P1/subjects/S1/experiments/E1';

beforeEach(async () => {
  await start();
});

afterEach(async () => {
  await emu.close();
});

describe('XNAT emulator: authentication', () => {
  it('401 with the Basic challenge; an HTML login page for browsers', async () => {
    const plain = await fetch(`${emu.url}/data/projects?format=json`);
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toBe('Basic realm="XNAT Protected Area"');
    const browser = await fetch(`${emu.url}/data/projects?format=json`, {
      headers: { 'user-agent': BROWSER },
    });
    expect(browser.status).toBe(401);
    expect(await browser.text()).toMatch(/^<!DOCTYPE html>/);
  });

  it('JSESSION: 32-hex session id, JSESSIONID and SESSION_EXPIRATION_TIME cookies, CSRF token, DELETE ends it', async () => {
    const login = await fetch(`${emu.url}/data/JSESSION?CSRF=true`, {
      method: 'POST',
      headers: { authorization: basic },
    });
    const [id, csrf] = (await login.text()).split('; XNAT_CSRF=');
    expect(id).toMatch(/^[0-9A-F]{32}$/);
    expect(csrf).toMatch(/^[0-9a-f]{32}$/);
    const cookies = login.headers.getSetCookie();
    expect(cookies[0]).toBe(`JSESSIONID=${id}; Path=/; HttpOnly`);
    expect(cookies[1]).toMatch(/^SESSION_EXPIRATION_TIME="\d+,900000"/);
    const own = { cookie: `JSESSIONID=${id}` };
    expect(await (await fetch(`${emu.url}/data/auth`, { headers: own })).text()).toBe(
      "User 'courier' is logged in",
    );
    expect((await fetch(`${emu.url}/data/JSESSION`, { method: 'DELETE', headers: own })).status).toBe(200);
    expect((await fetch(`${emu.url}/data/auth`, { headers: own })).status).toBe(401);
  });

  it('issues alias tokens usable as Basic credentials', async () => {
    const token = (await (await call('GET', '/data/services/tokens/issue')).json()) as {
      alias: string;
      secret: string;
    };
    const viaToken = `Basic ${Buffer.from(`${token.alias}:${token.secret}`).toString('base64')}`;
    const res = await fetch(`${emu.url}/data/auth`, { headers: { authorization: viaToken } });
    expect(await res.text()).toBe("User 'courier' is logged in");
  });

  it('CSRF: cookie-authenticated writes from a browser need XNAT_CSRF; other agents are exempt', async () => {
    const login = await fetch(`${emu.url}/data/JSESSION?CSRF=true`, {
      method: 'POST',
      headers: { authorization: basic },
    });
    const [id, csrf] = (await login.text()).split('; XNAT_CSRF=');
    const headers = { cookie: `JSESSIONID=${id}`, 'user-agent': BROWSER };
    expect((await fetch(`${emu.url}/data/projects/P1/subjects/B1`, { method: 'PUT', headers })).status).toBe(
      403,
    );
    const withToken = await fetch(`${emu.url}/data/projects/P1/subjects/B1?XNAT_CSRF=${csrf}`, {
      method: 'PUT',
      headers,
    });
    expect(withToken.status).toBe(201);
    const script = { cookie: `JSESSIONID=${id}`, 'user-agent': 'curl/8.0' };
    expect(
      (await fetch(`${emu.url}/data/projects/P1/subjects/B2`, { method: 'PUT', headers: script })).status,
    ).toBe(201);
  });
});

describe('XNAT emulator: listings and objects', () => {
  it('ResultSet.Result rows hold strings only, totalRecords is a string, columns= picks columns', async () => {
    await call('PUT', `${E}?xsiType=xnat:mrSessionData&date=2020-01-02`);
    const json = (await (await call('GET', '/data/projects/P1/experiments?format=json')).json()) as {
      ResultSet: { Result: Record<string, unknown>[]; totalRecords: unknown };
    };
    expect(json.ResultSet.totalRecords).toBe('1');
    const row = json.ResultSet.Result[0] ?? {};
    expect(Object.keys(row)).toEqual(['ID', 'project', 'date', 'xsiType', 'label', 'insert_date', 'URI']);
    expect(Object.values(row).every((v) => typeof v === 'string')).toBe(true);
    const picked = (await (await call('GET', '/data/projects?format=json&columns=ID,name')).json()) as {
      ResultSet: { Result: Record<string, string>[] };
    };
    expect(picked.ResultSet.Result).toEqual([{ ID: 'P1', name: 'P1', URI: '/data/projects/P1' }]);
    expect((await call('GET', '/data/projects?format=json&columns=nonsense')).status).toBe(400);
    expect((await call('GET', '/data/projects')).status).toBe(406);
    expect(await (await call('GET', '/data/projects?format=csv&columns=ID')).text()).toBe(
      'ID,URI\nP1,/data/projects/P1\n',
    );
  });

  it('routes are mounted under /data and /data/archive; projects resolve by ID or alias, not secondary ID', async () => {
    expect((await call('GET', '/data/archive/projects/P1?format=json')).status).toBe(200);
    expect((await call('GET', '/data/projects/ALIAS1?format=json')).status).toBe(200);
    expect((await call('GET', '/data/projects/HUB-001?format=json')).status).toBe(404);
    expect((await call('GET', '/data/nowhere')).status).toBe(404);
  });

  it('experiment PUT: 417 without xsiType, 400 on a bad date, 201 creating the subject, 409 under another subject', async () => {
    expect((await call('PUT', E)).status).toBe(417);
    expect((await call('PUT', `${E}?xsiType=xnat:ctSessionData&date=12/03/2020`)).status).toBe(400);
    const created = await call('PUT', `${E}?xsiType=xnat:ctSessionData&xnat:ctSessionData/date=2020-03-12`);
    expect([created.status, await created.text()]).toEqual([201, 'XNAT_E00001']);
    expect(emu.state.experiment('P1', 'E1')).toMatchObject({ date: '2020-03-12' });
    expect((await call('PUT', '/data/projects/P1/subjects/S1')).status).toBe(200);
    expect(
      (await call('PUT', '/data/projects/P1/subjects/S2/experiments/E1?xsiType=xnat:ctSessionData')).status,
    ).toBe(409);
  });

  it('scan PUT: 200 new and existing, xsiType derived from the session, 409 on an xsiType change, 404 on no session', async () => {
    await call('PUT', `${E}?xsiType=xnat:petSessionData`);
    expect((await call('PUT', `${E}/scans/4?type=FDG`)).status).toBe(200);
    expect(emu.state.experiment('P1', 'E1')?.scans.get('4')?.xsiType).toBe('xnat:petScanData');
    expect((await call('PUT', `${E}/scans/4?type=FDG2`)).status).toBe(200);
    expect((await call('PUT', `${E}/scans/4?xsiType=xnat:mrScanData`)).status).toBe(409);
    expect((await call('PUT', '/data/projects/P1/subjects/S1/experiments/NOPE/scans/1')).status).toBe(404);
  });

  it('resources: 200 then 409; listing has title "Resources", string counts and no URI', async () => {
    await call('PUT', `${E}?xsiType=xnat:mrSessionData`);
    await call('PUT', `${E}/scans/1`);
    expect((await call('PUT', `${E}/scans/1/resources/DICOM?format=DICOM`)).status).toBe(200);
    const again = await call('PUT', `${E}/scans/1/resources/DICOM`);
    expect([again.status, await again.text()]).toEqual([409, 'Specified resource already exists.']);
    const json = (await (await call('GET', `${E}/scans/1/resources?format=json`)).json()) as {
      ResultSet: { Result: Record<string, string>[]; title: string };
    };
    expect(json.ResultSet.title).toBe('Resources');
    expect(json.ResultSet.Result[0]).toMatchObject({
      label: 'DICOM',
      format: 'DICOM',
      file_count: '0',
      file_size: '0',
    });
    expect(json.ResultSet.Result[0]).not.toHaveProperty('URI');
  });
});

describe('XNAT emulator: files', () => {
  beforeEach(async () => {
    await call('PUT', `${E}?xsiType=xnat:mrSessionData`);
    await call('PUT', `${E}/scans/1`);
    await call('PUT', `${E}/scans/1/resources/DICOM`);
  });

  it('a file body needs a file Content-Type or inbody=true; multipart is not emulated; empty is refused', async () => {
    const F = `${E}/scans/1/resources/DICOM/files`;
    expect(
      (await call('PUT', `${F}/a.dcm`, { body: 'x', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(400);
    expect(
      (await call('PUT', `${F}/a.dcm?inbody=true`, { body: 'x', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(200);
    const form = new FormData();
    form.append('file', new Blob(['x']), 'b.dcm');
    expect(
      (await fetch(`${emu.url}${F}/b.dcm`, { method: 'PUT', headers: { cookie }, body: form })).status,
    ).toBe(501);
    expect(
      (await fetch(`${emu.url}${F}/b.dcm?inbody=true`, { method: 'PUT', headers: { cookie }, body: form }))
        .status,
    ).toBe(406);
    expect((await call('PUT', `${F}/c.dcm`, { body: '', headers: octet })).status).toBe(400);
    expect(
      (await call('PUT', `${E}/scans/1/resources/NIFTI/files/x.nii`, { body: 'x', headers: octet })).status,
    ).toBe(404);
  });

  it('a repeated file is 200 + duplicates (never 409); overwrite=true replaces it', async () => {
    const F = `${E}/scans/1/resources/DICOM/files/a b.dcm`;
    expect((await call('PUT', F, { body: 'one', headers: octet })).status).toBe(200);
    const dup = await call('PUT', F, { body: 'two', headers: octet });
    expect([dup.status, await dup.json()]).toEqual([200, { duplicates: ['a b.dcm'] }]);
    expect(await (await call('GET', F)).text()).toBe('one');
    expect((await call('PUT', `${F}?overwrite=true`, { body: 'two', headers: octet })).status).toBe(200);
    expect(await (await call('GET', F)).text()).toBe('two');
    expect(emu.state.storedFile('P1/S1/E1/scans/1/DICOM/a b.dcm')).toMatchObject({ puts: 3, writes: 2 });
  });

  it('zip: 404 when nothing matches (204 with accept-not-found), simplified structure drops resources/ and files/', async () => {
    await call('PUT', `${E}/scans/1/resources/DICOM/files/x.dcm`, { body: 'x', headers: octet });
    expect((await call('GET', `${E}/scans/ALL/resources/NIFTI/files?format=zip`)).status).toBe(404);
    expect(
      (await call('GET', `${E}/scans/ALL/resources/NIFTI/files?format=zip&accept-not-found=true`)).status,
    ).toBe(204);
    const zip = await call('GET', `${E}/scans/1/resources/DICOM/files?format=zip&structure=simplified`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('content-disposition')).toBe('attachment; filename="E1.zip"');
    expect(Buffer.from(await zip.arrayBuffer()).includes('E1/scans/1/DICOM/x.dcm')).toBe(true);
  });

  it.each(['memory', 'disk'] as const)(
    'a client killed mid-upload leaves nothing stored (%s)',
    async (storage) => {
      await emu.close();
      await start({ storage });
      await call('PUT', `${E}?xsiType=xnat:mrSessionData`);
      await call('PUT', `${E}/resources/RAW`);
      const socket = connect(Number(new URL(emu.url).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        `PUT ${E}/resources/RAW/files/half.bin HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n` +
          'Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n' +
          'x'.repeat(50_000),
      );
      const logged = new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (emu.state.requestLog.some((r) => r.path.endsWith('half.bin'))) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      socket.destroy();
      await logged;
      const listing = (await (await call('GET', `${E}/resources/RAW/files?format=json`)).json()) as {
        ResultSet: { Result: unknown[] };
      };
      expect(listing.ResultSet.Result).toEqual([]);
      expect(emu.state.fileCount).toBe(0);
      expect(emu.state.storedFiles()).toEqual([]);
    },
  );

  it('disk storage keeps bytes in a temp folder that close() removes', async () => {
    await emu.close();
    await start({ storage: 'disk' });
    await call('PUT', `${E}?xsiType=xnat:mrSessionData`);
    await call('PUT', `${E}/resources/RAW`);
    expect(
      (await call('PUT', `${E}/resources/RAW/files/r.bin`, { body: 'raw bytes', headers: octet })).status,
    ).toBe(200);
    expect(await (await call('GET', `${E}/resources/RAW/files/r.bin`)).text()).toBe('raw bytes');
    const stored = emu.state.experiment('P1', 'E1')?.resources.get('RAW')?.files.get('r.bin')?.content;
    expect(stored?.kind).toBe('disk');
    await emu.close();
    await expect(access(stored?.kind === 'disk' ? stored.file : '')).rejects.toThrow();
  });
});

describe('XNAT emulator: fault rates', () => {
  it('are deterministic for a seed and leave the login alone', async () => {
    const run = async () => {
      emu.faults.setRates({ serverError: 0.3, status: 500 }, 42);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await call('GET', '/data/projects?format=json')).status);
      expect(
        (await fetch(`${emu.url}/data/JSESSION`, { method: 'POST', headers: { authorization: basic } }))
          .status,
      ).toBe(200);
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(first).toEqual(second);
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
  });
});
