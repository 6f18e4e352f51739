import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { XnatFileTarget } from '../../../electron/engine/clients/xnat/xnatClient';
import { rejectionOf, startFixture } from './xnatFixture';
import type { XnatFixture } from './xnatFixture';

let fx: XnatFixture;
const owner = { project: 'P1', subject: 'S1', experiment: 'S1_CT1', scan: '3' };
const target = (name: string): XnatFileTarget => ({ owner, resource: 'DICOM', name });
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const key = (name: string) => `P1/S1/S1_CT1/scans/3/DICOM/${name}`;

beforeEach(async () => {
  fx = await startFixture();
  await fx.client.ensureExperiment({
    project: 'P1',
    subject: 'S1',
    label: 'S1_CT1',
    xsiType: 'xnat:ctSessionData',
  });
  await fx.client.ensureScan({ project: 'P1', subject: 'S1', experiment: 'S1_CT1', scan: '3', type: 'HEAD' });
  await fx.client.ensureResource(owner, 'DICOM', { format: 'DICOM' });
});

afterEach(async () => {
  await fx.close();
});

describe('putFile', () => {
  it.each([
    ['a small file (read whole)', 700_000],
    ['a large file (streamed)', 9_000_000],
  ])('sends %s in one PUT and verifies the MD5 against the listed digest', async (_label, size) => {
    const data = Buffer.alloc(size, 9);
    data.write('unique header', 0);
    const local = await fx.writeLocal('img1.dcm', data);
    const result = await fx.client.putFile(local, target('img1.dcm'));
    expect(result).toEqual({
      md5: md5(data),
      size: data.length,
      serverDigest: md5(data),
      duplicate: false,
      verified: true,
    });
    expect(fx.emulator.state.storedFile(key('img1.dcm'))).toMatchObject({
      size: data.length,
      md5: md5(data),
      puts: 1,
    });
    expect((await fx.emulator.state.readStoredFile(key('img1.dcm'))).equals(data)).toBe(true);
  });

  it('refuses a file that is not the size the caller measured, or is gone, naming it, and sends nothing', async () => {
    const local = await fx.writeLocal('grown.dcm', 'grown since it was scanned');
    const grown = await rejectionOf(fx.client.putFile(local, target('grown.dcm'), { size: 5 }));
    expect(grown).toMatchObject({ code: 'file-changed', retryable: true });
    expect(grown.message).toContain(local);
    const shrunk = await rejectionOf(fx.client.putFile(local, target('grown.dcm'), { size: 500 }));
    expect(shrunk.code).toBe('file-changed');
    const gone = await rejectionOf(fx.client.putFile(`${local}.gone`, target('gone.dcm'), { size: 5 }));
    expect(gone.code).toBe('file-unreadable');
    expect(gone.message).toContain(`${local}.gone`);
    expect(fx.emulator.state.stats.filePuts).toBe(0);
  });

  it('handles names with spaces and sub-folders', async () => {
    const local = await fx.writeLocal('x.dcm', 'spaced');
    const result = await fx.client.putFile(local, target('series 1/img (1).dcm'));
    expect(result.verified).toBe(true);
    expect(fx.emulator.state.storedFile(key('series 1/img (1).dcm'))?.md5).toBe(md5('spaced'));
  });

  it('a wrong digest on the server is digest-mismatch naming both digests', async () => {
    fx.emulator.faults.failNext(1, { kind: 'wrong-digest', match: { method: 'PUT', path: '/files/' } });
    const local = await fx.writeLocal('img2.dcm', 'payload');
    const error = await rejectionOf(fx.client.putFile(local, target('img2.dcm')));
    const stored = fx.emulator.state.storedFile(key('img2.dcm'));
    expect(error.code).toBe('digest-mismatch');
    // Sending it again with overwrite replaces the damaged copy; once retries are used up a person decides.
    expect(error.retryable).toBe(true);
    expect(error).toMatchObject({ attention: { reason: 'digest-mismatch', actions: ['retry', 'skip'] } });
    expect(error.message).toContain('img2.dcm');
    expect(error.message).toContain(md5('payload'));
    expect(error.message).toContain(stored?.digest ?? 'missing');
    expect(stored?.digest).not.toBe(md5('payload'));
  });

  it('a repeated file gets 200 + duplicates: same bytes verify, different bytes are a mismatch until overwrite', async () => {
    const local = await fx.writeLocal('img3.dcm', 'first');
    await fx.client.putFile(local, target('img3.dcm'));
    const same = await fx.client.putFile(local, target('img3.dcm'));
    expect(same).toMatchObject({ duplicate: true, verified: true });
    expect(fx.emulator.state.storedFile(key('img3.dcm'))).toMatchObject({ puts: 2, writes: 1 });

    const changed = await fx.writeLocal('img3-changed.dcm', 'second');
    const error = await rejectionOf(fx.client.putFile(changed, target('img3.dcm')));
    expect(error.code).toBe('digest-mismatch');
    // Sending again without overwrite changes nothing: a person approves replacing it, or skips the file.
    expect(error.retryable).toBe(false);
    expect(error).toMatchObject({ attention: { reason: 'name-conflict', actions: ['approve', 'skip'] } });
    expect(error.message).toContain('approve to replace it');

    const replaced = await fx.client.putFile(changed, target('img3.dcm'), { overwrite: true });
    expect(replaced).toMatchObject({ duplicate: false, verified: true, md5: md5('second') });
    expect(fx.emulator.state.storedFile(key('img3.dcm'))).toMatchObject({ writes: 2, md5: md5('second') });
  });

  it('5xx is retryable and carries Retry-After', async () => {
    fx.emulator.faults.failNext(1, {
      kind: 'status',
      status: 503,
      retryAfter: '7',
      match: { method: 'PUT' },
    });
    const local = await fx.writeLocal('img4.dcm', 'x'.repeat(5000));
    const error = await rejectionOf(fx.client.putFile(local, target('img4.dcm')));
    expect(error).toMatchObject({ code: 'http-503', retryable: true, retryAfterMs: 7000 });
    expect(fx.emulator.state.storedFile(key('img4.dcm'))).toBeUndefined();
    expect((await fx.client.putFile(local, target('img4.dcm'))).verified).toBe(true);
  });

  it('a connection reset is retryable and stores nothing', async () => {
    fx.emulator.faults.failNext(1, { kind: 'reset', match: { method: 'PUT', path: 'img5' } });
    const local = await fx.writeLocal('img5.dcm', Buffer.alloc(6_000_000, 1)); // streamed (> 4 MiB)
    const error = await rejectionOf(fx.client.putFile(local, target('img5.dcm')));
    expect(error.retryable).toBe(true);
    expect(error.code).toMatch(/^net-/);
    expect(fx.emulator.state.storedFile(key('img5.dcm'))).toBeUndefined();
  });

  it('a stalled server is a retryable timeout', async () => {
    const impatient = await fx.connect({ timeoutMs: 300 });
    fx.emulator.faults.failNext(1, { kind: 'stall', stallMs: Infinity, match: { method: 'PUT' } });
    const local = await fx.writeLocal('img6.dcm', 'slow');
    const error = await rejectionOf(impatient.putFile(local, target('img6.dcm')));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('a session expiring right before a streamed PUT is renewed and the file sent again, once', async () => {
    fx.emulator.faults.failNext(1, { kind: 'expire-session', match: { method: 'PUT', path: 'img7' } });
    const data = Buffer.alloc(5_000_000, 4); // streamed (> 4 MiB): the stream is opened again for the retry
    const local = await fx.writeLocal('img7.dcm', data);
    const result = await fx.client.putFile(local, target('img7.dcm'));
    expect(result).toMatchObject({ verified: true, md5: md5(data) });
    expect(fx.emulator.state.storedFile(key('img7.dcm'))).toMatchObject({ puts: 1, writes: 1 });
    expect(fx.emulator.state.stats.sessionsCreated).toBe(2);
  });

  it('a missing resource is xnat-resource-not-found', async () => {
    const local = await fx.writeLocal('img8.dcm', 'x');
    const error = await rejectionOf(fx.client.putFile(local, { owner, resource: 'NIFTI', name: 'img8.dcm' }));
    expect(error.code).toBe('xnat-resource-not-found');
    expect(error.message).toContain("has no resource 'NIFTI'");
  });

  it('a site without checksums gives an unverified result, not a false alarm', async () => {
    await fx.close();
    fx = await startFixture({ checksums: false });
    await fx.client.ensureExperiment({
      project: 'P1',
      subject: 'S1',
      label: 'S1_CT1',
      xsiType: 'xnat:ctSessionData',
    });
    await fx.client.ensureScan({ project: 'P1', subject: 'S1', experiment: 'S1_CT1', scan: '3' });
    await fx.client.ensureResource(owner, 'DICOM');
    const local = await fx.writeLocal('img9.dcm', 'x');
    expect(await fx.client.putFile(local, target('img9.dcm'))).toMatchObject({
      verified: false,
      serverDigest: null,
    });
  });

  it('files sent one after another each arrive whole, though their reads reuse one buffer', async () => {
    // Shrinking sizes, each file its own byte: a buffer reused with stale bytes past the end would show.
    const sizes = [300_000, 200_000, 200_001, 70_000, 1, 150_000];
    for (const [i, size] of sizes.entries()) {
      const file = await fx.writeLocal(`seq${i}.dcm`, Buffer.alloc(size, i + 1));
      const sent = await fx.client.putFile(file, target(`seq${i}.dcm`));
      expect(sent.md5).toBe(md5(Buffer.alloc(size, i + 1)));
    }
    const listed = await fx.client.listFiles(owner, 'DICOM');
    for (const [i, size] of sizes.entries()) {
      expect(listed.find((f) => f.name === `seq${i}.dcm`)).toMatchObject({
        size,
        digest: md5(Buffer.alloc(size, i + 1)),
      });
    }
  });

  it('concurrent uploads share a few keep-alive connections and all land with the right digests', async () => {
    const files = await Promise.all(
      Array.from({ length: 24 }, (_, i) => fx.writeLocal(`c${i}.dcm`, Buffer.alloc(20_000 + i, i))),
    );
    const connectionsBefore = fx.emulator.state.stats.connections;
    await Promise.all(files.map((file, i) => fx.client.putFile(file, target(`c${i}.dcm`))));
    const listed = await fx.client.listFiles(owner, 'DICOM');
    expect(listed).toHaveLength(24);
    for (const file of listed) {
      const i = Number(/c(\d+)\.dcm/.exec(file.name)?.[1]);
      expect(file).toMatchObject({
        size: 20_000 + i,
        digest: md5(Buffer.alloc(20_000 + i, i)),
        path: `c${i}.dcm`,
      });
    }
    expect(fx.emulator.state.stats.connections - connectionsBefore).toBeLessThanOrEqual(8);
  });
});
