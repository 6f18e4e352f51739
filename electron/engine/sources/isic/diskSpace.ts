import { statfs } from 'node:fs/promises';
import { CourierError } from '../../../../shared/errors';

/** Bytes an unprivileged process may still write on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Refuses to start a download that cannot fit: names what is needed and what is free, in bytes. */
export async function requireFreeSpace(dir: string, neededBytes: number, what: string): Promise<void> {
  const free = await freeBytes(dir);
  if (neededBytes <= free) return;
  throw new CourierError({
    code: 'disk-space',
    message: `${what} needs ${neededBytes} bytes (${formatBytes(neededBytes)}) but only ${free} bytes (${formatBytes(free)}) are free at ${dir}; free some space or narrow the search (a query, collections or a limit).`,
    detail: { neededBytes, freeBytes: free, dir },
  });
}
