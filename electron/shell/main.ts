// The desktop shell: app lifecycle, the window, the app:// protocol, the security policy, and the
// bridge to the engine's utility process. No application logic lives here.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { app, BrowserWindow, Menu, protocol, session, shell } from 'electron';
import { chooseDataFolder } from '../engine/appPaths';
import { installIpcHost } from './ipcHost';
import { startEngineProcess } from './engineHost';
import { printReportToPdf } from './printReport';
import {
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isSafeExternalUrl,
  permissionDecision,
  resolveAppRequest,
  secureWebPreferences,
} from './security';

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const windows = new Set<BrowserWindow>();

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Imaging Courier',
    show: false,
    webPreferences: secureWebPreferences(join(__dirname, 'preload.cjs')),
  });
  windows.add(window);
  window.on('closed', () => windows.delete(window));
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

app.enableSandbox();
void app.whenReady().then(() => {
  const rendererDir = join(__dirname, '..', 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppRequest(request.url, rendererDir);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'content-type': MIME[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': CONTENT_SECURITY_POLICY,
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionDecision(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));

  // The data folder chosen in Settings (kept in the per-user folder), else the per-user folder itself.
  const homeDir = app.getPath('userData');
  const { dir: dataDir, pointer } = chooseDataFolder(homeDir);
  if (pointer.problem) console.error(`${pointer.problem} The default folder ${homeDir} is used.`);
  const engine = startEngineProcess({
    distDir: __dirname,
    dataDir,
    homeDir,
    onEvent: (event, payload) => ipc.sendEvent(event, payload),
    onExit: (code) => {
      if (code !== 0) console.error(`The engine process stopped with code ${code}.`);
    },
  });
  const ipc = installIpcHost({
    trustedWindows: () => [...windows],
    forward: (command, args) => engine.call(command, args),
    shellHandlers: { 'reports.printPdf': ({ fileName }) => printReportToPdf(dataDir, fileName) },
  });
  Menu.setApplicationMenu(null);
  createWindow();
  app.on('activate', () => {
    if (windows.size === 0) createWindow();
  });
  app.on('before-quit', () => engine.stop());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
