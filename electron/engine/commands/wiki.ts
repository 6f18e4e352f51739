import type { wikiCommands } from '../../../shared/commands/wiki';
import type { CommandContext, HandlersFor } from './context';

export function wikiHandlers(_ctx: CommandContext): HandlersFor<typeof wikiCommands> {
  return {};
}
