import { join } from 'node:path';
import { safeStorage, utilityProcess } from 'electron';
import type { UtilityProcess } from 'electron';
import type { CommandName, EventName } from '../../shared/contract';
import type { FromEngine, ToEngine } from '../engine/host/portHost';
import type { IpcResult } from './commandRouting';

/**
 * Runs the engine in a utility process (its own heap: a long query never freezes a window) and
 * relays commands, events and the safeStorage requests of its secret vault.
 */
export function startEngineProcess(options: {
  distDir: string;
  dataDir: string;
  /** The per-user folder that keeps the data-folder choice (Electron's userData). */
  homeDir: string;
  onEvent(event: EventName, payload: unknown): void;
  onExit(code: number): void;
}): { call(command: CommandName, args: unknown): Promise<IpcResult>; stop(): void } {
  const child: UtilityProcess = utilityProcess.fork(
    join(options.distDir, 'engineProcess.cjs'),
    ['--data-dir', options.dataDir, '--home-dir', options.homeDir],
    {
      serviceName: 'Imaging Courier engine',
      stdio: 'inherit',
    },
  );
  let next = 1;
  const pending = new Map<number, (r: IpcResult) => void>();
  const send = (msg: ToEngine) => child.postMessage(msg);

  child.on('message', (msg: FromEngine) => {
    switch (msg.kind) {
      case 'response': {
        const { id, ...result } = msg.response;
        pending.get(id)?.(result as IpcResult);
        pending.delete(id);
        break;
      }
      case 'event':
        options.onEvent(msg.event as EventName, msg.payload);
        break;
      case 'cipher':
        void answerCipher(msg).then(send);
        break;
      case 'fatal':
        for (const resolve of pending.values())
          resolve({ ok: false, error: { code: 'engine-failed', message: msg.message } });
        pending.clear();
        break;
      case 'ready':
        break;
    }
  });
  child.on('exit', (code) => {
    for (const resolve of pending.values())
      resolve({ ok: false, error: { code: 'engine-stopped', message: 'The engine stopped.' } });
    pending.clear();
    options.onExit(code);
  });

  return {
    call(command, args) {
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ kind: 'request', id, command, args });
      });
    },
    stop() {
      child.kill();
    },
  };
}

async function answerCipher(msg: Extract<FromEngine, { kind: 'cipher' }>): Promise<ToEngine> {
  try {
    if (msg.op === 'available') {
      // 'basic_text' is a hard-coded key on Linux: no real protection, so secrets are not stored.
      const real =
        (await safeStorage.isAsyncEncryptionAvailable()) &&
        safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
      return { kind: 'cipher-result', id: msg.id, ok: true, value: real ? 'yes' : 'no' };
    }
    if (msg.op === 'encrypt') {
      const encrypted = await safeStorage.encryptStringAsync(msg.data);
      return {
        kind: 'cipher-result',
        id: msg.id,
        ok: true,
        value: Buffer.from(encrypted).toString('base64'),
      };
    }
    const { result } = await safeStorage.decryptStringAsync(Buffer.from(msg.data, 'base64'));
    return { kind: 'cipher-result', id: msg.id, ok: true, value: result };
  } catch (err) {
    return { kind: 'cipher-result', id: msg.id, ok: false, value: (err as Error).message };
  }
}
