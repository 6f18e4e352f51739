import { appendFileSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QuickFileCalls } from '../../electron/engine/fileCalls';
import { tempDir } from '../support/tempDir';

/** Calls that are synchronous while quick, and calls already turned asynchronous by a slow one. */
async function bothModes(): Promise<QuickFileCalls[]> {
  const turned = new QuickFileCalls(-1);
  await turned.stat('.');
  expect(turned.synchronous).toBe(false);
  return [new QuickFileCalls(), turned];
}

describe('file calls made for every item', () => {
  let dir: ReturnType<typeof tempDir>;
  const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251));
  let file: string;

  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'IM000001.dcm');
    writeFileSync(file, content);
  });
  afterEach(() => dir.cleanup());

  it('stays synchronous while calls are quick, with the same results', async () => {
    const calls = new QuickFileCalls();
    const buffer = Buffer.alloc(content.length + 1);
    expect(await calls.readWhole(file, buffer, content.length)).toBe(content.length);
    expect(buffer.subarray(0, content.length).equals(content)).toBe(true);
    expect((await calls.stat(file)).size).toBe(content.length);
    expect(calls.synchronous).toBe(true);
  });

  it('turns asynchronous after a slow call, for every kind of call, with the same results', async () => {
    // A clock on which every call takes 50 ms: the first call is slow.
    let t = 0;
    const calls = new QuickFileCalls(20, () => (t += 25));
    expect((await calls.stat(file)).size).toBe(content.length);
    expect(calls.synchronous).toBe(false);
    const clockAfterFirst = t;
    const buffer = Buffer.alloc(content.length + 1);
    expect(await calls.readWhole(file, buffer, content.length)).toBe(content.length);
    expect(buffer.subarray(0, content.length).equals(content)).toBe(true);
    expect(await calls.lstatIfAny(join(dir.path, 'nothing.dcm'))).toBeNull();
    const moved = join(dir.path, 'moved.dcm');
    await calls.rename(file, moved);
    expect(readFileSync(moved).equals(content)).toBe(true);
    expect(calls.synchronous).toBe(false);
    // The clock is read only to time synchronous calls.
    expect(t).toBe(clockAfterFirst);
  });

  it('reads a file that grew or shrank since its size was taken as such, both ways', async () => {
    for (const calls of await bothModes()) {
      writeFileSync(file, content);
      appendFileSync(file, 'more');
      expect(await calls.readWhole(file, Buffer.alloc(content.length + 1), content.length)).toBe(
        content.length + 1,
      );
      writeFileSync(file, content.subarray(0, 1000));
      expect(await calls.readWhole(file, Buffer.alloc(content.length + 1), content.length)).toBe(1000);
    }
  });

  it('looks at links themselves and finds nothing where nothing is, both ways', async () => {
    const link = join(dir.path, 'link.dcm');
    symlinkSync(file, link);
    for (const calls of await bothModes()) {
      expect((await calls.lstatIfAny(link))?.isSymbolicLink()).toBe(true);
      expect((await calls.lstatIfAny(file))?.size).toBe(content.length);
      expect(await calls.lstatIfAny(join(dir.path, 'nothing.dcm'))).toBeNull();
    }
  });

  it('renames, both ways', async () => {
    for (const [i, calls] of (await bothModes()).entries()) {
      const from = join(dir.path, `from-${i}`);
      const to = join(dir.path, `to-${i}`);
      writeFileSync(from, content);
      await calls.rename(from, to);
      expect(existsSync(from)).toBe(false);
      expect(readFileSync(to).equals(content)).toBe(true);
    }
  });

  it('rejects, without throwing, on a missing file or folder in either mode', async () => {
    const missing = join(dir.path, 'gone', 'IM000002.dcm');
    const modes = await bothModes();
    for (const calls of modes) {
      const reads = calls.readWhole(missing, Buffer.alloc(10), 9);
      const stats = calls.stat(missing);
      const renames = calls.rename(missing, join(dir.path, 'elsewhere'));
      await expect(reads).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stats).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(renames).rejects.toMatchObject({ code: 'ENOENT' });
    }
    // A quick failure is no slow call.
    expect(modes[0]!.synchronous).toBe(true);
  });
});
