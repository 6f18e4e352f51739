import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the wiki holds of a file that is not published yet, kept in the batch's work folder so it
 * survives a stop or a crash: the chunks sent so far (`chunks`), or the whole file stashed when the wiki
 * answered with warnings (`stashed`), which an operator's approval publishes without sending the bytes
 * again.
 */
export interface StashNote {
  kind: 'chunks' | 'stashed';
  filekey: string;
  /** The bytes it belongs to; a note for other bytes is ignored. */
  sha1: string;
  size: number;
  /** The name the bytes were sent under. */
  filename: string;
  /** Bytes the wiki holds (chunks). */
  offset: number;
}

function folder(workDir: string): string {
  return join(workDir, 'mediawiki-stash');
}

function noteFile(workDir: string, itemId: number): string {
  return join(folder(workDir), `${itemId}.json`);
}

function isNote(value: unknown): value is StashNote {
  const v = value as Partial<StashNote> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    (v.kind === 'chunks' || v.kind === 'stashed') &&
    typeof v.filekey === 'string' &&
    typeof v.sha1 === 'string' &&
    typeof v.size === 'number' &&
    typeof v.filename === 'string' &&
    typeof v.offset === 'number'
  );
}

/** The note of an item for exactly these bytes, or null (none, unreadable, or for other bytes). */
export async function readStashNote(
  workDir: string,
  itemId: number,
  bytes: { sha1: string; size: number },
): Promise<StashNote | null> {
  try {
    const note: unknown = JSON.parse(await readFile(noteFile(workDir, itemId), 'utf8'));
    return isNote(note) && note.sha1 === bytes.sha1 && note.size === bytes.size ? note : null;
  } catch {
    return null;
  }
}

/** Replaces the item's note in one step (a crash leaves the old note or the new one, never half). */
export async function writeStashNote(workDir: string, itemId: number, note: StashNote): Promise<void> {
  await mkdir(folder(workDir), { recursive: true });
  const file = noteFile(workDir, itemId);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(note));
  await rename(temporary, file);
}

export async function removeStashNote(workDir: string, itemId: number): Promise<void> {
  await rm(noteFile(workDir, itemId), { force: true });
}
