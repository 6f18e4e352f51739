import { writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_SETTINGS_PHP, ROUTER_PHP } from './localSettings';
import type { HarnessConfig } from './localSettings';

/** The files of one wiki folder: `conf/` (settings, router), `data/` (SQLite), `images/`, `tmp/`. */
export interface WikiFolder {
  root: string;
  confDir: string;
  dataDir: string;
  uploadDir: string;
  tmpDir: string;
  localSettings: string;
  router: string;
  harnessJson: string;
}

export function wikiFolder(root: string): WikiFolder {
  const confDir = path.join(root, 'conf');
  return {
    root,
    confDir,
    dataDir: path.join(root, 'data'),
    uploadDir: path.join(root, 'images'),
    tmpDir: path.join(root, 'tmp'),
    localSettings: path.join(confDir, 'LocalSettings.php'),
    router: path.join(confDir, 'router.php'),
    harnessJson: path.join(confDir, 'harness.json'),
  };
}

/** Writes harness.json atomically, so a request never reads half a file. */
export async function writeHarnessConfig(folder: WikiFolder, config: HarnessConfig): Promise<void> {
  const partial = `${folder.harnessJson}.${process.pid}.${Date.now()}.part`;
  await writeFile(partial, JSON.stringify(config, null, 2));
  await rename(partial, folder.harnessJson);
}

/** Writes LocalSettings.php, the php -S router and harness.json. */
export async function writeWikiConf(folder: WikiFolder, config: HarnessConfig): Promise<void> {
  await writeFile(folder.localSettings, LOCAL_SETTINGS_PHP);
  await writeFile(folder.router, ROUTER_PHP);
  await writeHarnessConfig(folder, config);
}
