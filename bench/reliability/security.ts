/**
 * Security: the Electron checklist (reference/electron.md §2) read from the shell's own configuration and
 * pure parts and from electron-builder.yml; web mode (loopback only, token, Origin and Host checks); and
 * runs with known passwords whose logs, ledger bytes, events and exports are searched for them.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { connect as netConnect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import yauzl from 'yauzl';
import { parse as parseYaml } from 'yaml';
import { COMMAND_NAMES } from '../../shared/contract';
import { Engine } from '../../electron/engine/engine';
import { startWebHost } from '../../electron/engine/host/webHost';
import { registerCommands } from '../../electron/shell/commandRouting';
import type { InvokeEventLike } from '../../electron/shell/commandRouting';
import {
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isSafeExternalUrl,
  isTrustedSender,
  permissionDecision,
  resolveAppRequest,
  secureWebPreferences,
} from '../../electron/shell/security';
import { startXnatEmulator } from '../../test/servers/xnat/index';
import { makeTree, writeWorkbook } from '../../test/integration/xnat/uploadFixture';
import { testCipher } from '../../test/support/testCipher';
import { tempDir } from '../../test/support/tempDir';
import type { CourierInstall } from './courierProcess';
import { PartRecorder } from './report';
import type { PartResult } from './report';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function electronChecklist(rec: PartRecorder): Promise<void> {
  const prefs = secureWebPreferences('/app/preload.cjs') as Record<string, unknown>;
  const wanted: Record<string, unknown> = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
  };
  const off = Object.entries(wanted).filter(([k, v]) => prefs[k] !== v);
  rec.check(
    'webPreferences: context isolation, sandbox, no Node integration, web security, no webview',
    off.length === 0,
    off.map(([k]) => `${k}=${String(prefs[k])}`).join(', '),
  );
  const csp = CONTENT_SECURITY_POLICY;
  rec.check(
    'CSP: default-src and script-src self only, no eval or inline script, objects and framing off',
    /default-src 'self'/.test(csp) &&
      /script-src 'self'(;|$)/.test(csp) &&
      !/unsafe-eval/.test(csp) &&
      /object-src 'none'/.test(csp) &&
      /frame-ancestors 'none'/.test(csp),
    csp,
  );
  const urls = [
    'https://evil.example/',
    'file:///etc/passwd',
    'app://courier.evil/x',
    'javascript:alert(1)',
    'app://evil/index.html',
  ];
  rec.check(
    'only app://courier pages count as the app’s own',
    isAppUrl('app://courier/index.html') && urls.every((u) => !isAppUrl(u)),
    urls.filter(isAppUrl).join(', '),
  );
  const external = [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'https://user:pw@example.org/',
    'smb://host/share',
  ];
  rec.check(
    'links handed to the system browser: http(s) only, no credentials',
    isSafeExternalUrl('https://example.org/a') && external.every((u) => !isSafeExternalUrl(u)),
    external.filter(isSafeExternalUrl).join(', '),
  );
  const escapes = [
    'app://courier/../../etc/passwd',
    'app://courier/%2e%2e/%2e%2e/etc/passwd',
    'app://courier/a%00.html',
    'app://other/index.html',
  ];
  const outside = escapes.filter((u) => {
    const file = resolveAppRequest(u, '/srv/r');
    return file !== null && !file.startsWith('/srv/r/');
  });
  rec.check(
    'app:// never serves a file outside the renderer folder',
    resolveAppRequest('app://courier/index.html', '/srv/r') === '/srv/r/index.html' && outside.length === 0,
    outside.join(', '),
  );
  const permissions = ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'camera'];
  rec.check(
    'every permission request is refused',
    permissions.every((p) => !permissionDecision(p)),
    '',
  );
  const trusted = new Set([1]);
  rec.check(
    'IPC: only the app’s own windows showing app pages may call the engine',
    isTrustedSender({ id: 1 }, 'app://courier/index.html', trusted) &&
      !isTrustedSender({ id: 2 }, 'app://courier/index.html', trusted) &&
      !isTrustedSender({ id: 1 }, 'https://evil.example/', trusted) &&
      !isTrustedSender({ id: 1 }, undefined, trusted),
    '',
  );

  // The registered IPC handlers: one per command, sender checked, arguments validated before the engine.
  const handlers = new Map<string, (event: InvokeEventLike, args: unknown) => Promise<unknown>>();
  let forwarded = 0;
  registerCommands(
    { handle: (channel, listener) => void handlers.set(channel, listener) },
    {
      isTrusted: (e) => isTrustedSender(e.sender, e.senderFrame?.url, trusted),
      forward: async () => {
        forwarded++;
        return { ok: true, value: null };
      },
    },
  );
  rec.check(
    'IPC: one channel per contract command, no generic invoke channel',
    handlers.size === COMMAND_NAMES.length &&
      [...handlers.keys()].every((c) => COMMAND_NAMES.includes(c.replace(/^courier:/, '') as never)),
    `${handlers.size} channels for ${COMMAND_NAMES.length} commands`,
  );
  const call = handlers.get('courier:batches.get')!;
  const [untrusted, bad] = (await Promise.all([
    call({ sender: { id: 9 }, senderFrame: { url: 'app://courier/index.html' } }, { batchId: 1 }),
    call(
      { sender: { id: 1 }, senderFrame: { url: 'app://courier/index.html' } },
      { batchId: 'x; DROP TABLE items' },
    ),
  ])) as { ok: boolean; error?: { code: string } }[];
  rec.check(
    'IPC: an untrusted sender and malformed arguments are refused before the engine',
    untrusted?.error?.code === 'untrusted-sender' && bad?.error?.code === 'bad-arguments' && forwarded === 0,
    `${untrusted?.error?.code}, ${bad?.error?.code}, forwarded ${forwarded}`,
  );
}

function shellSource(rec: PartRecorder): void {
  const main = readFileSync(join(root, 'electron/shell/main.ts'), 'utf8');
  const preload = readFileSync(join(root, 'electron/shell/preload.ts'), 'utf8');
  const has = (re: RegExp) => re.test(main);
  rec.check(
    'main: navigation away from app pages is prevented (will-navigate, will-redirect)',
    has(/will-navigate[\s\S]{0,120}preventDefault/) && has(/will-redirect[\s\S]{0,120}preventDefault/),
    '',
  );
  rec.check(
    'main: window.open is denied (external links go to the system browser)',
    has(/setWindowOpenHandler[\s\S]{0,200}action: 'deny'/),
    '',
  );
  rec.check(
    'main: <webview> attachment is prevented',
    has(/will-attach-webview[\s\S]{0,80}preventDefault/),
    '',
  );
  rec.check(
    'main: permission request and check handlers are set',
    has(/setPermissionRequestHandler/) && has(/setPermissionCheckHandler/),
    '',
  );
  rec.check(
    'main: app pages are served with the CSP header, sandbox enabled for all renderers',
    has(/'content-security-policy': CONTENT_SECURITY_POLICY/) && has(/app\.enableSandbox\(\)/),
    '',
  );
  rec.check(
    'main: every window gets secureWebPreferences',
    has(/webPreferences: secureWebPreferences\(/) && !has(/webPreferences: \{/),
    '',
  );
  rec.check(
    'preload: exposes named functions through contextBridge, never ipcRenderer itself',
    /contextBridge\.exposeInMainWorld/.test(preload) &&
      !/exposeInMainWorld\([^)]*ipcRenderer[,)]/.test(preload) &&
      !/send\(|sendSync/.test(preload),
    '',
  );

  const builder = parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const fuses = (builder.electronFuses ?? {}) as Record<string, unknown>;
  const wantedFuses: Record<string, boolean> = {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  };
  const wrongFuses = Object.entries(wantedFuses).filter(([k, v]) => fuses[k] !== v);
  rec.check(
    'electron-builder.yml: fuses (no RunAsNode, NODE_OPTIONS, inspect; asar integrity, asar only)',
    wrongFuses.length === 0,
    wrongFuses.map(([k]) => `${k}=${String(fuses[k])}`).join(', '),
  );
  rec.check(
    'electron-builder.yml: the app ships in an asar without sources or tests',
    builder.asar === true && JSON.stringify(builder.files).includes('!test/**'),
    '',
  );
}

function wsConnect(
  url: string,
  headers: Record<string, string>,
): Promise<{ outcome: 'open' | number; ws: WebSocket }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((done) => {
    ws.once('open', () => done({ outcome: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => done({ outcome: res.statusCode ?? 0, ws }));
    ws.once('error', () => done({ outcome: 0, ws }));
  });
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = netConnect({ host, port });
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

/** Web mode's guards, and a saved connection's password that must never come back over the socket. */
async function webMode(
  rec: PartRecorder,
  dir: string,
  secret: string,
  xnatUrl: string,
  messages: string[],
): Promise<void> {
  const web = join(dir, 'web');
  mkdirSync(web, { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Imaging Courier</title>');
  const engine = new Engine({
    dbFile: join(dir, 'web.sqlite'),
    dataDir: dir,
    mode: 'web',
    cipher: testCipher(),
  });
  const host = await startWebHost({ engine, staticDir: web });
  try {
    const origin = `http://127.0.0.1:${host.port}`;
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    const open = [];
    for (const address of others) if (await reachable(address, host.port)) open.push(address);
    rec.check(
      'web mode listens on 127.0.0.1 only',
      host.url.startsWith('http://127.0.0.1:') && open.length === 0,
      `${host.url}; reachable on ${open.join(', ') || 'no other address'} (tried ${others.join(', ') || 'none'})`,
    );
    const page = [
      (await fetch(`${origin}/`)).status,
      (await fetch(`${origin}/?token=wrong`)).status,
      (await fetch(host.url)).status,
    ];
    rec.check(
      'web mode: the page needs the token',
      page[0] === 401 && page[1] === 401 && page[2] === 200,
      page.join(', '),
    );
    const ws = `ws://127.0.0.1:${host.port}/ws`;
    const refused = [
      (await wsConnect(ws, { origin })).outcome,
      (await wsConnect(`${ws}?token=nope`, { origin })).outcome,
      (await wsConnect(`${ws}?token=${host.token}`, { origin: 'https://evil.example' })).outcome,
      (await wsConnect(`${ws}?token=${host.token}`, {})).outcome,
      (await wsConnect(`${ws}?token=${host.token}`, { origin, host: `evil.example:${host.port}` })).outcome,
    ];
    rec.check(
      'web mode: the socket refuses no token, a wrong token, a foreign or missing Origin, a foreign Host',
      refused.every((o) => o !== 'open'),
      refused.join(', '),
    );
    const { outcome, ws: socket } = await wsConnect(`${ws}?token=${host.token}`, { origin });
    rec.check(
      'web mode: the socket opens with the token and the page’s own Origin',
      outcome === 'open',
      String(outcome),
    );
    socket.on('message', (d) => messages.push(String(d)));
    let id = 0;
    const ask = (command: string, args: unknown) =>
      new Promise<{ ok: boolean; value?: unknown; error?: unknown }>((done) => {
        const mine = ++id;
        const onMessage = (d: WebSocket.RawData) => {
          const msg = JSON.parse(String(d)) as { id?: number; ok: boolean };
          if (msg.id === mine) {
            socket.off('message', onMessage);
            done(msg);
          }
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ id: mine, command, args }));
      });
    const saved = await ask('connections.save', {
      kind: 'xnat',
      label: 'Secret XNAT',
      url: xnatUrl,
      username: 'archivist',
      password: secret,
    });
    const savedId = (saved.value as { id?: string } | undefined)?.id ?? '';
    const tested = await ask('connections.test', { id: savedId });
    await ask('connections.save', {
      kind: 'xnat',
      label: 'Wrong',
      url: xnatUrl,
      username: 'archivist',
      password: `${secret}-wrong`,
    }).then((w) => ask('connections.test', { id: (w.value as { id?: string } | undefined)?.id ?? '' }));
    await ask('connections.list', {});
    rec.check(
      'web mode: a saved connection logs in with its password',
      (tested.value as { ok?: boolean } | undefined)?.ok === true,
      JSON.stringify(tested).slice(0, 300),
    );
    socket.close();
  } finally {
    await host.close();
    await engine.close();
  }
}

/** The inflated entries of a zip (an .xlsx), so text stored compressed is searched too. */
async function unzipped(bytes: Buffer): Promise<Buffer> {
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  const parts: Buffer[] = [];
  for await (const entry of zip.eachEntry()) {
    const stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk);
  }
  zip.close();
  return Buffer.concat(parts);
}

/** Every file below `dir`, with its bytes (an .xlsx also with its inflated contents). */
async function filesBelow(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    out.push({ path, bytes: path.endsWith('.xlsx') ? Buffer.concat([bytes, await unzipped(bytes)]) : bytes });
  }
  return out;
}

/** Where a secret shows up: plain, URL-encoded, base64 (as in a Basic header) or UTF-16. */
function leaks(haystack: Buffer, secret: string, user: string): boolean {
  const forms = [
    secret,
    encodeURIComponent(secret),
    Buffer.from(`${user}:${secret}`).toString('base64'),
    Buffer.from(secret).toString('base64'),
  ];
  return (
    forms.some((f) => haystack.includes(Buffer.from(f))) || haystack.includes(Buffer.from(secret, 'utf16le'))
  );
}

async function secrets(courier: CourierInstall, rec: PartRecorder, dir: string): Promise<void> {
  const secret = `Pw-${Math.random().toString(36).slice(2)}-Zq9!`;
  const xnat = await startXnatEmulator({
    users: [{ username: 'archivist', password: secret }],
    projects: [{ id: 'P1' }],
  });
  const logs: string[] = [];
  const messages: string[] = [];
  try {
    const tree = makeTree(join(dir, 'data'), { subjects: 1, datasets: 2, files: 10 });
    const db = join(dir, 'ledger.sqlite');
    const workbook = join(dir, 'upload.xlsx');
    await writeWorkbook(workbook, xnat.url, 'P1');
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const r = await courier.run(['--db', db, ...args], env, 180_000);
      logs.push(r.stdout, r.stderr);
      return r;
    };
    await run(['scan', '--dir', join(dir, 'data'), '--workbook', workbook, '--batch', 'secret']);
    const wrong = await run(['upload', '--batch', 'secret'], {
      XNAT_USER: 'archivist',
      XNAT_PASSWORD: `${secret}-wrong`,
    });
    // Faults that make the engine log in again and report errors, so error paths are searched too.
    xnat.faults.failNext(3, { kind: 'status', status: 503, match: { method: 'PUT' } });
    xnat.faults.failNext(1, { kind: 'expire-session', match: { method: 'PUT' } });
    xnat.faults.failNext(1, { kind: 'wrong-digest', match: { method: 'PUT' } });
    const right = await run(['upload', '--batch', 'secret'], {
      XNAT_USER: 'archivist',
      XNAT_PASSWORD: secret,
    });
    rec.check(
      'known-password run: a wrong password stops with exit 2, the right one uploads',
      wrong.code === 2 &&
        (right.code === 0 || right.code === 1) &&
        xnat.state.storedFiles().length >= tree.length - 1,
      `wrong ${wrong.code}, right ${right.code}, stored ${xnat.state.storedFiles().length}`,
    );
    await run(['status', '--json']);
    for (const format of ['csv', 'xlsx', 'json', 'html'])
      await run(['export', '--batch', 'secret', '--format', format, '--out', join(dir, `export.${format}`)]);
    await webMode(rec, join(dir, 'webmode'), secret, xnat.url, messages);

    const files = (await filesBelow(dir)).filter((f) => !f.path.includes(`${join(dir, 'data')}/`));
    const leakingFiles = files
      .filter((f) => leaks(f.bytes, secret, 'archivist'))
      .map((f) => f.path.replace(dir, ''));
    const leakingLogs = logs.filter((l) => leaks(Buffer.from(l), secret, 'archivist'));
    const leakingMessages = messages.filter((m) => leaks(Buffer.from(m), secret, 'archivist'));
    rec.figure('secret_search_files', files.length);
    rec.figure('secret_search_log_streams', logs.length);
    rec.figure('secret_search_socket_messages', messages.length);
    rec.note(
      `Searched for the password (plain, URL-encoded, base64, UTF-16): ${files.map((f) => f.path.replace(`${dir}/`, '')).join(', ')}; every stdout/stderr; every web socket message.`,
    );
    const planted = await unzipped(readFileSync(join(dir, 'upload.xlsx'))).then(() =>
      Buffer.from(`user ${secret} here`),
    );
    rec.check(
      'control: the search finds the password where one is planted',
      leaks(planted, secret, 'archivist'),
      '',
    );
    rec.check(
      'no ledger, WAL, workbook or export file holds the password',
      leakingFiles.length === 0,
      leakingFiles.join(', '),
    );
    rec.check(
      'no log line (stdout/stderr) holds the password',
      leakingLogs.length === 0,
      leakingLogs.map((l) => l.slice(0, 200)).join(' | '),
    );
    rec.check(
      'no web socket reply or event holds the password',
      leakingMessages.length === 0,
      leakingMessages.slice(0, 2).join(' | ').slice(0, 300),
    );
  } finally {
    await xnat.close();
  }
}

export async function security(courier: CourierInstall): Promise<PartResult> {
  const rec = new PartRecorder('security', 'Electron checklist, web mode guards, secrets never written');
  const dir = tempDir('reliability-security-');
  try {
    await electronChecklist(rec);
    shellSource(rec);
    await secrets(courier, rec, dir.path);
  } catch (error) {
    rec.fail(error);
  } finally {
    dir.cleanup();
  }
  return rec.result();
}
