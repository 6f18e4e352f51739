import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CourierError } from '../../shared/errors';

export interface Credentials {
  user: string;
  password: string;
}

/** Where adapters get a login for a service at a URL ('xnat', 'mediawiki', …); never stored in the ledger. */
export type CredentialSource = (service: string, url: string) => Promise<Credentials>;

const ENV_NAMES: Record<string, [string, string]> = {
  xnat: ['XNAT_USER', 'XNAT_PASSWORD'],
  mediawiki: ['WIKI_USER', 'WIKI_PASSWORD'],
};

/** Reads `machine HOST login USER password PASS` entries of a .netrc file. */
export function parseNetrc(text: string): Map<string, Credentials> {
  const tokens = text.replace(/#.*$/gm, '').split(/\s+/).filter(Boolean);
  const machines = new Map<string, Credentials>();
  let host: string | undefined;
  let entry: Partial<Credentials> = {};
  const flush = () => {
    if (host && entry.user !== undefined && entry.password !== undefined) {
      machines.set(host, { user: entry.user, password: entry.password });
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine' || t === 'default') {
      flush();
      host = t === 'default' ? '*' : tokens[++i];
      entry = {};
    } else if (t === 'login') entry.user = tokens[++i];
    else if (t === 'password') entry.password = tokens[++i];
  }
  flush();
  return machines;
}

/**
 * Credentials from the environment (XNAT_USER/XNAT_PASSWORD, WIKI_USER/WIKI_PASSWORD), else ~/.netrc for
 * the URL's host, else `prompt` (a TTY prompt in the CLI), else a clear error.
 */
export function environmentCredentials(
  env: NodeJS.ProcessEnv = process.env,
  prompt?: (service: string, url: string) => Promise<Credentials | undefined>,
  netrcPath: string = join(homedir(), '.netrc'),
): CredentialSource {
  return async (service, url) => {
    const names = ENV_NAMES[service];
    if (names && env[names[0]] && env[names[1]] !== undefined) {
      return { user: env[names[0]]!, password: env[names[1]]! };
    }
    const host = new URL(url).hostname;
    const netrc = await readFile(netrcPath, 'utf8').then(parseNetrc, () => new Map<string, Credentials>());
    const found = netrc.get(host) ?? netrc.get('*');
    if (found) return found;
    const asked = await prompt?.(service, url);
    if (asked) return asked;
    const hint = names ? `set ${names[0]} and ${names[1]}, ` : '';
    throw new CourierError({
      code: 'no-credentials',
      message: `No login for ${service} at ${host}: ${hint}add it to ~/.netrc, or run from a terminal to be asked.`,
    });
  };
}
