import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from './localSettings';
import type { HarnessConfig } from './localSettings';
import { runMaintenanceScript } from './maintenance';
import { wikiFolder, writeWikiConf } from './wikiFolder';
import type { WikiFolder } from './wikiFolder';

/** Bump when the template's users, grants or layout change, so stale caches are not reused. */
const TEMPLATE_FORMAT = 3;

/** Grants an uploading bot needs (reference/mediawiki.md §3.2). */
export const UPLOAD_GRANTS = [
  'basic',
  'highvolume',
  'editpage',
  'createeditmovepage',
  'uploadfile',
  'uploadeditmovefile',
];
/** The same without `uploadfile`/`uploadeditmovefile`: such a bot can log in and edit but not upload. */
export const NO_UPLOAD_GRANTS = ['basic', 'highvolume', 'editpage', 'createeditmovepage'];

export interface Account {
  user: string;
  password: string;
}

/** What a template holds besides its database: the accounts created in it. */
export interface TemplateInfo {
  version: string;
  secretKey: string;
  upgradeKey: string;
  /** Administrator (sysop, bureaucrat) for `clientlogin` and fixtures. */
  admin: Account;
  /** The bot's main account (group `bot`), for `clientlogin`. */
  botMain: Account;
  /** Bot password `UploaderBot@courier` with the upload grants. */
  bot: Account;
  /** Bot password `UploaderBot@noupload` without the upload grants. */
  botWithoutUpload: Account;
}

export interface Template {
  folder: WikiFolder;
  info: TemplateInfo;
}

function imageMagickPath(): string | null {
  return existsSync('/usr/bin/convert') ? '/usr/bin/convert' : null;
}

/** harness.json for a wiki living in `folder` (template or copy). */
export function baseHarnessConfig(folder: WikiFolder, info: TemplateInfo, sitename: string): HarnessConfig {
  return {
    sitename,
    server: 'http://127.0.0.1',
    dataDir: folder.dataDir,
    uploadDir: folder.uploadDir,
    tmpDir: folder.tmpDir,
    secretKey: info.secretKey,
    upgradeKey: info.upgradeKey,
    imageMagick: imageMagickPath(),
    settings: DEFAULT_SETTINGS,
  };
}

function parseBotPassword(stdout: string): string {
  const match = /password:'([0-9a-z]{32,})'/.exec(stdout);
  if (!match?.[1]) throw new Error(`createBotPassword.php printed no password: ${stdout}`);
  return match[1];
}

async function buildTemplate(coreDir: string, version: string, buildDir: string): Promise<TemplateInfo> {
  const folder = wikiFolder(buildDir);
  await Promise.all(
    [folder.confDir, folder.dataDir, folder.uploadDir, folder.tmpDir].map((d) =>
      mkdir(d, { recursive: true }),
    ),
  );
  const info: TemplateInfo = {
    version,
    secretKey: randomBytes(32).toString('hex'),
    upgradeKey: randomBytes(8).toString('hex'),
    admin: { user: 'Admin', password: `adm-${randomBytes(12).toString('hex')}` },
    botMain: { user: 'UploaderBot', password: `bot-${randomBytes(12).toString('hex')}` },
    bot: { user: 'UploaderBot@courier', password: '' },
    botWithoutUpload: { user: 'UploaderBot@noupload', password: '' },
  };
  // install.php writes its own LocalSettings.php into --confpath, which must exist; ours replaces it.
  await runMaintenanceScript(coreDir, null, 'install', [
    '--dbtype=sqlite',
    `--dbpath=${folder.dataDir}`,
    '--dbname=testwiki',
    '--server=http://127.0.0.1',
    '--scriptpath=',
    '--lang=en',
    `--pass=${info.admin.password}`,
    `--confpath=${folder.confDir}`,
    '--skins=Vector',
    'TestWiki',
    info.admin.user,
  ]);
  await writeWikiConf(folder, baseHarnessConfig(folder, info, 'TestWiki'));
  const ls = folder.localSettings;
  await runMaintenanceScript(coreDir, ls, 'createAndPromote', [
    '--bot',
    info.botMain.user,
    info.botMain.password,
  ]);
  const full = await runMaintenanceScript(coreDir, ls, 'createBotPassword', [
    '--appid=courier',
    `--grants=${UPLOAD_GRANTS.join(',')}`,
    info.botMain.user,
  ]);
  info.bot.password = parseBotPassword(full.stdout);
  const limited = await runMaintenanceScript(coreDir, ls, 'createBotPassword', [
    '--appid=noupload',
    `--grants=${NO_UPLOAD_GRANTS.join(',')}`,
    info.botMain.user,
  ]);
  info.botWithoutUpload.password = parseBotPassword(limited.stdout);
  await rm(folder.confDir, { recursive: true, force: true });
  await writeFile(path.join(buildDir, 'template.json'), JSON.stringify(info, null, 2));
  return info;
}

/** The cache folder of installed templates; `MEDIAWIKI_TEMPLATE_CACHE` overrides it. */
function templateRoot(): string {
  return process.env.MEDIAWIKI_TEMPLATE_CACHE ?? path.join(os.tmpdir(), 'imaging-courier-mediawiki');
}

/**
 * An installed wiki (database with an admin, a bot and two bot passwords) for this MediaWiki version,
 * built once and cached under the OS temp folder. Builds racing in parallel test files each build into
 * their own folder; the first rename wins and the others use the winner.
 */
export async function ensureTemplate(coreDir: string, version: string): Promise<Template> {
  const root = templateRoot();
  const finalDir = path.join(root, `${version}-f${TEMPLATE_FORMAT}`);
  const infoFile = path.join(finalDir, 'template.json');
  if (!existsSync(infoFile)) {
    await mkdir(root, { recursive: true });
    const buildDir = path.join(root, `build-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await buildTemplate(coreDir, version, buildDir);
      await rename(buildDir, finalDir).catch(async (err: NodeJS.ErrnoException) => {
        if (!existsSync(infoFile)) throw err;
      });
    } finally {
      await rm(buildDir, { recursive: true, force: true });
    }
  }
  const info = JSON.parse(await readFile(infoFile, 'utf8')) as TemplateInfo;
  return { folder: wikiFolder(finalDir), info };
}

/** Copies the template's database into `folder` (a fresh wiki of its own). */
export async function copyTemplate(template: Template, folder: WikiFolder): Promise<void> {
  await cp(template.folder.dataDir, folder.dataDir, { recursive: true });
  await Promise.all(
    [folder.confDir, folder.uploadDir, folder.tmpDir].map((d) => mkdir(d, { recursive: true })),
  );
}
