import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isSafeExternalUrl,
  isTrustedSender,
  permissionDecision,
  resolveAppRequest,
  secureWebPreferences,
} from '../../../electron/shell/security';

describe('desktop security policy', () => {
  it('isolates and sandboxes every app window, without Node', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
  });

  it('has a CSP that allows only the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });

  it('serves app:// requests only from inside the renderer folder', () => {
    expect(resolveAppRequest('app://courier/index.html', '/opt/app/renderer')).toBe(
      '/opt/app/renderer/index.html',
    );
    expect(resolveAppRequest('app://courier/', '/opt/app/renderer')).toBe('/opt/app/renderer/index.html');
    expect(resolveAppRequest('app://courier/assets/a.js', '/opt/app/renderer')).toBe(
      '/opt/app/renderer/assets/a.js',
    );
    expect(resolveAppRequest('app://courier/..%2F..%2Fetc%2Fpasswd', '/opt/app/renderer')).toBeNull();
    // Dot segments are resolved by URL parsing first, so they can only ever name files inside the folder.
    expect(resolveAppRequest('app://courier/%2e%2e/secret', '/opt/app/renderer')).toBe(
      '/opt/app/renderer/secret',
    );
    expect(resolveAppRequest('app://other/index.html', '/opt/app/renderer')).toBeNull();
    expect(resolveAppRequest('file:///etc/passwd', '/opt/app/renderer')).toBeNull();
    expect(resolveAppRequest('app://courier/a%00.js', '/opt/app/renderer')).toBeNull();
  });

  it('lets app windows navigate only to app pages and opens only plain http(s) links outside', () => {
    expect(isAppUrl('app://courier/index.html#/batches')).toBe(true);
    expect(isAppUrl('https://radiopaedia.org')).toBe(false);
    expect(isSafeExternalUrl('https://nccommons.org/wiki/File:X.png')).toBe(true);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('https://user:pw@evil.example/')).toBe(false);
  });

  it('denies every permission and trusts only its own windows showing app pages', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal'])
      expect(permissionDecision(p)).toBe(false);
    const trusted = new Set([5]);
    expect(isTrustedSender({ id: 5 }, 'app://courier/index.html', trusted)).toBe(true);
    expect(isTrustedSender({ id: 5 }, 'https://radiopaedia.org/', trusted)).toBe(false);
    expect(isTrustedSender({ id: 6 }, 'app://courier/index.html', trusted)).toBe(false);
    expect(isTrustedSender({ id: 5 }, undefined, trusted)).toBe(false);
  });

  it('wires the policy into the shell: navigation, new windows, permissions, webviews and the protocol', () => {
    const main = readFileSync('electron/shell/main.ts', 'utf8');
    expect(main).toMatch(/will-navigate[\s\S]*isAppUrl/);
    expect(main).toMatch(/will-redirect/);
    expect(main).toMatch(/setWindowOpenHandler\([\s\S]*action: 'deny'/);
    expect(main).toMatch(/setPermissionRequestHandler\([\s\S]*permissionDecision/);
    expect(main).toMatch(/setPermissionCheckHandler/);
    expect(main).toMatch(/will-attach-webview[\s\S]*preventDefault/);
    expect(main).toMatch(/secureWebPreferences\(/);
    expect(main).toMatch(/protocol\.handle\(APP_SCHEME[\s\S]*resolveAppRequest/);
    expect(main).toMatch(/app\.enableSandbox\(\)/);
    expect(main).not.toMatch(/ipcMain|ipcRenderer/);
    const preload = readFileSync('electron/shell/preload.ts', 'utf8');
    expect(preload).toMatch(/contextBridge\.exposeInMainWorld\('courier'/);
    expect(preload).not.toMatch(/invoke\(\s*channel/);
  });
});
