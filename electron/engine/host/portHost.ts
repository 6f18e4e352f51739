import type { WireResponse } from '../../../shared/contract';
import type { Engine } from '../engine';
import type { SecretCipher } from '../secretVault';
import { dispatch } from './dispatch';

/** Messages between the desktop shell (main process) and the engine in its utility process. */
export type ToEngine =
  | { kind: 'request'; id: number; command: string; args: unknown }
  | { kind: 'cipher-result'; id: number; ok: boolean; value: string };
export type FromEngine =
  | { kind: 'response'; response: WireResponse }
  | { kind: 'event'; event: string; payload: unknown }
  | { kind: 'cipher'; id: number; op: 'available' | 'encrypt' | 'decrypt'; data: string }
  | { kind: 'ready' }
  | { kind: 'fatal'; message: string };

export interface PortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** A SecretCipher that asks the main process (which owns safeStorage) to encrypt and decrypt. */
export function remoteCipher(port: PortLike): { cipher: SecretCipher; settle(msg: ToEngine): boolean } {
  let next = 1;
  const waiting = new Map<number, { resolve(v: string): void; reject(e: Error): void }>();
  const ask = (op: 'available' | 'encrypt' | 'decrypt', data: string) =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      port.postMessage({ kind: 'cipher', id, op, data } satisfies FromEngine);
    });
  return {
    cipher: {
      available: async () => (await ask('available', '')) === 'yes',
      encrypt: async (plain) => Buffer.from(await ask('encrypt', plain), 'base64'),
      decrypt: async (ciphertext) => ask('decrypt', ciphertext.toString('base64')),
    },
    settle(msg) {
      if (msg.kind !== 'cipher-result') return false;
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.ok) w?.resolve(msg.value);
      else w?.reject(new Error(msg.value));
      return true;
    },
  };
}

/** Serves the engine's commands and events over a message port (the utility process's parentPort). */
export function serveOverPort(
  engine: Engine,
  port: PortLike,
  settleCipher: (msg: ToEngine) => boolean,
): void {
  engine.on((event, payload) => port.postMessage({ kind: 'event', event, payload } satisfies FromEngine));
  port.on('message', (e) => {
    const msg = e.data as ToEngine;
    if (settleCipher(msg)) return;
    if (msg.kind === 'request') {
      void dispatch(engine, msg.id, msg.command, msg.args).then((response) =>
        port.postMessage({ kind: 'response', response } satisfies FromEngine),
      );
    }
  });
  port.postMessage({ kind: 'ready' } satisfies FromEngine);
}
