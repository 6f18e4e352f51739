/**
 * The robust path of header reading, with dicom-parser: Part 10 files the fast walk declines, files
 * without the preamble (meta group first, or a bare data set), deflated data sets, and damaged files,
 * for which it says what is wrong. Also decides when enough of a header has been read.
 */
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import * as dicomParserModule from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { CourierError } from '../../../../shared/errors';
import type { DicomFields, DicomKeyword, KeywordVr } from './dicomKeywords';
import {
  charsetEncoding,
  decodeValue,
  DEFLATED,
  DICOM_KEYWORDS,
  EXPLICIT_BE,
  EXPLICIT_LE,
  IMPLICIT_LE,
  UNDEFINED_LENGTH,
  VALID_VRS,
} from './dicomKeywords';
import type { DicomHeader } from './dicomHeader';

type DicomParser = typeof dicomParserModule & { readPart10Header(bytes: Uint8Array): DataSet };
// dicom-parser is a UMD bundle: under Node's ESM loader its functions sit on `default` only.
const dicomParser = ((dicomParserModule as { default?: DicomParser }).default ??
  dicomParserModule) as DicomParser;

const PIXEL_DATA = 'x7fe00010';
const SPECIFIC_CHARACTER_SET = 'x00080005';

export type Outcome = { header: DicomHeader } | { needBytes: number };

/** What the reader was asked for and how far it may read. */
export interface FullParseLimits {
  keywords: readonly DicomKeyword[];
  /** The highest wanted tag; once the parse passes it, nothing more is needed. */
  lastWantedTag: string;
  /** Only a binary element's presence is reported, so its value may lie past what was read. */
  lastWantedIsBinary: boolean;
  chunkBytes: number;
  maxHeaderBytes: number;
  maxInflatedBytes: number;
}

/**
 * The dicom-parser path: files the fast walk declines (no preamble, deflate, damage, a header past the
 * bytes read). Returns the header, or how many bytes to read before trying again; throws `not-dicom` or
 * `dicom-corrupt` with the reason.
 */
export function parseFull(
  path: string,
  buffer: Buffer,
  filled: number,
  eof: boolean,
  limits: FullParseLimits,
  stats: { full: number },
): Outcome {
  const bytes = buffer.subarray(0, filled);
  const start = sniff(path, bytes, eof);
  if ('needBytes' in start) return needMore(limits, path, filled, start.needBytes, eof, 'its first bytes');
  let dataSet: DataSet | undefined;
  let failure: unknown;
  let deflated = false;
  try {
    dataSet = parse(start.bytes, start.assumedSyntax);
  } catch (error) {
    if (error instanceof CourierError) throw error;
    let outcome = error;
    if (error instanceof DeflatedDataSet) {
      deflated = true;
      try {
        dataSet = parse(inflate(limits, path, start.bytes, error.position, eof), undefined);
        outcome = undefined;
      } catch (inflatedError) {
        if (inflatedError instanceof CourierError) throw inflatedError;
        outcome = inflatedError;
      }
    }
    if (outcome !== undefined) {
      const partial = (outcome as { dataSet?: DataSet } | undefined)?.dataSet;
      if (!partial) {
        if (!eof) return needMore(limits, path, filled, filled * 2, eof, 'the file meta information');
        throw corrupt(path, `its file meta information is unreadable (${describe(outcome)})`);
      }
      dataSet = partial;
      failure = outcome;
    }
  }
  if (!dataSet) throw corrupt(path, 'it could not be parsed');
  const elements = dataSet.elements;
  const syntax = deflated ? DEFLATED : (start.assumedSyntax ?? transferSyntaxOf(dataSet, start.bytes));
  // Top-level tags ascend in a real data set; garbage read as elements rarely does. (Meta elements
  // are merged in after the data set, so they are left out.)
  let last: Element | undefined;
  for (const tag in elements) {
    if (tag < 'x00030000') continue;
    if (last && tag <= last.tag) {
      throw corrupt(path, `its elements are out of order at ${formatTag(tag)} after ${formatTag(last.tag)}`);
    }
    last = elements[tag];
    if (last?.vr !== undefined && !VALID_VRS.has(last.vr)) {
      throw corrupt(
        path,
        `element ${formatTag(tag)} has an invalid value representation ${JSON.stringify(last.vr)}`,
      );
    }
  }
  const truncated =
    failure !== undefined ||
    dataSet.warnings.some((w) => w.includes('eof')) ||
    (last !== undefined &&
      last.length !== UNDEFINED_LENGTH &&
      last.dataOffset + last.length > dataSet.byteArray.length);
  const lastTag = last?.tag ?? 'x00000000';
  const enough =
    elements[PIXEL_DATA] !== undefined ||
    lastTag > limits.lastWantedTag ||
    (lastTag === limits.lastWantedTag && limits.lastWantedIsBinary);
  if (enough || (!truncated && eof)) {
    stats.full++;
    const fields = extract(limits.keywords, dataSet, syntax === EXPLICIT_BE);
    return { header: { transferSyntaxUid: syntax, part10: start.part10, fields, bytesRead: filled } };
  }
  const element = last ? `element ${formatTag(last.tag)}` : 'the data set';
  if (eof) {
    const cause = failure !== undefined ? ` (${describe(failure)})` : '';
    const where = last ? ` after ${element}` : '';
    throw corrupt(
      path,
      `it ends${where} before its pixel data: the file is truncated or an element length is wrong${cause}`,
    );
  }
  // After a long element, read it and one more chunk in a single step rather than doubling up to it.
  const hinted =
    !deflated && last && last.length !== UNDEFINED_LENGTH
      ? last.dataOffset + last.length + limits.chunkBytes
      : 0;
  return needMore(limits, path, filled, Math.max(filled * 2, hinted), eof, element);
}

function needMore(
  limits: FullParseLimits,
  path: string,
  filled: number,
  wanted: number,
  eof: boolean,
  what: string,
): Outcome {
  if (eof) throw corrupt(path, `it ends inside ${what}`);
  const limit = limits.maxHeaderBytes;
  if (filled >= limit || (wanted > limit && wanted > filled * 2)) {
    const where = wanted > limit ? ` (${what} ends at byte ${wanted})` : '';
    throw corrupt(
      path,
      `its header runs past the ${limit}-byte limit before the pixel data${where}: a length is wrong, or the limit must be raised for such files`,
    );
  }
  return { needBytes: Math.min(wanted, limit) };
}

/**
 * A copy of the file with its data set inflated and the meta group's Transfer Syntax UID rewritten to
 * explicit VR little endian (same length, NUL-padded), so dicom-parser reads it like any other file.
 */
function inflate(
  limits: FullParseLimits,
  path: string,
  bytes: Uint8Array,
  position: number,
  eof: boolean,
): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(bytes.subarray(position), {
      finishFlush: eof ? zlibConstants.Z_FINISH : zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: limits.maxInflatedBytes,
    });
  } catch (error) {
    if (!eof && (error as { code?: string }).code === 'Z_BUF_ERROR') inflated = Buffer.alloc(0);
    else throw corrupt(path, `its deflated data set does not inflate (${describe(error)})`);
  }
  const whole = Buffer.allocUnsafe(position + inflated.length);
  whole.set(bytes.subarray(0, position), 0);
  whole.set(inflated, position);
  const uidAt = whole.indexOf(DEFLATED, 132, 'latin1');
  if (uidAt === -1 || uidAt >= position)
    throw corrupt(path, 'its deflated transfer syntax could not be located');
  whole.write(EXPLICIT_LE.padEnd(DEFLATED.length, '\0'), uidAt, 'latin1');
  return whole;
}

function extract(keywords: readonly DicomKeyword[], dataSet: DataSet, bigEndian: boolean): DicomFields {
  const encoding = charsetEncoding(readValue(dataSet, SPECIFIC_CHARACTER_SET, 'CS', undefined, false));
  const fields: DicomFields = {};
  for (const keyword of keywords) {
    const [tag, vr] = DICOM_KEYWORDS[keyword];
    const value = readValue(dataSet, tag, vr, encoding, bigEndian);
    if (value !== undefined) fields[keyword] = value;
  }
  return fields;
}

function readValue(
  dataSet: DataSet,
  tag: string,
  vr: KeywordVr,
  encoding: string | undefined,
  bigEndian: boolean,
): string | undefined {
  const element = dataSet.elements[tag];
  if (!element) return undefined;
  return decodeValue(
    dataSet.byteArray as Buffer,
    element.dataOffset,
    element.length,
    vr,
    encoding,
    bigEndian,
  );
}

/** The meta group's Transfer Syntax UID; a partly parsed data set does not carry the meta group yet. */
function transferSyntaxOf(dataSet: DataSet, bytes: Uint8Array): string {
  const merged = readValue(dataSet, 'x00020010', 'UI', undefined, false);
  if (merged !== undefined) return merged;
  try {
    return readValue(dicomParser.readPart10Header(bytes), 'x00020010', 'UI', undefined, false) ?? '';
  } catch {
    return '';
  }
}

/** Thrown from dicom-parser's inflater hook, whose result it would parse from the wrong offset. */
class DeflatedDataSet {
  constructor(readonly position: number) {}
}

function parse(bytes: Uint8Array, assumedSyntax: string | undefined): DataSet {
  return dicomParser.parseDicom(bytes, {
    untilTag: PIXEL_DATA,
    ...(assumedSyntax ? { TransferSyntaxUID: assumedSyntax } : {}),
    inflater: (_array, position) => {
      throw new DeflatedDataSet(position);
    },
  });
}

type Sniffed = { bytes: Uint8Array; part10: boolean; assumedSyntax?: string } | { needBytes: number };

/** Tells Part 10 files from bare data sets and from files that are not DICOM at all. */
function sniff(path: string, bytes: Buffer, eof: boolean): Sniffed {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes.toString('latin1', 128, 132) === 'DICM') {
    return { bytes, part10: true };
  }
  if (bytes.length === 0) throw notDicom(path, 'the file is empty');
  if (bytes.length < 8) {
    if (!eof) return { needBytes: 132 };
    throw notDicom(path, `it is only ${bytes.length} bytes long`);
  }
  const startsWithDicm = bytes.toString('latin1', 0, 4) === 'DICM';
  if (startsWithDicm || bytes.readUInt16LE(0) === 0x0002) {
    // File meta information without the preamble: give dicom-parser the layout it expects.
    const at = startsWithDicm ? 128 : 132;
    const padded = Buffer.alloc(at + bytes.length);
    padded.write('DICM', 128, 'latin1');
    padded.set(bytes, at);
    return { bytes: padded, part10: true };
  }
  const vr = bytes.toString('latin1', 4, 6);
  const explicit = VALID_VRS.has(vr);
  if (plausibleGroup(bytes.readUInt16LE(0)) && bytes.readUInt16LE(0) !== 0) {
    if (explicit) return { bytes, part10: false, assumedSyntax: EXPLICIT_LE };
    if (bytes.readUInt32LE(4) < 0x10000) return { bytes, part10: false, assumedSyntax: IMPLICIT_LE };
  }
  if (explicit && plausibleGroup(bytes.readUInt16BE(0)) && bytes.readUInt16BE(0) !== 0) {
    return { bytes, part10: false, assumedSyntax: EXPLICIT_BE };
  }
  throw notDicom(path, 'there is no "DICM" marker at byte 128 and it does not start like a DICOM data set');
}

/** Groups a bare data set starts with: command (0000) is not a file; 0008–0028 cover real files. */
function plausibleGroup(group: number): boolean {
  return group % 2 === 0 && group >= 0x0008 && group <= 0x0028;
}

function formatTag(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
}

export function describe(error: unknown): string {
  const raw =
    error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const inner = (error as { exception?: unknown } | undefined)?.exception;
  const text = inner !== undefined ? describe(inner) : raw;
  return text.replace(/^dicomParser[.:][\w.]*:\s*/, '').replace(/^\w+ByteArrayParser\.\w+:\s*/, '');
}

function notDicom(path: string, cause: string): CourierError {
  return new CourierError({
    code: 'not-dicom',
    message: `${path} is not a DICOM file: ${cause}.`,
    detail: { path },
  });
}

function corrupt(path: string, cause: string): CourierError {
  return new CourierError({
    code: 'dicom-corrupt',
    message: `${path} is a damaged DICOM file: ${cause}.`,
    detail: { path },
  });
}
