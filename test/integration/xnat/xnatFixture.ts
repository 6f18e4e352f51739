import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XnatClient } from '../../../electron/engine/clients/xnat/xnatClient';
import type { XnatConnectionOptions } from '../../../electron/engine/clients/xnat/xnatClient';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator, XnatEmulatorOptions } from '../../servers/xnat/index';

/** An emulator with project `P1` (alias `P1-ALIAS`, secondary ID `HUB-001`), a client, and a scratch folder. */
export interface XnatFixture {
  emulator: XnatEmulator;
  client: XnatClient;
  dir: string;
  connect(options?: Partial<XnatConnectionOptions>): Promise<XnatClient>;
  writeLocal(name: string, data: Buffer | string): Promise<string>;
  close(): Promise<void>;
}

export async function startFixture(options: XnatEmulatorOptions = {}): Promise<XnatFixture> {
  const emulator = await startXnatEmulator({
    projects: [{ id: 'P1', secondaryId: 'HUB-001', name: 'Project one', aliases: ['P1-ALIAS'] }],
    ...options,
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'xnat-client-'));
  const clients: XnatClient[] = [];
  const connect = async (overrides: Partial<XnatConnectionOptions> = {}) => {
    const client = await XnatClient.connect({
      server: emulator.url,
      username: DEFAULT_USER.username,
      password: DEFAULT_USER.password,
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  const client = await connect();
  return {
    emulator,
    client,
    dir,
    connect,
    async writeLocal(name, data) {
      const file = path.join(dir, name);
      await writeFile(file, data);
      return file;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves to the rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; retryable?: boolean }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string; retryable?: boolean };
  }
  throw new Error('expected a rejection, got a result');
}
