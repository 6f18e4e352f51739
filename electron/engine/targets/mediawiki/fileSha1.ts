import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { LocalFile } from '../../runner/adapters';

// The probe and the upload of one file share the hash: the same LocalFile object reaches both.
const computed = new WeakMap<LocalFile, Promise<string>>();

function hashFile(path: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha1');
    createReadStream(path, { signal })
      .on('data', (data) => hash.update(data))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** SHA-1 (hex) of the exact bytes that will be sent: the source's own when it has one, else read once. */
export function fileSha1(file: LocalFile, signal: AbortSignal): Promise<string> {
  if (file.sha1) return Promise.resolve(file.sha1.toLowerCase());
  let pending = computed.get(file);
  if (!pending) {
    pending = hashFile(file.path, signal);
    computed.set(file, pending);
  }
  return pending;
}
