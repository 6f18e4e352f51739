import { ipcMain } from 'electron';
import type { BrowserWindow } from 'electron';
import type { CommandName, EventName } from '../../shared/contract';
import { EVENT_CHANNEL, registerCommands } from './commandRouting';
import type { IpcResult, ShellHandlers } from './commandRouting';
import { isTrustedSender } from './security';

/** Wires the contract's commands to ipcMain and engine events to the app's windows. */
export function installIpcHost(options: {
  trustedWindows: () => BrowserWindow[];
  forward(command: CommandName, args: unknown): Promise<IpcResult>;
  shellHandlers?: ShellHandlers;
}): { sendEvent(event: EventName, payload: unknown): void } {
  registerCommands(ipcMain, {
    isTrusted: (event) =>
      isTrustedSender(
        event.sender,
        event.senderFrame?.url,
        new Set(options.trustedWindows().map((w) => w.webContents.id)),
      ),
    forward: options.forward,
    shellHandlers: options.shellHandlers,
  });
  return {
    sendEvent(event, payload) {
      for (const window of options.trustedWindows()) {
        if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, { event, payload });
      }
    },
  };
}
