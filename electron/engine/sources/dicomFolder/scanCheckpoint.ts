import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ItemDraft } from '../../ledger/ledger';
import type { DicomFolderConfig } from './sourceConfig';

const FILE_NAME = 'dicom-scan-checkpoint.jsonl';
const VERSION = 1;

/** Drafts not worth keeping: no header was read for them (or reading failed, which may not last). */
const NOT_KEPT_REASONS = new Set(['no-pattern-match', 'unreadable-folder', 'file-unreadable']);

/** A file whose header a stopped scan read, valid while the file keeps its size and modification time. */
interface Kept {
  size: number;
  mtimeMs: number;
  draft: ItemDraft;
}

interface Head {
  version: number;
  config: string;
  files: number;
}

/** Characters written or read at a time. */
const BLOCK = 1 << 20;

/** The lines of a file, read a block at a time. */
function* linesOf(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(BLOCK);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const lines = (rest + decoder.write(buffer.subarray(0, read))).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) yield line;
    }
    rest += decoder.end();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}

function fileOf(workDir: string): string {
  return join(workDir, FILE_NAME);
}

/** The settings that decide what a file's draft is: another batch's (or changed) checkpoint is not used. */
function fingerprint(config: DicomFolderConfig): string {
  const { dir, paths, mappings, xnat, includeUnmatched } = config;
  return createHash('sha1')
    .update(JSON.stringify({ dir, paths, mappings, xnat, includeUnmatched }))
    .digest('hex');
}

function isHead(value: unknown): value is Head {
  const v = value as Partial<Head> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === VERSION &&
    typeof v.config === 'string' &&
    typeof v.files === 'number'
  );
}

/**
 * What a cancelled scan had read, kept in the batch's work folder: the next scan of the batch takes the
 * draft of every file that has not changed since (same size, same modification time) instead of reading
 * its header again, so it continues where the cancelled one stopped. The files reach the ledger only when
 * a scan has read the whole folder, because visit numbers need every StudyDate of a subject.
 */
export class ScanCheckpoint {
  private readonly taken = new Set<string>();

  private constructor(
    private readonly workDir: string,
    private readonly config: string,
    private readonly kept: Map<string, Kept>,
  ) {}

  /** The batch's checkpoint for these settings; empty when there is none, or it is unreadable or for other settings. */
  static open(workDir: string, config: DicomFolderConfig): ScanCheckpoint {
    const print = fingerprint(config);
    const kept = new Map<string, Kept>();
    let first = true;
    try {
      for (const line of linesOf(fileOf(workDir))) {
        if (first) {
          first = false;
          const head: unknown = JSON.parse(line);
          if (!isHead(head) || head.config !== print) break;
          continue;
        }
        const [key, size, mtimeMs, draft] = JSON.parse(line) as [string, number, number, ItemDraft];
        kept.set(key, { size, mtimeMs, draft });
      }
    } catch {
      // None yet, or damaged: that costs only the time to read the headers again.
      kept.clear();
    }
    return new ScanCheckpoint(workDir, print, kept);
  }

  /** How many files a cancelled scan of the batch kept (the checkpoint's first line only). */
  static count(workDir: string): number {
    let fd: number;
    try {
      fd = openSync(fileOf(workDir), 'r');
    } catch {
      return 0;
    }
    try {
      const buffer = Buffer.alloc(512);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      const line = buffer.toString('utf8', 0, read).split('\n')[0] ?? '';
      const head: unknown = JSON.parse(line);
      return isHead(head) ? head.files : 0;
    } catch {
      return 0;
    } finally {
      closeSync(fd);
    }
  }

  static remove(workDir: string): void {
    rmSync(fileOf(workDir), { force: true });
  }

  get size(): number {
    return this.kept.size;
  }

  /** The kept draft of this file, unless there is none or the file changed since it was read. */
  take(key: string, path: string): ItemDraft | undefined {
    const kept = this.kept.get(key);
    if (!kept) return undefined;
    const now = statSync(path, { throwIfNoEntry: false });
    if (!now || now.size !== kept.size || now.mtimeMs !== kept.mtimeMs) return undefined;
    this.taken.add(key);
    return kept.draft;
  }

  /**
   * Keeps the drafts of the files read so far, with what was kept before, replacing the checkpoint in one
   * step (a crash leaves the old one or the new one). Returns how many files it holds (0 when it could not
   * be written).
   */
  save(drafts: readonly ItemDraft[]): number {
    for (const draft of drafts) {
      if (draft.reason && NOT_KEPT_REASONS.has(draft.reason)) continue;
      if (this.taken.has(draft.key)) continue;
      const info = statSync(draft.path, { throwIfNoEntry: false });
      if (!info) continue;
      this.kept.set(draft.key, { size: info.size, mtimeMs: info.mtimeMs, draft });
    }
    const head: Head = { version: VERSION, config: this.config, files: this.kept.size };
    const file = fileOf(this.workDir);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(this.workDir, { recursive: true });
      // Written a block of lines at a time: a very large folder's checkpoint is more than one string holds.
      const fd = openSync(temporary, 'w');
      try {
        let block = `${JSON.stringify(head)}\n`;
        for (const [key, k] of this.kept) {
          block += `${JSON.stringify([key, k.size, k.mtimeMs, k.draft])}\n`;
          if (block.length >= BLOCK) {
            writeSync(fd, block);
            block = '';
          }
        }
        writeSync(fd, block);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
      return this.kept.size;
    } catch {
      // The disk is full or the folder read-only: the cancel still stops the scan; nothing more is kept.
      rmSync(temporary, { force: true });
      return 0;
    }
  }
}
