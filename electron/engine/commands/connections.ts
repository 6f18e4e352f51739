import type { Connection, ConnectionTest, connectionCommands } from '../../../shared/commands/connections';
import { CourierError } from '../../../shared/errors';
import { createIsicClient } from '../clients/isic/isicClient';
import { mediawikiClient } from '../clients/mediawiki/mediawikiClient';
import { XnatClient } from '../clients/xnat/xnatClient';
import type { CommandContext, HandlersFor } from './context';

export function connectionHandlers(ctx: CommandContext): HandlersFor<typeof connectionCommands> {
  return {
    'connections.list': () => ctx.connections.list(),
    'connections.save': (args) => ctx.connections.save(args),
    'connections.delete': ({ id }) => ({ deleted: ctx.connections.delete(id) }),
    'connections.test': async ({ id }) => {
      const connection = ctx.connections.get(id);
      try {
        return await testConnection(ctx, connection);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, message, details: {} };
      }
    },
  };
}

/** Signs in (or, for the ISIC Archive, asks for a count) and says what the account may do there. */
async function testConnection(ctx: CommandContext, c: Connection): Promise<ConnectionTest> {
  switch (c.kind) {
    case 'xnat': {
      const login = await ctx.connections.login(c.id);
      const client = await XnatClient.connect({
        server: c.url,
        username: login.user,
        password: login.password,
        timeoutMs: 20_000,
      });
      const projects = await client.listProjects('read');
      return {
        ok: true,
        message: `Signed in to ${c.url} as ${login.user}; ${projects.length} project${projects.length === 1 ? '' : 's'} readable.`,
        details: { projects: projects.map((p) => p.id) },
      };
    }
    case 'mediawiki': {
      const login = await ctx.connections.login(c.id);
      const wiki = mediawikiClient({
        apiUrl: c.url,
        credentials: { user: login.user, password: login.password },
        maxlag: null,
      });
      const [site] = await Promise.all([wiki.siteInfo(), wiki.login()]);
      const user = await wiki.userInfo();
      const canUpload = user.rights.includes('upload');
      return {
        ok: canUpload,
        message: canUpload
          ? `Signed in to ${site.sitename} as ${user.name}; uploads are allowed.`
          : `Signed in to ${site.sitename} as ${user.name}, but this account may not upload files (no 'upload' right; for a bot password, grant "Upload new files").`,
        details: { sitename: site.sitename, user: user.name, canUpload },
      };
    }
    case 'isic': {
      const isic = createIsicClient({ apiUrl: c.url });
      const count = await isic.count({});
      return {
        ok: true,
        message: `The ISIC Archive at ${c.url} answers: ${count.toLocaleString('en')} public images.`,
        details: { images: count },
      };
    }
    default:
      throw new CourierError({ code: 'bad-connection', message: `Unknown connection kind '${c.kind}'.` });
  }
}
