import type { isicCommands } from '../../../shared/commands/isic';
import type { CommandContext, HandlersFor } from './context';

export function isicHandlers(_ctx: CommandContext): HandlersFor<typeof isicCommands> {
  return {};
}
