import type { xnatDownloadCommands } from '../../../shared/commands/xnatDownload';
import type { CommandContext, HandlersFor } from './context';

export function xnatDownloadHandlers(_ctx: CommandContext): HandlersFor<typeof xnatDownloadCommands> {
  return {};
}
