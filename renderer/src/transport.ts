import type {
  CommandFailure,
  CommandName,
  EventName,
  EventPayloads,
  WireResponse,
} from '../../shared/contract';

/** How the renderer reaches the engine: the desktop preload, or a WebSocket in web mode. */
export interface Transport {
  call(command: CommandName, args: unknown): Promise<unknown>;
  onEvent(listener: (event: EventName, payload: unknown) => void): () => void;
  /** Resolves once the engine can be reached. */
  ready: Promise<void>;
}

export class EngineError extends Error {
  readonly code: string;
  constructor(failure: CommandFailure) {
    super(failure.message);
    this.code = failure.code;
  }
}

type IpcResult = { ok: true; value: unknown } | { ok: false; error: CommandFailure };
interface DesktopBridge {
  onEvent(listener: (message: { event: EventName; payload: unknown }) => void): () => void;
  [command: string]: unknown;
}

function desktopTransport(bridge: DesktopBridge): Transport {
  return {
    ready: Promise.resolve(),
    async call(command, args) {
      const fn = bridge[command] as ((a: unknown) => Promise<IpcResult>) | undefined;
      if (!fn)
        throw new EngineError({ code: 'unknown-command', message: `The app does not offer ${command}.` });
      const result = await fn(args);
      if (!result.ok) throw new EngineError(result.error);
      return result.value;
    },
    onEvent(listener) {
      return bridge.onEvent((m) => listener(m.event, m.payload));
    },
  };
}

function webSocketTransport(): Transport {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const socket = new WebSocket(url);
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  let next = 1;
  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('Cannot reach the Imaging Courier engine.')), {
      once: true,
    });
  });
  socket.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as WireResponse | { event: EventName; payload: unknown };
    if ('event' in msg) {
      for (const l of listeners) l(msg.event, msg.payload);
      return;
    }
    const waiter = pending.get(msg.id);
    pending.delete(msg.id);
    if (!waiter) return;
    if (msg.ok) waiter.resolve(msg.value);
    else waiter.reject(new EngineError(msg.error));
  });
  socket.addEventListener('close', () => {
    for (const w of pending.values())
      w.reject(
        new EngineError({ code: 'disconnected', message: 'The connection to the engine was closed.' }),
      );
    pending.clear();
  });
  return {
    ready,
    async call(command, args) {
      await ready;
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, command, args }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function createTransport(): Transport {
  const bridge = (window as unknown as { courier?: DesktopBridge }).courier;
  return bridge ? desktopTransport(bridge) : webSocketTransport();
}

export type { EventPayloads };
