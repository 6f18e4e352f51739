// Exposes one named function per contract command as window.courier, and an event subscription.
// Results come back as {ok, value | error}; the renderer's transport turns failures into errors.
import { contextBridge, ipcRenderer } from 'electron';
import { COMMAND_NAMES } from '../../shared/contract';
import { COMMAND_CHANNEL_PREFIX, EVENT_CHANNEL } from './commandRouting';

const commands = Object.fromEntries(
  COMMAND_NAMES.map((name) => [
    name,
    (args: unknown) => ipcRenderer.invoke(`${COMMAND_CHANNEL_PREFIX}${name}`, args),
  ]),
);

contextBridge.exposeInMainWorld('courier', {
  ...commands,
  onEvent(listener: (message: { event: string; payload: unknown }) => void): () => void {
    const handler = (_e: unknown, message: { event: string; payload: unknown }) => listener(message);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
});
