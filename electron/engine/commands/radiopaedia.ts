import type { radiopaediaCommands } from '../../../shared/commands/radiopaedia';
import type { CommandContext, HandlersFor } from './context';

export function radiopaediaHandlers(_ctx: CommandContext): HandlersFor<typeof radiopaediaCommands> {
  return {};
}
