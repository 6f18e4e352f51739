import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { IsicRecord } from '../../clients/isic';
import type { SettledItem } from '../../runner/adapters';
import { recordOf } from './imageItems';

const FLUSH_CHARS = 1 << 20;

/**
 * Copies the records of the done items into `file` (one JSON object a line) in a single synchronous
 * pass. The items come from an open ledger query, and while it is open no other statement may run on
 * the ledger's connection; metadata.csv is written with awaits between rows, so it reads this copy
 * instead, as many times as it needs, without holding the ledger or every record in memory.
 */
export function spoolRecords(items: Iterable<SettledItem>, file: string): number {
  const fd = openSync(file, 'w');
  let count = 0;
  try {
    let lines: string[] = [];
    let chars = 0;
    for (const item of items) {
      if (item.status !== 'done') continue;
      const record = recordOf(item.meta);
      if (!record) continue;
      const line = `${JSON.stringify(record)}\n`;
      lines.push(line);
      chars += line.length;
      count++;
      if (chars >= FLUSH_CHARS) {
        writeSync(fd, lines.join(''));
        lines = [];
        chars = 0;
      }
    }
    if (lines.length > 0) writeSync(fd, lines.join(''));
  } finally {
    closeSync(fd);
  }
  return count;
}

/** The records of a spool file, in order. */
export async function* spooledRecords(file: string): AsyncGenerator<IsicRecord> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line) as IsicRecord;
  }
}
