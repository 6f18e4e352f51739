/**
 * The common case of header reading, without allocating per element: a Part 10 file in explicit or
 * implicit VR little endian or explicit VR big endian, read in one chunk. It walks the top-level elements
 * by their lengths, notes where the wanted ones are, and stops at the first element past the last wanted
 * tag (or at the pixel data). Anything unusual — no preamble, deflate, an unknown VR, tags out of order,
 * an element or sequence running past the bytes read — returns `undefined`, and the reader hands the
 * file to dicom-parser, which also explains what is wrong. Tests check that both give the same fields.
 */
import type { KeywordVr } from './dicomKeywords';
import {
  DEFLATED,
  EXPLICIT_BE,
  IMPLICIT_LE,
  LONG_LENGTH_VRS,
  UNDEFINED_LENGTH,
  VALID_VRS,
} from './dicomKeywords';

const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const MAX_DEPTH = 8;

const vrCode = (vr: string): number => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1);
const VALID = new Set([...VALID_VRS].map(vrCode));
const LONG = new Set([...LONG_LENGTH_VRS].map(vrCode));
const SQ = vrCode('SQ');

/** What to look for, prepared once per reader. */
export interface WalkPlan {
  /** Tag number → slot in the scratch arrays. */
  slots: Map<number, number>;
  vrs: KeywordVr[];
  lastWantedTag: number;
}

/** Where each wanted element's value is; filled by `walkHeader`, reused from file to file. */
export interface WalkScratch {
  offsets: Int32Array;
  lengths: Float64Array;
}

export function tagNumber(tag: string): number {
  return Number.parseInt(tag.slice(1), 16);
}

export function makeWalkPlan(tags: readonly string[], vrs: readonly KeywordVr[]): WalkPlan {
  const slots = new Map<number, number>();
  tags.forEach((tag, i) => slots.set(tagNumber(tag), i));
  return { slots, vrs: [...vrs], lastWantedTag: Math.max(...tags.map(tagNumber)) };
}

export function makeScratch(plan: WalkPlan): WalkScratch {
  return { offsets: new Int32Array(plan.vrs.length), lengths: new Float64Array(plan.vrs.length) };
}

class Cursor {
  /** Set by `readHeader`: the element header's size, its value length and its VR (0 when implicit). */
  headerLength = 0;
  valueLength = 0;
  vr = 0;

  constructor(
    readonly bytes: Buffer,
    readonly end: number,
    readonly explicit: boolean,
    readonly bigEndian: boolean,
  ) {}

  u16(at: number): number {
    const b = this.bytes;
    return this.bigEndian ? (b[at]! << 8) | b[at + 1]! : b[at]! | (b[at + 1]! << 8);
  }

  u32(at: number): number {
    const b = this.bytes;
    return this.bigEndian
      ? ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
      : (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  tag(at: number): number {
    return ((this.u16(at) << 16) | this.u16(at + 2)) >>> 0;
  }
}

const OK = 0;
const SHORT = 1;
const BAD = 2;

/** Reads the element header at `at` into the cursor: OK, SHORT (past the bytes read) or BAD (not a DICOM VR). */
function readHeader(c: Cursor, at: number): number {
  if (at + 8 > c.end) return SHORT;
  if (!c.explicit) {
    c.headerLength = 8;
    c.valueLength = c.u32(at + 4);
    c.vr = 0;
    return OK;
  }
  const vr = (c.bytes[at + 4]! << 8) | c.bytes[at + 5]!;
  if (!VALID.has(vr)) return BAD;
  c.vr = vr;
  if (!LONG.has(vr)) {
    c.headerLength = 8;
    c.valueLength = c.u16(at + 6);
    return OK;
  }
  if (at + 12 > c.end) return SHORT;
  c.headerLength = 12;
  c.valueLength = c.u32(at + 8);
  return OK;
}

/** Skips a sequence of undefined length whose items start at `at`: the position after it, -SHORT or -BAD. */
function skipSequence(c: Cursor, at: number, depth: number): number {
  if (depth > MAX_DEPTH) return -BAD;
  let pos = at;
  for (;;) {
    if (pos + 8 > c.end) return -SHORT;
    const tag = c.tag(pos);
    const length = c.u32(pos + 4);
    pos += 8;
    if (tag === SEQUENCE_DELIMITER) return pos;
    if (tag !== ITEM) return -BAD;
    if (length !== UNDEFINED_LENGTH) {
      pos += length;
      continue;
    }
    for (;;) {
      if (pos + 8 > c.end) return -SHORT;
      if (c.tag(pos) === ITEM_DELIMITER) {
        pos += 8;
        break;
      }
      const read = readHeader(c, pos);
      if (read !== OK) return -read;
      pos += c.headerLength;
      if (c.valueLength === UNDEFINED_LENGTH) {
        if (c.explicit && c.vr !== SQ) return -BAD;
        pos = skipSequence(c, pos, depth + 1);
        if (pos < 0) return pos;
      } else {
        pos += c.valueLength;
      }
    }
  }
}

/** The header is complete in the bytes read: its syntax; the wanted values sit in the scratch arrays. */
export interface Walked {
  transferSyntaxUid: string;
  bigEndian: boolean;
}

/** The header is well-formed so far but continues past the bytes read: read up to `needBytes`. */
export interface WalkNeedsBytes {
  needBytes: number;
}

function more(end: number, filled: number): WalkNeedsBytes {
  return { needBytes: Math.max(end, filled * 2) };
}

/**
 * Walks a Part 10 header held in `bytes[0, filled)`, recording the wanted elements in `scratch`.
 * Returns the transfer syntax, or undefined when the file needs the full parser.
 */
export function walkHeader(
  bytes: Buffer,
  filled: number,
  plan: WalkPlan,
  scratch: WalkScratch,
): Walked | WalkNeedsBytes | undefined {
  if (
    filled < 140 ||
    bytes[128] !== 0x44 ||
    bytes[129] !== 0x49 ||
    bytes[130] !== 0x43 ||
    bytes[131] !== 0x4d
  ) {
    return undefined;
  }
  const meta = new Cursor(bytes, filled, true, false);
  let pos = 132;
  let syntax = '';
  for (;;) {
    if (pos + 8 > filled) return more(0, filled);
    if (meta.u16(pos) !== 0x0002) break;
    const read = readHeader(meta, pos);
    if (read === SHORT) return more(0, filled);
    if (read === BAD || meta.valueLength === UNDEFINED_LENGTH) return undefined;
    const { headerLength, valueLength } = meta;
    if (meta.u16(pos + 2) === 0x0010) {
      if (pos + headerLength + valueLength > filled) return more(pos + headerLength + valueLength, filled);
      let end = pos + headerLength + valueLength;
      while (end > pos + headerLength && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
      syntax = bytes.toString('latin1', pos + headerLength, end);
    }
    pos += headerLength + valueLength;
  }
  if (syntax === '' || syntax === DEFLATED) return undefined;
  const bigEndian = syntax === EXPLICIT_BE;
  const c = new Cursor(bytes, filled, syntax !== IMPLICIT_LE, bigEndian);
  const { slots, lastWantedTag } = plan;
  scratch.offsets.fill(-1);
  let previous = 0x0002ffff;
  let found = false;
  for (;;) {
    if (pos + 8 > filled) return more(pos + 4096, filled);
    const tag = c.tag(pos);
    if (tag <= previous) return undefined;
    const read = readHeader(c, pos);
    if (read === SHORT) return more(pos + 4096, filled);
    if (read === BAD) return undefined;
    // A data set that goes straight past everything wanted is more likely garbage: let dicom-parser judge.
    if (tag === PIXEL_DATA || tag > lastWantedTag)
      return found ? { transferSyntaxUid: syntax, bigEndian } : undefined;
    previous = tag;
    const { headerLength, valueLength } = c;
    const slot = slots.get(tag);
    if (valueLength === UNDEFINED_LENGTH) {
      if (slot !== undefined || (c.explicit && c.vr !== SQ)) return undefined;
      const after = skipSequence(c, pos + headerLength, 0);
      if (after === -SHORT) return more(0, filled);
      if (after < 0) return undefined;
      pos = after;
      continue;
    }
    if (slot !== undefined) {
      const binary = plan.vrs[slot] === 'OB';
      if (!binary && pos + headerLength + valueLength > filled)
        return more(pos + headerLength + valueLength + 4096, filled);
      scratch.offsets[slot] = pos + headerLength;
      scratch.lengths[slot] = valueLength;
      found = true;
    }
    if (tag === lastWantedTag) return { transferSyntaxUid: syntax, bigEndian };
    // After a long element (a private header, an overlay) the next check asks for it and a little more.
    pos += headerLength + valueLength;
  }
}
