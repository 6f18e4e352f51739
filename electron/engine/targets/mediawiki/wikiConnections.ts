import { createHash } from 'node:crypto';
import { CourierError, isCourierError } from '../../../../shared/errors';
import { mediawikiClient } from '../../clients/mediawiki';
import type { MediawikiClient } from '../../clients/mediawiki';
import type { StepContext } from '../../runner/adapters';
import type { MediawikiTargetConfig } from './targetConfig';

export interface ConnectionOptions {
  /** The HTTP client every request goes through (tests pass one that records). */
  fetch?: typeof fetch;
  userAgent?: string;
}

/** How long a refused login is remembered: a batch must not try every file against the wiki's login throttle. */
const REFUSED_LOGIN_MEMORY_MS = 60_000;

interface Uploader {
  ready: Promise<MediawikiClient>;
  refusedAt?: number;
}

async function readyToUpload(client: MediawikiClient, user: string, api: string): Promise<MediawikiClient> {
  await client.login();
  const me = await client.userInfo();
  if (!me.rights.includes('upload')) {
    throw new CourierError({
      code: 'wiki-permission',
      message: `${user} can log in to ${api} but may not upload files; give the bot password the 'uploadfile' grant (Special:BotPasswords) or the account the upload right`,
      detail: { rights: me.rights },
    });
  }
  return client;
}

/**
 * The wiki clients of every mediawiki batch in this process: one logged-in client per wiki and login
 * (its cookie jar, token and site information shared by all files), one anonymous client per reference
 * wiki. A login the wiki refused is remembered for a minute, so every file of the batch fails at once
 * with the same clear message instead of each trying again.
 */
export class WikiConnections {
  private readonly uploaders = new Map<string, Uploader>();
  private readonly readers = new Map<string, MediawikiClient>();

  constructor(private readonly options: ConnectionOptions = {}) {}

  /** A client logged in to the target with the batch's credentials and allowed to upload. */
  async uploader(config: MediawikiTargetConfig, ctx: StepContext): Promise<MediawikiClient> {
    const login = await ctx.credentials('mediawiki', config.api);
    const secret = createHash('sha256').update(login.password).digest('hex');
    const key = JSON.stringify([config.api, login.user, secret, config.chunkSize ?? null, config.maxlag]);
    const cached = this.uploaders.get(key);
    if (
      cached &&
      (cached.refusedAt === undefined || ctx.clock.now() - cached.refusedAt < REFUSED_LOGIN_MEMORY_MS)
    ) {
      return cached.ready;
    }
    const client = mediawikiClient({
      apiUrl: config.api,
      credentials: { user: login.user, password: login.password },
      chunkSize: config.chunkSize,
      maxlag: config.maxlag,
      fetch: this.options.fetch,
      userAgent: this.options.userAgent,
    });
    const entry: Uploader = { ready: readyToUpload(client, login.user, config.api) };
    this.uploaders.set(key, entry);
    entry.ready.catch((err: unknown) => {
      if (isCourierError(err) && !err.retryable) entry.refusedAt = ctx.clock.now();
      else if (this.uploaders.get(key) === entry) this.uploaders.delete(key);
    });
    return entry.ready;
  }

  /** An anonymous client for lookups (reference wikis, dry runs). */
  reader(api: string, config: Pick<MediawikiTargetConfig, 'maxlag'>): MediawikiClient {
    const key = JSON.stringify([api, config.maxlag]);
    let client = this.readers.get(key);
    if (!client) {
      client = mediawikiClient({
        apiUrl: api,
        maxlag: config.maxlag,
        fetch: this.options.fetch,
        userAgent: this.options.userAgent,
      });
      this.readers.set(key, client);
    }
    return client;
  }
}
