import { createContext, useContext, useEffect, useRef } from 'react';
import type {
  CommandArgs,
  CommandName,
  CommandResults,
  EventName,
  EventPayloads,
} from '../../shared/contract';
import type { Transport } from './transport';

/** The typed face of the engine for components. */
export class Api {
  constructor(private readonly transport: Transport) {}

  call<N extends CommandName>(command: N, args: CommandArgs<N>): Promise<CommandResults[N]> {
    return this.transport.call(command, args) as Promise<CommandResults[N]>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    return this.transport.onEvent((name, payload) => {
      if (name === event) listener(payload as EventPayloads[E]);
    });
  }
}

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

/** Subscribes to an engine event for the component's lifetime, always calling the latest listener. */
export function useEngineEvent<E extends EventName>(
  event: E,
  listener: (payload: EventPayloads[E]) => void,
): void {
  const api = useApi();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => api.on(event, (p) => latest.current(p)), [api, event]);
}
