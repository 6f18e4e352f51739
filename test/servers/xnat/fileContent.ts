import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';

/** Bytes the emulator holds for one file: in memory, in its temp folder, or generated on demand. */
export type StoredContent =
  | { kind: 'memory'; data: Buffer }
  | { kind: 'disk'; file: string }
  | { kind: 'generated'; size: number; seed: string };

export interface ReceivedBody {
  content: StoredContent;
  size: number;
  md5: string;
}

/** Opens a fresh read stream over stored content. */
export function openContent(content: StoredContent): Readable {
  switch (content.kind) {
    case 'memory':
      return Readable.from([content.data], { objectMode: false });
    case 'disk':
      return createReadStream(content.file, { highWaterMark: 256 * 1024 });
    case 'generated':
      return generatedStream(content.size, content.seed);
  }
}

export function contentSize(content: StoredContent, knownSize: number): number {
  return content.kind === 'memory'
    ? content.data.length
    : content.kind === 'generated'
      ? content.size
      : knownSize;
}

/**
 * Deterministic, incompressible bytes (an AES-CTR keystream keyed by `seed`): a 1 GB file costs no memory,
 * and its zip cannot be mistaken for a bomb.
 */
function generatedStream(size: number, seed: string): Readable {
  const key = createHash('md5').update(seed).digest();
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(256 * 1024);
  let left = size;
  return new Readable({
    highWaterMark: 256 * 1024,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n)));
    },
  });
}

export async function md5OfContent(content: StoredContent): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of openContent(content)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: hash.digest('hex'), size };
}

/**
 * Receives a request body into memory or into `dir`, hashing as it goes. Resolves `null` when the client
 * went away before the body was complete (nothing is kept then).
 */
export function receiveBody(
  req: IncomingMessage,
  dir: string | null,
  fileId: number,
): Promise<ReceivedBody | null> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    let size = 0;
    let done = false;
    const finish = (value: ReceivedBody | null) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    if (dir === null) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        chunks.push(chunk);
      });
      req.on('end', () =>
        finish({
          content: { kind: 'memory', data: Buffer.concat(chunks, size) },
          size,
          md5: hash.digest('hex'),
        }),
      );
      req.on('aborted', () => finish(null));
      req.on('error', () => finish(null));
      req.on('close', () => {
        if (!req.complete) finish(null);
      });
      return;
    }
    const file = path.join(dir, `f${fileId}`);
    const out = createWriteStream(file);
    const discard = () => {
      if (done) return;
      out.destroy();
      rm(file, { force: true }).then(
        () => finish(null),
        () => finish(null),
      );
    };
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      out.end(() => finish({ content: { kind: 'disk', file }, size, md5: hash.digest('hex') }));
    });
    req.on('aborted', discard);
    req.on('error', discard);
    req.on('close', () => {
      if (!req.complete) discard();
    });
    out.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

export async function releaseContent(content: StoredContent): Promise<void> {
  if (content.kind === 'disk') await rm(content.file, { force: true });
}
