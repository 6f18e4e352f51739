import type { consoleCommands } from '../../../shared/commands/console';
import type { CommandContext, HandlersFor } from './context';

export function consoleHandlers(_ctx: CommandContext): HandlersFor<typeof consoleCommands> {
  return {};
}
