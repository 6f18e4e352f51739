import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where Debian's `mediawiki` package puts the core; `MEDIAWIKI_DIR` overrides it. */
export function mediawikiCoreDir(): string {
  return process.env.MEDIAWIKI_DIR ?? '/usr/share/mediawiki';
}

/** The core's version (`1.39.17`), read from includes/Defines.php; throws a clear error when absent. */
export function mediawikiVersion(coreDir: string): string {
  let defines: string;
  try {
    defines = readFileSync(path.join(coreDir, 'includes', 'Defines.php'), 'utf8');
  } catch {
    throw new Error(
      `MediaWiki is not installed at ${coreDir} (install Debian's 'mediawiki' and 'php-sqlite3' packages, ` +
        'or set MEDIAWIKI_DIR)',
    );
  }
  const match = /define\(\s*'MW_VERSION',\s*'([^']+)'/.exec(defines);
  if (!match?.[1]) throw new Error(`Cannot read MW_VERSION from ${coreDir}/includes/Defines.php`);
  return match[1];
}

export interface ScriptOutput {
  stdout: string;
  stderr: string;
}

/** Runs `php <core>/maintenance/<script>.php args…` against the wiki whose LocalSettings.php is given. */
export function runMaintenanceScript(
  coreDir: string,
  configFile: string | null,
  script: string,
  args: readonly string[],
): Promise<ScriptOutput> {
  const scriptPath = path.join(coreDir, 'maintenance', `${script}.php`);
  const env = { ...process.env };
  if (configFile) env.MW_CONFIG_FILE = configFile;
  else delete env.MW_CONFIG_FILE;
  return new Promise((resolve, reject) => {
    execFile(
      'php',
      [scriptPath, ...args],
      { env, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`maintenance/${script}.php failed: ${error.message}\n${stdout}\n${stderr}`.trim(), {
              cause: error,
            }),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}
