import { closeSync, lstatSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open, rename, stat } from 'node:fs/promises';

/** A synchronous call that took longer than this turns synchronous calls off. */
const SLOW_CALL_MS = 20;

/**
 * The few quick file calls made for every item of a batch: a stat before an upload, a whole read of a file
 * to send, a look at the destination and a rename into it.
 *
 * From a local disk each of these costs the process less as a synchronous call than handed to the thread
 * pool and back, which on a busy batch is most of what the call costs at all. A call that takes long (a
 * network share, a busy disk) holds up every other transfer of the process meanwhile, so after the first
 * such call, every call is made asynchronously from then on.
 *
 * Creating a file is left to the thread pool: its cost varies most with the file system (from tens of
 * microseconds to half a millisecond with many recent deletions), and there it runs beside the process's
 * own work instead of inside it.
 */
export class QuickFileCalls {
  private sync = true;

  constructor(
    private readonly slowMs = SLOW_CALL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the next call is synchronous. */
  get synchronous(): boolean {
    return this.sync;
  }

  private timed<T>(call: () => T): T {
    const started = this.now();
    try {
      return call();
    } finally {
      if (this.now() - started > this.slowMs) this.sync = false;
    }
  }

  async stat(path: string): Promise<Stats> {
    return this.sync ? this.timed(() => statSync(path)) : stat(path);
  }

  /** The link itself at `path`, or null when nothing is there. */
  async lstatIfAny(path: string): Promise<Stats | null> {
    if (this.sync) return this.timed(() => lstatSync(path, { throwIfNoEntry: false }) ?? null);
    return lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (this.sync) this.timed(() => renameSync(from, to));
    else await rename(from, to);
  }

  /**
   * Reads `path` into `buffer` from its start: up to `size + 1` bytes, so that a file that grew shows
   * as one. Returns how many bytes were read.
   */
  async readWhole(path: string, buffer: Buffer, size: number): Promise<number> {
    return this.sync
      ? this.timed(() => readWholeSync(path, buffer, size))
      : readWholeAsync(path, buffer, size);
  }
}

function readWholeSync(path: string, buffer: Buffer, size: number): number {
  const fd = openSync(path, 'r');
  try {
    let filled = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, filled, size + 1 - filled, filled);
      filled += bytesRead;
      if (bytesRead === 0 || filled >= size) return filled;
    }
  } finally {
    closeSync(fd);
  }
}

async function readWholeAsync(path: string, buffer: Buffer, size: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, size + 1 - filled, filled);
      filled += bytesRead;
      if (bytesRead === 0 || filled >= size) return filled;
    }
  } finally {
    await handle.close();
  }
}

/** The process's file calls: one slow call anywhere turns them all asynchronous. */
export const fileCalls = new QuickFileCalls();
