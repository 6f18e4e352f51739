import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PRODUCT_NAME } from '../../../electron/engine/appPaths';

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string; maintainer: string };
  deb: { depends: string[] };
  win: { target: string[] };
  mac: { target: string[]; hardenedRuntime: boolean; entitlements: string };
  directories: { output: string; buildResources: string };
}

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  main: string;
  name: string;
  productName: string;
};

describe('electron-builder.yml', () => {
  it('names the app and builds AppImage, deb, NSIS and dmg', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.productName).toBe('Imaging Courier');
    // Electron names its per-user folder after package.json's productName, in development too: the same
    // folder the command line and web mode use as their data folder.
    expect(pkg.productName).toBe(config.productName);
    expect(PRODUCT_NAME).toBe(config.productName);
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    expect(config.linux.maintainer).toBeTruthy();
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libnss3', 'libsecret-1-0']));
  });

  it('ships the built output and nothing else, with native modules outside the asar', () => {
    expect(config.files).toContain('dist/**/*');
    expect(config.files).toContain('package.json');
    for (const excluded of [
      '!test/**',
      '!bench/**',
      '!**/*.ts',
      '!electron/**',
      '!renderer/**',
      '!shared/**',
    ]) {
      expect(config.files).toContain(excluded);
    }
    // A blanket exclusion of prebuilds would delete better-sqlite3's binaries.
    expect(config.files.some((f) => f.includes('prebuilds'))).toBe(false);
    expect(pkg.main.startsWith('dist/')).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.npmRebuild).toBe(false);
  });

  it('flips the fuses the security checklist asks for', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('points at resources that exist', () => {
    expect(existsSync(config.linux.icon)).toBe(true);
    expect(existsSync(config.mac.entitlements)).toBe(true);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.directories.buildResources).toBe('build');
  });
});
