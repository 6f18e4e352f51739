import type { xnatUploadCommands } from '../../../shared/commands/xnatUpload';
import type { CommandContext, HandlersFor } from './context';

export function xnatUploadHandlers(_ctx: CommandContext): HandlersFor<typeof xnatUploadCommands> {
  return {};
}
