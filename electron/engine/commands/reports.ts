import type { reportCommands } from '../../../shared/commands/reports';
import type { CommandContext, HandlersFor } from './context';

export function reportHandlers(_ctx: CommandContext): HandlersFor<typeof reportCommands> {
  return {};
}
