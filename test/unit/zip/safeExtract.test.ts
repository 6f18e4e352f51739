import { createHash, createCipheriv } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { CourierError } from '../../../shared/errors';
import {
  checkEntryName,
  resolveOutputFolder,
  safeExtract,
} from '../../../electron/engine/sources/xnat/safeExtract';
import { buildZip, handMadeZip } from './zipFixtures';
import type { FixtureEntry } from './zipFixtures';

let sandbox: string;
let parentDir: string;

beforeEach(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), 'safe-extract-'));
  parentDir = path.join(sandbox, 'downloads');
  await mkdir(parentDir);
});

afterEach(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

async function writeZip(entries: FixtureEntry[]): Promise<string> {
  const zipPath = path.join(sandbox, 'input.zip');
  await writeFile(zipPath, await buildZip(entries));
  return zipPath;
}

/** Every path under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((e) => e.split(path.sep).join('/')).sort();
}

async function refused(entries: FixtureEntry[], limits = {}): Promise<CourierError> {
  const zipPath = await writeZip(entries);
  const error = await safeExtract({ zipPath, parentDir, folderName: 'E1', limits }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CourierError);
  // Nothing written anywhere: the sandbox holds only the zip and the empty downloads folder.
  expect(await tree(sandbox)).toEqual(['downloads', 'input.zip']);
  return error as CourierError;
}

/** Extracts `entries` into downloads/ACC1, noting the entry count of every progress report. */
async function extractCounting(entries: FixtureEntry[], sha1 = false) {
  const zipPath = await writeZip(entries);
  const progress: number[] = [];
  const result = await safeExtract({
    zipPath,
    parentDir,
    folderName: 'ACC1',
    sha1,
    onProgress: (p) => progress.push(p.entries),
  });
  return { result, progress };
}

/** Extracts a zip the test has damaged and expects it refused as corrupt, with nothing written. */
async function refusedAsDamaged(buffer: Buffer, folderName = 'E1'): Promise<CourierError> {
  const zipPath = path.join(sandbox, 'input.zip');
  await writeFile(zipPath, buffer);
  const error = (await safeExtract({ zipPath, parentDir, folderName }).catch(
    (e: unknown) => e,
  )) as CourierError;
  expect(error.code).toBe('zip-corrupt');
  expect(await tree(sandbox)).toEqual(['downloads', 'input.zip']);
  return error;
}

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

describe('safeExtract: hostile zips are refused with the entry named and nothing written', () => {
  const ok: FixtureEntry = { name: 'E1/scans/1/resources/DICOM/files/ok.dcm', data: 'fine' };

  it.each([
    ['zip slip with ../', '../evil.txt'],
    ['zip slip deeper in the path', 'E1/scans/../../../evil.txt'],
    ['an absolute path', '/tmp/evil.txt'],
    ['a drive letter', 'C:/Windows/evil.txt'],
    ['a drive-relative name', 'C:evil.txt'],
    ['a backslash traversal', '..\\..\\evil.txt'],
    ['a backslash inside a name', 'E1\\evil.txt'],
    ['an alternate data stream', 'file.txt:hidden'],
    ['a reserved device name', 'E1/NUL.txt'],
    ['a trailing dot', 'E1/evil.'],
    ['an empty component', 'E1//evil.txt'],
    ['a control character', 'E1/evil\u0001.txt'],
    ['a NUL byte', 'E1/evil.txt\u0000.dcm'],
  ])('%s (%s)', async (_label, name) => {
    const error = await refused([ok, { name, data: 'payload' }]);
    expect(error.code).toBe('zip-unsafe-path');
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.detail).toMatchObject({ entry: name });
    expect(error.retryable).toBe(false);
  });

  it('a symlink entry', async () => {
    const error = await refused([
      ok,
      { name: 'E1/link.dcm', data: '/etc/passwd', mode: 0o120777, compress: false },
    ]);
    expect(error.code).toBe('zip-special-file');
    expect(error.message).toContain('"E1/link.dcm"');
    expect(error.message).toContain('symbolic link');
  });

  it('a FIFO entry', async () => {
    const error = await refused([{ name: 'E1/fifo.dcm', data: '', mode: 0o010644 }]);
    expect(error.code).toBe('zip-special-file');
    expect(error.message).toContain('"E1/fifo.dcm"');
  });

  it('a Windows reparse point', async () => {
    const error = await refused([{ name: 'E1/junction', data: 'x', externalAttributes: 0x400 }]);
    expect(error.code).toBe('zip-special-file');
  });

  it('a bomb by compression ratio (seen in the headers)', async () => {
    const error = await refused([ok, { name: 'E1/zeros.dcm', data: Buffer.alloc(8 * 1024 * 1024) }]);
    expect(error.code).toBe('zip-bomb');
    expect(error.message).toContain('"E1/zeros.dcm"');
  });

  it('a bomb whose header lies about its size (caught while inflating)', async () => {
    const error = await refused([
      ok,
      { name: 'E1/liar.dcm', data: Buffer.alloc(4 * 1024 * 1024, 7), declaredSize: 1000 },
    ]);
    expect(error.code).toBe('zip-bomb');
    expect(error.message).toContain('"E1/liar.dcm"');
    expect(error.message).toContain('inflates past the 1000 bytes');
  });

  it('a stored entry whose header lies about its size', async () => {
    const error = await refused([
      ok,
      {
        name: 'E1/stored-liar.dcm',
        data: Buffer.alloc(3 * 1024 * 1024, 7),
        compress: false,
        declaredSize: 1000,
      },
    ]);
    expect(error.message).toContain('"E1/stored-liar.dcm"');
    expect(error.code).toBe('zip-bomb');
    expect(error.message).toContain('past the 1000 bytes its header declares');
  });

  it('a bomb by total size', async () => {
    const error = await refused(
      [
        { name: 'E1/a.dcm', data: Buffer.alloc(600_000, 1), compress: false },
        { name: 'E1/b.dcm', data: Buffer.alloc(600_000, 2), compress: false },
      ],
      { maxTotalBytes: 1_000_000 },
    );
    expect(error.code).toBe('zip-bomb');
    expect(error.message).toContain('"E1/b.dcm"');
  });

  it('a bomb by entry count', async () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      name: `E1/f${String(i).padStart(2, '0')}.dcm`,
      data: 'x',
    }));
    const error = await refused(entries, { maxEntries: 10 });
    expect(error.code).toBe('zip-bomb');
    expect(error.message).toContain('12 entries');
  });

  it('duplicate names', async () => {
    const error = await refused([
      ok,
      { name: 'E1/dup.dcm', data: 'one' },
      { name: 'E1/dup.dcm', data: 'two' },
    ]);
    expect(error.code).toBe('zip-duplicate-entry');
    expect(error.message).toContain('"E1/dup.dcm"');
  });

  it('names that collide after Unicode normalisation (NFC vs NFD)', async () => {
    const nfc = 'E1/caf\u00e9.dcm';
    const nfd = 'E1/cafe\u0301.dcm';
    const error = await refused([
      { name: nfc, data: 'one' },
      { name: nfd, data: 'two' },
    ]);
    expect(error.code).toBe('zip-name-collision');
    expect(error.message).toContain(JSON.stringify(nfd));
    expect(error.message).toContain(JSON.stringify(nfc));
  });

  it('names that collide by letter case', async () => {
    const error = await refused([
      { name: 'E1/README.txt', data: 'one' },
      { name: 'E1/readme.txt', data: 'two' },
    ]);
    expect(error.code).toBe('zip-name-collision');
    expect(error.message).toContain('"E1/readme.txt"');
  });

  it('a file and a folder of the same name', async () => {
    const error = await refused([
      { name: 'E1/scan', data: 'file' },
      { name: 'E1/scan/a.dcm', data: 'inside' },
    ]);
    expect(error.code).toBe('zip-name-collision');
    expect(error.message).toContain('"E1/scan/a.dcm"');
  });

  it('a damaged entry (CRC mismatch)', async () => {
    const buffer = await buildZip([{ name: 'E1/data.dcm', data: 'hello world', compress: false }]);
    const at = buffer.indexOf('hello world');
    buffer.write('HELLO', at);
    const error = await refusedAsDamaged(buffer);
    expect(error.message).toContain('"E1/data.dcm"');
  });

  it('a file that is not a zip', async () => {
    const zipPath = path.join(sandbox, 'input.zip');
    await writeFile(zipPath, '<html>login</html>');
    const error = (await safeExtract({ zipPath, parentDir, folderName: 'E1' }).catch(
      (e: unknown) => e,
    )) as CourierError;
    expect(error.code).toBe('zip-corrupt');
  });
});

describe('safeExtract: local headers are read with the data and checked', () => {
  /** Moves the central directory `by` bytes earlier, so the last entry's data runs past the zip's end. */
  function trimDataOf(buffer: Buffer, by: number): Buffer {
    const end = buffer.subarray(buffer.length - 22);
    const directoryAt = end.readUInt32LE(16);
    const directory = buffer.subarray(directoryAt, buffer.length - 22);
    const newEnd = Buffer.from(end);
    newEnd.writeUInt32LE(directoryAt - by, 16);
    return Buffer.concat([buffer.subarray(0, directoryAt - by), directory, newEnd]);
  }

  it('finds the data after a local extra field the central directory does not have', async () => {
    const big = Buffer.alloc(700 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const zipPath = path.join(sandbox, 'input.zip');
    await writeFile(
      zipPath,
      handMadeZip([
        { name: 'a.dcm', data: Buffer.from('small'), localExtra: Buffer.alloc(3000, 0x55) },
        { name: 'b.dcm', data: big, localExtra: Buffer.alloc(40, 0x66) },
        { name: 'c.dcm', data: Buffer.alloc(0), localExtra: Buffer.alloc(9, 1) },
      ]),
    );
    const result = await safeExtract({ zipPath, parentDir, folderName: 'E1', sha1: true });
    expect(result.files.map((f) => [f.path, f.size, f.md5])).toEqual([
      ['a.dcm', 5, md5('small')],
      ['b.dcm', big.length, md5(big)],
      ['c.dcm', 0, md5('')],
    ]);
    expect(md5(await readFile(path.join(parentDir, 'E1', 'b.dcm')))).toBe(md5(big));
  });

  it('refuses an entry whose local header has the wrong signature', async () => {
    const error = await refusedAsDamaged(
      handMadeZip([
        { name: 'ok.dcm', data: Buffer.from('fine') },
        { name: 'forged.dcm', data: Buffer.from('x'), localSignature: 0x12345678 },
      ]),
    );
    expect(error.message).toContain('"forged.dcm"');
    expect(error.message).toContain('local file header signature');
  });

  it('refuses an entry whose data runs past the end of the zip', async () => {
    const error = await refusedAsDamaged(
      trimDataOf(
        handMadeZip([
          { name: 'ok.dcm', data: Buffer.from('fine') },
          { name: 'cut.dcm', data: Buffer.alloc(5000, 9) },
        ]),
        4000,
      ),
    );
    expect(error.message).toContain('"cut.dcm"');
  });
});

describe('safeExtract: many entries at once', () => {
  /** Deterministic bytes that do not compress. */
  function noise(size: number, seed: number): Buffer {
    const out = Buffer.alloc(size);
    let x = seed * 2654435761 + 1;
    for (let i = 0; i < size; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  }

  const entries: FixtureEntry[] = Array.from({ length: 60 }, (_, i) => {
    const size = [0, 10, 9000, 70_000, 300_000, 600_000][i % 6] ?? 0;
    return {
      name: `E1/scans/${1 + (i % 5)}/resources/DICOM/files/IM${String(i).padStart(3, '0')}.dcm`,
      data: i % 4 === 0 ? Buffer.alloc(size, i) : noise(size, i),
      compress: i % 3 !== 0,
    };
  });

  it('extracts stored and deflated entries of every size, listed in the zip order with their digests', async () => {
    const { result, progress } = await extractCounting(entries, true);
    expect(result.files).toEqual(
      entries.map((e) => {
        const data = e.data as Buffer;
        return {
          path: e.name,
          size: data.length,
          md5: md5(data),
          sha1: createHash('sha1').update(data).digest('hex'),
        };
      }),
    );
    for (const e of entries) {
      expect(md5(await readFile(path.join(parentDir, 'ACC1', ...e.name.split('/'))))).toBe(
        md5(e.data as Buffer),
      );
    }
    expect(progress).toEqual(entries.map((_, i) => i + 1));
  });

  it('a damaged entry among many stops the rest and leaves nothing behind', async () => {
    const buffer = await buildZip(
      entries.map((e, i) => (i === 31 ? { ...e, data: Buffer.from('to be damaged'), compress: false } : e)),
    );
    const at = buffer.indexOf('to be damaged');
    buffer.write('TO', at);
    const error = await refusedAsDamaged(buffer, 'ACC1');
    expect(error.message).toContain('IM031.dcm');
  });

  it('a large deflated entry that inflates past its declared size is a bomb', async () => {
    const error = await refused([
      ...entries.slice(0, 8),
      { name: 'E1/liar.dcm', data: noise(6 * 1024 * 1024, 1), declaredSize: 5 * 1024 * 1024 },
    ]);
    expect(error.code).toBe('zip-bomb');
    expect(error.message).toContain('"E1/liar.dcm"');
    expect(error.message).toContain(`inflates past the ${5 * 1024 * 1024} bytes`);
  });
});

describe('safeExtract: output folder name', () => {
  it.each(['..', '../outside', 'a/b', 'a\\b', '.', '', 'C:x', '/abs', 'NUL'])(
    'refuses %j',
    async (folderName) => {
      expect(() => resolveOutputFolder(parentDir, folderName)).toThrow(
        expect.objectContaining({ code: 'zip-unsafe-output' }) as Error,
      );
      const zipPath = await writeZip([{ name: 'E1/a.dcm', data: 'x' }]);
      await expect(safeExtract({ zipPath, parentDir, folderName })).rejects.toMatchObject({
        code: 'zip-unsafe-output',
      });
      expect(await tree(sandbox)).toEqual(['downloads', 'input.zip']);
    },
  );

  it('accepts a plain name inside the parent', () => {
    expect(resolveOutputFolder(parentDir, 'ACC-123_scan_DICOM')).toBe(
      path.join(parentDir, 'ACC-123_scan_DICOM'),
    );
  });
});

describe('safeExtract: normal zips', () => {
  const entries: FixtureEntry[] = [
    { name: 'E1/', data: '' },
    { name: 'E1/scans/1/resources/DICOM/files/1.dcm', data: 'first file' },
    { name: 'E1/scans/1/resources/DICOM/files/2.dcm', data: Buffer.alloc(300_000, 3) },
    { name: 'E1/scans/2/resources/NIFTI/files/brain scan (1).nii', data: 'nifti', compress: false },
    { name: 'E1/scans/2/resources/NIFTI/files/caf\u00e9.json', data: '{}' },
    { name: 'E1/scans/2/resources/NIFTI/files/empty.txt', data: '' },
  ];

  it('extracts every file with its size and MD5, through a temp folder renamed into place', async () => {
    const { result, progress } = await extractCounting(entries);
    expect(result.folder).toBe(path.join(parentDir, 'ACC1'));
    const files = entries.filter((e) => !e.name.endsWith('/'));
    expect(result.files).toEqual(
      files.map((e) => {
        const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
        return { path: e.name, size: data.length, md5: md5(data) };
      }),
    );
    for (const file of files) {
      const onDisk = await readFile(path.join(result.folder, ...file.name.split('/')));
      expect(md5(onDisk)).toBe(md5(Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data ?? '')));
    }
    expect(progress.at(-1)).toBe(entries.length);
    expect(await readdir(parentDir)).toEqual(['ACC1']); // no temp folder left
  });

  it('refuses an existing output folder unless asked to replace or merge', async () => {
    const zipPath = await writeZip(entries);
    await safeExtract({ zipPath, parentDir, folderName: 'ACC1' });
    await expect(safeExtract({ zipPath, parentDir, folderName: 'ACC1' })).rejects.toMatchObject({
      code: 'zip-destination-exists',
    });
    await writeFile(path.join(parentDir, 'ACC1', 'stray.txt'), 'left from before');
    await safeExtract({ zipPath, parentDir, folderName: 'ACC1', existing: 'merge' });
    expect(await tree(path.join(parentDir, 'ACC1'))).toContain('stray.txt');
    await safeExtract({ zipPath, parentDir, folderName: 'ACC1', existing: 'replace' });
    expect(await tree(path.join(parentDir, 'ACC1'))).not.toContain('stray.txt');
    expect(await readdir(parentDir)).toEqual(['ACC1']);
  });

  it('does not merge through a symlink planted in the output folder', async () => {
    const zipPath = await writeZip([{ name: 'E1/a.dcm', data: 'x' }]);
    const outside = path.join(sandbox, 'outside');
    await mkdir(outside);
    await mkdir(path.join(parentDir, 'ACC1'));
    await symlink(outside, path.join(parentDir, 'ACC1', 'E1'));
    await expect(
      safeExtract({ zipPath, parentDir, folderName: 'ACC1', existing: 'merge' }),
    ).rejects.toMatchObject({
      code: 'zip-unsafe-path',
    });
    expect(await readdir(outside)).toEqual([]);
  });

  it('keeps memory bounded on a large entry (streams, never buffers)', async () => {
    const size = 96 * 1024 * 1024;
    const zipPath = path.join(sandbox, 'big.zip');
    const zip = new yazl.ZipFile();
    zip.addReadStream(incompressible(size), 'E1/big.dcm', { size, compress: false });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(zipPath));
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const result = await safeExtract({ zipPath, parentDir, folderName: 'BIG' }).finally(() =>
      clearInterval(timer),
    );
    expect(result.files[0]?.size).toBe(size);
    expect(peak - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('stops inside a large entry when cancelled, leaving nothing behind', async () => {
    const size = 64 * 1024 * 1024;
    const zipPath = path.join(sandbox, 'big.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('first'), 'E1/a.dcm', { compress: false });
    zip.addReadStream(incompressible(size), 'E1/big.dcm', { size, compress: false });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(zipPath));
    const controller = new AbortController();
    const error = (await safeExtract({
      zipPath,
      parentDir,
      folderName: 'BIG',
      signal: controller.signal,
      // After the first entry: the big one is being copied when the cancel arrives.
      onProgress: (p) => (p.entries === 1 ? setImmediate(() => controller.abort()) : undefined),
    }).catch((e: unknown) => e)) as CourierError;
    expect(error.code).toBe('cancelled');
    expect(await tree(sandbox)).toEqual(['big.zip', 'downloads']);
  });
});

describe('checkEntryName', () => {
  it('normalises harmless ./ components and marks folders', () => {
    expect(checkEntryName('./E1/./a.dcm')).toEqual({ parts: ['E1', 'a.dcm'], isDirectory: false });
    expect(checkEntryName('E1/scans/')).toEqual({ parts: ['E1', 'scans'], isDirectory: true });
  });
});

function incompressible(size: number): Readable {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16));
  const zeros = Buffer.alloc(1024 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}
