import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmulatorSessions } from './emulatorAuth';
import { EmulatorFaults } from './emulatorFaults';
import { handleRequest } from './emulatorServer';
import type { ServerParts } from './emulatorServer';
import { XnatEmulatorState } from './emulatorState';
import type { EmulatorUser, ProjectSeed } from './emulatorState';

export type { FaultKind, FaultMatch, FaultRates, FaultSpec } from './emulatorFaults';
export type { EmulatorFaults } from './emulatorFaults';
export type {
  ContainerTarget,
  FileBody,
  ProjectSeed,
  StoredFileView,
  XnatEmulatorState,
} from './emulatorState';

export interface XnatEmulatorOptions {
  /** Default: one user `courier` / `courier-password`. */
  users?: EmulatorUser[];
  projects?: ProjectSeed[];
  /** Prefix of accession IDs (`XNAT_S00001`). */
  siteId?: string;
  /** `disk` keeps uploaded bytes in a temp folder (for big runs); default `memory`. */
  storage?: 'memory' | 'disk';
  /** How zip downloads compress entries; default `deflate`, as XNAT does. */
  zipCompression?: 'deflate' | 'store';
  /** Site "checksums" preference: when off, listings carry an empty `digest`. Default on. */
  checksums?: boolean;
  /** Site `enableCsrfToken`; default on. */
  csrf?: boolean;
  /** Idle time after which a session cookie stops working; default 15 minutes. */
  sessionTimeoutMs?: number;
  /** Seed of the generator behind fault rates. */
  faultSeed?: number;
  /** How many requests the request log keeps (oldest dropped first). */
  requestLogLimit?: number;
}

export interface XnatEmulator {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  state: XnatEmulatorState;
  faults: EmulatorFaults;
  sessions: EmulatorSessions;
  close(): Promise<void>;
}

export const DEFAULT_USER: EmulatorUser = { username: 'courier', password: 'courier-password' };

/** Starts an XNAT emulator on 127.0.0.1 (a free port), written from reference/xnat.md §3. */
export async function startXnatEmulator(options: XnatEmulatorOptions = {}): Promise<XnatEmulator> {
  const state = new XnatEmulatorState(options.siteId ?? 'XNAT', options.requestLogLimit ?? 50_000);
  for (const user of options.users ?? [DEFAULT_USER]) state.addUser(user.username, user.password);
  for (const project of options.projects ?? []) state.addProject(project);
  const sessions = new EmulatorSessions(state, options.sessionTimeoutMs ?? 15 * 60_000);
  const faults = new EmulatorFaults(options.faultSeed ?? 1, () => sessions.expireAll());
  const storageDir = options.storage === 'disk' ? await mkdtemp(path.join(tmpdir(), 'xnat-emulator-')) : null;
  const closing = new AbortController();
  const parts: ServerParts = {
    state,
    sessions,
    faults,
    config: {
      storageDir,
      zipCompression: options.zipCompression ?? 'deflate',
      checksums: options.checksums ?? true,
      csrf: options.csrf ?? true,
    },
    closing: closing.signal,
  };
  const server = createServer({ keepAlive: true }, (req, res) => {
    handleRequest(parts, req, res).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  server.on('connection', () => {
    state.stats.connections += 1;
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    faults,
    sessions,
    close() {
      closed ??= (async () => {
        closing.abort();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (storageDir) await rm(storageDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
