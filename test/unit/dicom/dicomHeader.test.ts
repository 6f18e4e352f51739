import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { closeSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourierError } from '../../../shared/errors';
import type { HeaderFileIo } from '../../../electron/engine/sources/folder/dicomHeader';
import { classifyForUpload, DicomHeaderReader } from '../../../electron/engine/sources/folder/dicomHeader';
import type { BrokenKind, DicomFileOptions, TransferSyntaxName } from '../../fixtures/dicomFactory';
import {
  BASIC_TEXT_SR_STORAGE,
  brokenDicom,
  DEFAULT_TAGS,
  ENCAPSULATED_PDF_STORAGE,
  TRANSFER_SYNTAX,
  TRANSFER_SYNTAX_NAMES,
  writeDicomFile,
} from '../../fixtures/dicomFactory';

let dir: string;
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'courier-dicom-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(options: DicomFileOptions): string {
  const path = join(dir, `f${counter++}.dcm`);
  writeDicomFile(path, options);
  return path;
}

function bytesFile(bytes: Buffer): string {
  const path = join(dir, `b${counter++}.dcm`);
  writeFileSync(path, bytes);
  return path;
}

/** Counts the calls and bytes the reader asks the file system for. */
function countingIo(): HeaderFileIo & {
  opens: number;
  reads: number;
  closes: number;
  bytes: number;
  furthest: number;
} {
  const io = {
    opens: 0,
    reads: 0,
    closes: 0,
    bytes: 0,
    furthest: 0,
    openSync(path: string) {
      io.opens++;
      return openSync(path, 'r');
    },
    readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number) {
      io.reads++;
      const n = readSync(fd, buffer, offset, length, position);
      io.bytes += n;
      io.furthest = Math.max(io.furthest, position + n);
      return n;
    },
    closeSync(fd: number) {
      io.closes++;
      closeSync(fd);
    },
  };
  return io;
}

const EXPECTED = {
  StudyDate: '20200312',
  Modality: 'CT',
  SeriesNumber: '3',
  SeriesDescription: 'Axial 5mm',
  StudyDescription: 'Head CT',
  PatientID: '002304',
  PatientName: 'DOE^JOHN',
  AccessionNumber: 'ACC0001',
  StudyInstanceUID: DEFAULT_TAGS.StudyInstanceUID,
  SeriesInstanceUID: DEFAULT_TAGS.SeriesInstanceUID,
  SOPInstanceUID: DEFAULT_TAGS.SOPInstanceUID,
  SOPClassUID: DEFAULT_TAGS.SOPClassUID,
  Manufacturer: 'ACME Imaging',
  ManufacturerModelName: 'Scanner 9000',
  StationName: 'CT01',
  ImageType: 'ORIGINAL\\PRIMARY\\AXIAL',
  BodyPartExamined: 'HEAD',
};

describe('transfer syntaxes', () => {
  const cases = TRANSFER_SYNTAX_NAMES.flatMap((syntax) =>
    (['none', 'defined', 'undefined'] as const).map((sequence) => ({ syntax, sequence })),
  );
  it.each(cases)('$syntax, sequence: $sequence', async ({ syntax, sequence }) => {
    const path = file({
      transferSyntax: syntax,
      headerBytes: 3000,
      pixelBytes: 200_000,
      ...(sequence === 'none' ? {} : { sequence }),
    });
    const reader = new DicomHeaderReader();
    const header = reader.readSync(path);
    expect(reader.stats).toEqual(syntax === 'deflated' ? { fast: 0, full: 1 } : { fast: 1, full: 0 });
    expect(new DicomHeaderReader({ fastPath: false }).readSync(path)).toEqual(header);
    expect(header.transferSyntaxUid).toBe(TRANSFER_SYNTAX[syntax]);
    expect(header.part10).toBe(true);
    expect(header.fields).toMatchObject(EXPECTED);
    expect(header.fields.EncapsulatedDocument).toBeUndefined();
    expect(await reader.read(path)).toEqual(header);
  });
});

describe('files without the preamble', () => {
  it.each([
    { layout: 'meta-without-preamble' as const, syntax: 'explicitLittle' as const, part10: true },
    { layout: 'meta-without-preamble' as const, syntax: 'implicitLittle' as const, part10: true },
    { layout: 'bare-dataset' as const, syntax: 'implicitLittle' as const, part10: false },
    { layout: 'bare-dataset' as const, syntax: 'explicitLittle' as const, part10: false },
    { layout: 'bare-dataset' as const, syntax: 'explicitBig' as const, part10: false },
  ])('$layout, $syntax', ({ layout, syntax, part10 }) => {
    const header = new DicomHeaderReader().readSync(
      file({ layout, transferSyntax: syntax, pixelBytes: 70_000 }),
    );
    expect(header.part10).toBe(part10);
    expect(header.transferSyntaxUid).toBe(TRANSFER_SYNTAX[syntax]);
    expect(header.fields).toMatchObject(EXPECTED);
  });

  it('accepts DICM at byte 0 without the 128-byte preamble', () => {
    const part10 = brokenDicomFree({ pixelBytes: 100 });
    const header = new DicomHeaderReader().readSync(bytesFile(part10.subarray(128)));
    expect(header.fields).toMatchObject(EXPECTED);
  });
});

function brokenDicomFree(options: DicomFileOptions): Buffer {
  const path = file(options);
  const size = 132 + 4096;
  const buffer = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  const n = readSync(fd, buffer, 0, size, 0);
  closeSync(fd);
  return buffer.subarray(0, n);
}

describe('keywords', () => {
  it.each(TRANSFER_SYNTAX_NAMES)(
    'reads extra keywords on request, numbers too (%s)',
    (syntax: TransferSyntaxName) => {
      const keywords = ['Rows', 'InstanceNumber', 'StudyTime', 'Modality'] as const;
      const path = file({ transferSyntax: syntax });
      for (const fastPath of [true, false]) {
        const header = new DicomHeaderReader({ keywords, fastPath }).readSync(path);
        expect(header.fields).toEqual({
          Rows: '512',
          InstanceNumber: '1',
          StudyTime: '101500',
          Modality: 'CT',
        });
        expect(Object.keys(header.fields)).toEqual(['Rows', 'InstanceNumber', 'StudyTime', 'Modality']);
      }
    },
  );
});

describe('character sets', () => {
  it('decodes ISO_IR 100 (Latin-1) names', () => {
    const header = new DicomHeaderReader().readSync(file({ tags: { PatientName: 'Müller^Jürgen' } }));
    expect(header.fields.PatientName).toBe('Müller^Jürgen');
  });

  it('decodes ISO_IR 192 (UTF-8) names and descriptions', () => {
    const header = new DicomHeaderReader().readSync(
      file({
        textEncoding: 'utf8',
        tags: {
          SpecificCharacterSet: 'ISO_IR 192',
          PatientName: '山田^太郎',
          StudyDescription: 'Tête 頭部 😀',
        },
      }),
    );
    expect(header.fields.PatientName).toBe('山田^太郎');
    expect(header.fields.StudyDescription).toBe('Tête 頭部 😀');
  });

  it('keeps empty values as empty strings and leaves absent ones out', () => {
    const header = new DicomHeaderReader().readSync(
      file({ tags: { AccessionNumber: '', StationName: null } }),
    );
    expect(header.fields.AccessionNumber).toBe('');
    expect('StationName' in header.fields).toBe(false);
  });
});

describe('broken files', () => {
  const cases: { kind: BrokenKind; code: string; cause: RegExp }[] = [
    { kind: 'empty', code: 'not-dicom', cause: /empty/ },
    { kind: 'text', code: 'not-dicom', cause: /no "DICM" marker/ },
    { kind: 'jpeg', code: 'not-dicom', cause: /no "DICM" marker/ },
    { kind: 'short', code: 'not-dicom', cause: /only 3 bytes/ },
    { kind: 'dicm-only', code: 'dicom-corrupt', cause: /file meta information is unreadable/ },
    { kind: 'truncated-meta', code: 'dicom-corrupt', cause: /meta information|ends/ },
    { kind: 'no-transfer-syntax', code: 'dicom-corrupt', cause: /0002,0010/ },
    {
      kind: 'truncated-header',
      code: 'dicom-corrupt',
      cause: /ends after element \(\w{4},\w{4}\) before its pixel data/,
    },
    { kind: 'wrong-length', code: 'dicom-corrupt', cause: /ends after element \(0008,1030\)/ },
    { kind: 'hostile-length', code: 'dicom-corrupt', cause: /ends after element \(0029,1010\)/ },
    { kind: 'garbage-dataset', code: 'dicom-corrupt', cause: /./ },
    { kind: 'corrupt-deflate', code: 'dicom-corrupt', cause: /deflated data set does not inflate/ },
  ];
  it.each(cases)('$kind → $code', async ({ kind, code, cause }) => {
    const path = bytesFile(brokenDicom(kind));
    const reader = new DicomHeaderReader();
    for (const attempt of [() => reader.readSync(path), () => reader.read(path)]) {
      let caught: unknown;
      try {
        await attempt();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CourierError);
      const error = caught as CourierError;
      expect(error.code).toBe(code);
      expect(error.message).toContain(path);
      expect(error.message).toMatch(cause);
      expect(error.message).toMatch(/\.$/);
    }
  });

  it('reports a missing file as unreadable', () => {
    expect(() => new DicomHeaderReader().readSync(join(dir, 'nope.dcm'))).toThrow(/no longer exists/);
  });
});

describe('reads only the header', () => {
  it('one open, one read and one close for a file with large pixel data', () => {
    const path = file({ headerBytes: 3000, pixelBytes: 64 * 1024 * 1024, pixelFill: 'sparse' });
    const io = countingIo();
    const header = new DicomHeaderReader({ io, chunkBytes: 16 * 1024 }).readSync(path);
    expect(header.fields.Modality).toBe('CT');
    expect({ opens: io.opens, reads: io.reads, closes: io.closes }).toEqual({
      opens: 1,
      reads: 1,
      closes: 1,
    });
    expect(io.furthest).toBeLessThanOrEqual(16 * 1024);
    expect(header.bytesRead).toBe(16 * 1024);
  });

  it('grows the read for a header longer than the chunk, and stops at the pixel data', () => {
    const path = file({ headerBytes: 300_000, pixelBytes: 32 * 1024 * 1024, pixelFill: 'sparse' });
    const io = countingIo();
    const reader = new DicomHeaderReader({ io, chunkBytes: 16 * 1024 });
    const header = reader.readSync(path);
    expect(header.fields).toMatchObject(EXPECTED);
    expect(io.reads).toBe(2);
    expect(reader.stats).toEqual({ fast: 1, full: 0 });
    expect(io.furthest).toBeLessThan(300_000 + 64 * 1024);
  });

  it('stops at an encapsulated document without reading it', () => {
    const path = file({
      encapsulatedDocumentBytes: 20 * 1024 * 1024,
      pixelBytes: null,
      tags: { Modality: 'DOC' },
    });
    const io = countingIo();
    const header = new DicomHeaderReader({ io }).readSync(path);
    expect(header.fields.EncapsulatedDocument).toBe(`binary (${20 * 1024 * 1024} bytes)`);
    expect(io.furthest).toBeLessThanOrEqual(16 * 1024);
  });

  it('refuses a hostile length in a big file without reading it', () => {
    const big = join(dir, 'hostile-big.dcm');
    writeFileSync(big, Buffer.concat([brokenDicom('hostile-length'), Buffer.alloc(40 * 1024)]));
    const io = countingIo();
    expect(() => new DicomHeaderReader({ io, maxHeaderBytes: 1024 * 1024 }).readSync(big)).toThrow(
      /runs past the 1048576-byte limit before the pixel data \(element \(0029,1010\) ends at byte \d+\)/,
    );
    expect(io.furthest).toBeLessThanOrEqual(32 * 1024);
  });

  it('gives up at the byte cap on a header that never reaches its pixel data', () => {
    const path = file({ headerBytes: 600_000, pixelBytes: 1000 });
    const io = countingIo();
    expect(() => new DicomHeaderReader({ io, maxHeaderBytes: 128 * 1024 }).readSync(path)).toThrow(
      /runs past the 131072-byte limit before the pixel data/,
    );
    expect(io.furthest).toBeLessThanOrEqual(128 * 1024);
  });

  it('reads a deflated file whose header is larger than the chunk', () => {
    const header = new DicomHeaderReader({ chunkBytes: 1024 }).readSync(
      file({ transferSyntax: 'deflated', headerBytes: 200_000, pixelBytes: 4000 }),
    );
    expect(header.fields).toMatchObject(EXPECTED);
  });

  it.each(TRANSFER_SYNTAX_NAMES)(
    'reads many files concurrently with one pool (%s)',
    async (syntax: TransferSyntaxName) => {
      const paths = Array.from({ length: 40 }, (_, i) =>
        file({ transferSyntax: syntax, pixelBytes: 70_000, tags: { SeriesNumber: String(i) } }),
      );
      const reader = new DicomHeaderReader();
      const headers = await Promise.all(paths.map((p) => reader.read(p)));
      expect(headers.map((h) => h.fields.SeriesNumber)).toEqual(paths.map((_, i) => String(i)));
    },
  );
});

describe('classifyForUpload: xnatuploader guards', () => {
  const reader = (): DicomHeaderReader => new DicomHeaderReader();

  it('lets an ordinary image through', () => {
    expect(classifyForUpload(reader().readSync(file({})).fields)).toEqual({ skip: false });
  });

  it('skips a structured report by Modality', () => {
    const fields = reader().readSync(file({ pixelBytes: null, tags: { Modality: 'SR' } })).fields;
    expect(classifyForUpload(fields)).toMatchObject({ skip: true, code: 'structured-report' });
  });

  it('skips a structured report by SOP class even when Modality says otherwise', () => {
    const fields = reader().readSync(
      file({ pixelBytes: null, tags: { Modality: 'OT', SOPClassUID: BASIC_TEXT_SR_STORAGE } }),
    ).fields;
    expect(classifyForUpload(fields)).toMatchObject({ skip: true, code: 'structured-report' });
  });

  it('skips an image carrying an encapsulated PDF', () => {
    const fields = reader().readSync(file({ encapsulatedDocumentBytes: 5000, pixelBytes: 1000 })).fields;
    const guard = classifyForUpload(fields);
    expect(guard).toMatchObject({ skip: true, code: 'encapsulated-document' });
    if (guard.skip) expect(guard.reason).toMatch(/encapsulated document/);
  });

  it('skips an encapsulated PDF by SOP class', () => {
    expect(classifyForUpload({ SOPClassUID: ENCAPSULATED_PDF_STORAGE, Modality: 'DOC' })).toMatchObject({
      skip: true,
      code: 'encapsulated-document',
    });
  });

  it('skips DOSE_INFO images', () => {
    const fields = reader().readSync(file({ tags: { ImageType: 'DERIVED\\SECONDARY\\DOSE_INFO' } })).fields;
    const guard = classifyForUpload(fields);
    expect(guard).toMatchObject({ skip: true, code: 'skipped-image-type' });
    if (guard.skip) expect(guard.reason).toContain('DOSE_INFO');
  });

  it('honours SkipImageTypes and copes with short or missing ImageType', () => {
    expect(
      classifyForUpload(
        { ImageType: 'DERIVED\\SECONDARY\\SCREEN SAVE' },
        { skipImageTypes: ['screen save'] },
      ),
    ).toMatchObject({
      skip: true,
    });
    expect(classifyForUpload({ ImageType: 'ORIGINAL' })).toEqual({ skip: false });
    expect(classifyForUpload({ Modality: 'CT' })).toEqual({ skip: false });
    expect(classifyForUpload({ ImageType: 'DERIVED\\SECONDARY\\DOSE_INFO' }, { skipImageTypes: [] })).toEqual(
      { skip: false },
    );
  });
});

describe('damaged bytes never escape as anything but a CourierError', () => {
  it('survives 600 seeded random mutations and truncations', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const reader = new DicomHeaderReader({ maxHeaderBytes: 1024 * 1024 });
    const full = new DicomHeaderReader({ maxHeaderBytes: 1024 * 1024, fastPath: false });
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const syntax = TRANSFER_SYNTAX_NAMES[i % TRANSFER_SYNTAX_NAMES.length] as TransferSyntaxName;
      const path = file({
        transferSyntax: syntax,
        sequence: i % 3 === 0 ? 'undefined' : 'defined',
        pixelBytes: 3000,
      });
      const fd = openSync(path, 'r+');
      const bytes = Buffer.alloc(8000);
      const n = readSync(fd, bytes, 0, bytes.length, 0);
      closeSync(fd);
      const damaged = Buffer.from(bytes.subarray(0, n));
      for (let k = 0; k < 1 + Math.floor(random() * 6); k++) {
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      }
      const cut = random() < 0.3 ? Math.floor(random() * damaged.length) : damaged.length;
      writeFileSync(path, damaged.subarray(0, cut));
      let fullFields: unknown;
      try {
        fullFields = full.readSync(path).fields;
      } catch {
        fullFields = undefined;
      }
      try {
        const fields = reader.readSync(path).fields;
        outcomes.set('read', (outcomes.get('read') ?? 0) + 1);
        // Both paths may disagree on whether a damaged file is usable (the fast walk stops early), never on values.
        if (fullFields !== undefined) expect(fields).toEqual(fullFields);
      } catch (error) {
        expect(error).toBeInstanceOf(CourierError);
        const code = (error as CourierError).code;
        expect(['not-dicom', 'dicom-corrupt']).toContain(code);
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      }
    }
    expect(outcomes.get('read')).toBeGreaterThan(0);
    expect(outcomes.get('dicom-corrupt')).toBeGreaterThan(0);
    expect(reader.stats.fast).toBeGreaterThan(0);
    expect(reader.stats.full).toBeGreaterThan(0);
  });
});
