import type { Delivery, TargetAdapter } from '../../runner/adapters';
import { dryRun } from './dryRun';
import { fileSha1 } from './fileSha1';
import { lookUp } from './lookups';
import { alreadyThere, duplicateOf, titleTaken } from './outcomes';
import { mediawikiTargetConfig } from './targetConfig';
import type { MediawikiTargetConfig } from './targetConfig';
import { uploadFile } from './uploadFile';
import { isApproved, uploadPlan } from './uploadPlan';
import { WikiConnections } from './wikiConnections';
import type { ConnectionOptions } from './wikiConnections';

/**
 * A MediaWiki wiki (NC Commons, say) as a target. Before sending, the exact bytes' SHA-1 is looked up on
 * every reference wiki (Wikimedia Commons by default) and, for files of at least `targetLookupBytes`, on
 * the target with the name; smaller files are checked by the upload itself, which never sets
 * `ignorewarnings` first, so the wiki's own duplicate and name warnings decide. The item's target is the
 * file's description page.
 */
export function createMediawikiTarget(options: ConnectionOptions = {}): TargetAdapter<MediawikiTargetConfig> {
  const connections = new WikiConnections(options);
  return {
    kind: 'mediawiki',
    title: 'MediaWiki (NC Commons)',
    configSchema: mediawikiTargetConfig,
    label: (config) => `${new URL(config.api).host}${config.dryRun ? ' (dry run)' : ''}`,
    host: (config) => new URL(config.api).host,
    async probe(item, file, config, ctx): Promise<Delivery | null> {
      if (config.dryRun) return null;
      const approved = isApproved(item.meta);
      const lookOnTarget = file.size >= config.targetLookupBytes;
      if (approved && !lookOnTarget) return null;
      const { title } = uploadPlan(item, config);
      const sha1 = await fileSha1(file, ctx.signal);
      const found = await lookUp({
        sha1,
        title,
        target: lookOnTarget ? { api: config.api, client: await connections.uploader(config, ctx) } : null,
        references: approved
          ? []
          : config.checkApis.map((api) => ({ api, client: connections.reader(api, config) })),
      });
      if (found.sameOnTarget) return { ...alreadyThere(found.sameOnTarget), sha1 };
      if (approved) return null;
      if (found.duplicates.length > 0) return { ...duplicateOf(found.duplicates, config.api), sha1 };
      if (found.titleTakenBy) throw titleTaken(title, found.titleTakenBy);
      return null;
    },
    async deliver(item, file, config, ctx): Promise<Delivery> {
      if (config.dryRun) return dryRun(item, file, config, ctx, connections);
      return uploadFile(item, file, config, ctx, await connections.uploader(config, ctx));
    },
  };
}

/** The target as the app ships it. */
export const mediawikiTarget = createMediawikiTarget();
