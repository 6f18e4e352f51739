import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WholeReads } from '../../../electron/engine/clients/xnat/wholeReads';
import { tempDir } from '../../support/tempDir';

describe('whole reads of files before they are sent', () => {
  let dir: ReturnType<typeof tempDir>;
  const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251));
  let file: string;

  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'IM000001.dcm');
    writeFileSync(file, content);
  });
  afterEach(() => dir.cleanup());

  it('reads synchronously while reads are quick, with the same bytes', async () => {
    const reads = new WholeReads();
    const buffer = Buffer.alloc(content.length + 1);
    expect(await reads.read(file, buffer, content.length)).toBe(content.length);
    expect(buffer.subarray(0, content.length).equals(content)).toBe(true);
    expect(reads.synchronous).toBe(true);
  });

  it('turns to asynchronous reads after a slow one, and they read the same bytes', async () => {
    // A clock on which every read takes 50 ms: the first read is slow.
    let t = 0;
    const reads = new WholeReads(20, () => (t += 25));
    const first = Buffer.alloc(content.length + 1);
    expect(await reads.read(file, first, content.length)).toBe(content.length);
    expect(reads.synchronous).toBe(false);
    const second = Buffer.alloc(content.length + 1);
    expect(await reads.read(file, second, content.length)).toBe(content.length);
    expect(second.subarray(0, content.length).equals(content)).toBe(true);
    expect(reads.synchronous).toBe(false);
  });

  it('shows a file that grew or shrank since its size was taken, both ways', async () => {
    for (const reads of [new WholeReads(), new WholeReads(-1)]) {
      writeFileSync(file, content);
      appendFileSync(file, 'more');
      expect(await reads.read(file, Buffer.alloc(content.length + 1), content.length)).toBe(
        content.length + 1,
      );
      writeFileSync(file, content.subarray(0, 1000));
      expect(await reads.read(file, Buffer.alloc(content.length + 1), content.length)).toBe(1000);
    }
  });

  it('rejects on a missing file in either mode', async () => {
    const missing = join(dir.path, 'gone.dcm');
    const slow = new WholeReads(-1);
    await expect(slow.read(missing, Buffer.alloc(10), 9)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(slow.synchronous).toBe(false);
    await expect(slow.read(missing, Buffer.alloc(10), 9)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
