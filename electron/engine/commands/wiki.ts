import type { wikiCommands } from '../../../shared/commands/wiki';
import type { CommandContext, HandlersFor } from './context';
import { wikiConflict } from './wikiConflict';
import { wikiDryRun } from './wikiDryRun';

export function wikiHandlers(ctx: CommandContext): HandlersFor<typeof wikiCommands> {
  return {
    'wiki.dryRun': (args) => wikiDryRun(ctx, args),
    'wiki.conflict': ({ itemId }) => wikiConflict(ctx, itemId),
  };
}
