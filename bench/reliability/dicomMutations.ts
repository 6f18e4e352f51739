/**
 * Mutated DICOM headers for the fuzzer: well-formed files from the test factory (every transfer syntax,
 * layout, sequences) and its known-broken files, then damaged where it hurts a parser most — element
 * lengths (too long, odd, ~4 GiB, undefined), value representations (wrong, unknown), truncation,
 * inserted garbage, repeated elements and flipped bytes.
 */
import { brokenDicom, buildDicom, TRANSFER_SYNTAX_NAMES } from '../../test/fixtures/dicomFactory';
import type { BrokenKind, DicomLayout } from '../../test/fixtures/dicomFactory';

const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
];
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const HOSTILE_LENGTHS = [0xffffffff, 0xfffffff0, 0x7fffffff, 0x80000000, 0x10000000, 0xffff, 0xfffe, 1, 3, 0];
const BROKEN: BrokenKind[] = [
  'empty',
  'text',
  'jpeg',
  'short',
  'dicm-only',
  'truncated-meta',
  'no-transfer-syntax',
  'truncated-header',
  'wrong-length',
  'hostile-length',
  'garbage-dataset',
  'corrupt-deflate',
];
const LAYOUTS: DicomLayout[] = ['part10', 'meta-without-preamble', 'bare-dataset'];

interface ElementSite {
  at: number;
  vrAt: number | null;
  lengthAt: number;
  lengthBytes: 2 | 4;
}

/** Element positions of an explicit-VR little-endian stream (implicit elements where no VR is seen). */
function elementSites(bytes: Buffer): ElementSite[] {
  const sites: ElementSite[] = [];
  let pos = bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM' ? 132 : 0;
  if (pos === 0 && bytes.length > 4 && bytes.toString('latin1', 4, 6) === 'UL') pos = 0;
  while (pos + 8 <= bytes.length && sites.length < 200) {
    const vr = bytes.toString('latin1', pos + 4, pos + 6);
    let length: number;
    let header: number;
    if (VRS.includes(vr)) {
      if (LONG_VRS.has(vr)) {
        if (pos + 12 > bytes.length) break;
        sites.push({ at: pos, vrAt: pos + 4, lengthAt: pos + 8, lengthBytes: 4 });
        length = bytes.readUInt32LE(pos + 8);
        header = 12;
      } else {
        sites.push({ at: pos, vrAt: pos + 4, lengthAt: pos + 6, lengthBytes: 2 });
        length = bytes.readUInt16LE(pos + 6);
        header = 8;
      }
    } else {
      sites.push({ at: pos, vrAt: null, lengthAt: pos + 4, lengthBytes: 4 });
      length = bytes.readUInt32LE(pos + 4);
      header = 8;
    }
    pos += header + (length === 0xffffffff ? 0 : length);
  }
  return sites;
}

export type MutationKind = 'length' | 'vr' | 'truncate' | 'insert' | 'repeat' | 'flip' | 'meta-length';

/** The base file for mutation `i`: mostly well-formed headers, some already-broken files. */
function baseFile(i: number, random: () => number): Buffer {
  // A copy: some broken files are the factory's own shared buffers (its preamble), which mutations must not touch.
  if (random() < 0.1) return Buffer.from(brokenDicom(BROKEN[i % BROKEN.length]!));
  const transferSyntax = TRANSFER_SYNTAX_NAMES[i % TRANSFER_SYNTAX_NAMES.length]!;
  const built = buildDicom({
    transferSyntax,
    layout: LAYOUTS[Math.floor(random() * LAYOUTS.length)]!,
    sequence: random() < 0.3 ? (random() < 0.5 ? 'defined' : 'undefined') : undefined,
    headerBytes: random() < 0.2 ? 10_000 + Math.floor(random() * 8_000) : undefined,
    pixelBytes: 256,
    tags: random() < 0.1 ? { Modality: 'SR' } : {},
  });
  return Buffer.concat([built.whole ?? built.header, Buffer.alloc(256, 7)]);
}

/** One mutated file (seeded), and the mutations applied to it. */
export function mutatedHeader(i: number, random: () => number): { bytes: Buffer; mutations: MutationKind[] } {
  let bytes = baseFile(i, random);
  const mutations: MutationKind[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let m = 0; m < count && bytes.length > 0; m++) {
    const sites = elementSites(bytes);
    const site = sites.length > 0 ? sites[Math.floor(random() * sites.length)]! : null;
    const draw = random();
    if (draw < 0.3 && site) {
      mutations.push('length');
      const value =
        random() < 0.6
          ? HOSTILE_LENGTHS[Math.floor(random() * HOSTILE_LENGTHS.length)]!
          : Math.floor(random() * 2 ** 32);
      if (site.lengthBytes === 4) bytes.writeUInt32LE(value >>> 0, site.lengthAt);
      else bytes.writeUInt16LE(value & 0xffff, site.lengthAt);
    } else if (draw < 0.45 && site?.vrAt !== null && site) {
      mutations.push('vr');
      const vr =
        random() < 0.7
          ? VRS[Math.floor(random() * VRS.length)]!
          : String.fromCharCode(65 + Math.floor(random() * 26), 65 + Math.floor(random() * 26));
      bytes.write(vr, site.vrAt!, 'latin1');
    } else if (draw < 0.65) {
      mutations.push('truncate');
      bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
    } else if (draw < 0.72 && site) {
      mutations.push('insert');
      const garbage = Buffer.alloc(1 + Math.floor(random() * 64));
      for (let k = 0; k < garbage.length; k++) garbage[k] = Math.floor(random() * 256);
      bytes = Buffer.concat([bytes.subarray(0, site.at), garbage, bytes.subarray(site.at)]);
    } else if (draw < 0.8 && site) {
      mutations.push('repeat');
      const end = Math.min(bytes.length, site.at + 8 + Math.floor(random() * 64));
      const piece = bytes.subarray(site.at, end);
      const times = 1 + Math.floor(random() * 50);
      bytes = Buffer.concat([
        bytes.subarray(0, end),
        ...Array.from({ length: times }, () => piece),
        bytes.subarray(end),
      ]);
    } else if (draw < 0.9 && bytes.length >= 144 && bytes.toString('latin1', 128, 132) === 'DICM') {
      mutations.push('meta-length');
      // (0002,0000) File Meta Information Group Length, a UL right after DICM.
      bytes.writeUInt32LE(Math.floor(random() * 2 ** 32) >>> 0, 140);
    } else {
      mutations.push('flip');
      for (let k = 0; k < 1 + Math.floor(random() * 8); k++)
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
  }
  return { bytes: Buffer.from(bytes), mutations };
}
