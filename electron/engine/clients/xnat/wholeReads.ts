import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** A synchronous read that took longer than this turns synchronous reads off. */
const SLOW_READ_MS = 20;

/**
 * Reads whole files (up to a few MiB) before they are sent. From a local disk, one synchronous open,
 * read and close of a few hundred kilobytes cost the process less than the same three calls handed to the
 * thread pool and back; the DICOM scan reads the same folders synchronously. A read that takes long (a
 * network share, a busy disk) holds up every other transfer of the process meanwhile, so after the first
 * such read, files are read asynchronously from then on.
 */
export class WholeReads {
  private sync = true;

  constructor(
    private readonly slowMs = SLOW_READ_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the next read is synchronous. */
  get synchronous(): boolean {
    return this.sync;
  }

  /**
   * Reads `path` into `buffer` from its start: up to `size + 1` bytes, so that a file that grew shows
   * as one. Returns how many bytes were read.
   */
  async read(path: string, buffer: Buffer, size: number): Promise<number> {
    if (!this.sync) return readWholeAsync(path, buffer, size);
    const started = this.now();
    try {
      return readWholeSync(path, buffer, size);
    } finally {
      if (this.now() - started > this.slowMs) this.sync = false;
    }
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
