import { COMMAND_NAMES, commandSchemas } from '../../shared/contract';
import type { CommandFailure, CommandName, CommandResults, ParsedArgs } from '../../shared/contract';
import { toFailure } from '../engine/host/dispatch';

/** The part of ipcMain this module needs, so tests can hand in a fake. */
export interface IpcHandleRegistry {
  handle(channel: string, listener: (event: InvokeEventLike, args: unknown) => Promise<unknown>): void;
}
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export const COMMAND_CHANNEL_PREFIX = 'courier:';
export const EVENT_CHANNEL = 'courier:event';

/** Result sent back to the renderer: the wire shape without the id. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: CommandFailure };

/**
 * Contract commands the shell answers itself because they need a window or the desktop (printing a
 * report to PDF); every other command goes to the engine.
 */
export type ShellHandlers = {
  [N in CommandName]?: (args: ParsedArgs<N>) => Promise<CommandResults[N]>;
};

async function runInShell(handler: (args: unknown) => Promise<unknown>, args: unknown): Promise<IpcResult> {
  try {
    return { ok: true, value: await handler(args) };
  } catch (err) {
    return { ok: false, error: toFailure(err) };
  }
}

/**
 * Registers one handler per contract command (no generic channel): each checks the sender is one of
 * the app's windows, validates the arguments with the contract's schema, then runs the shell's own
 * handler for it if there is one, else forwards it to the engine.
 */
export function registerCommands(
  ipc: IpcHandleRegistry,
  options: {
    isTrusted(event: InvokeEventLike): boolean;
    forward(command: CommandName, args: unknown): Promise<IpcResult>;
    shellHandlers?: ShellHandlers;
  },
): string[] {
  const channels: string[] = [];
  for (const name of COMMAND_NAMES) {
    const channel = `${COMMAND_CHANNEL_PREFIX}${name}`;
    ipc.handle(channel, async (event, args): Promise<IpcResult> => {
      if (!options.isTrusted(event)) {
        return {
          ok: false,
          error: { code: 'untrusted-sender', message: 'This window may not call the engine.' },
        };
      }
      const parsed = commandSchemas[name].safeParse(args ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({
          path: i.path.map(String).join('.'),
          message: i.message,
        }));
        return {
          ok: false,
          error: { code: 'bad-arguments', message: `Invalid arguments for ${name}`, issues },
        };
      }
      const own = options.shellHandlers?.[name] as ((a: unknown) => Promise<unknown>) | undefined;
      if (own) return runInShell(own, parsed.data);
      return options.forward(name, parsed.data);
    });
    channels.push(channel);
  }
  return channels;
}
