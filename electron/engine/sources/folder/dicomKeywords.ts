/**
 * The DICOM keywords the scan can map (`DICOM:<Keyword>`), their tags and VRs, and how their values are
 * decoded. Shared by the fast header walk and the dicom-parser path so both give identical values.
 */
import { TextDecoder } from 'node:util';

export type KeywordVr = 'AS' | 'CS' | 'DA' | 'IS' | 'LO' | 'LT' | 'OB' | 'PN' | 'SH' | 'TM' | 'UI' | 'US';

/** Keywords the reader can extract, with their tags (as dicom-parser spells them) and VRs. */
export const DICOM_KEYWORDS = {
  SpecificCharacterSet: ['x00080005', 'CS'],
  ImageType: ['x00080008', 'CS'],
  SOPClassUID: ['x00080016', 'UI'],
  SOPInstanceUID: ['x00080018', 'UI'],
  StudyDate: ['x00080020', 'DA'],
  SeriesDate: ['x00080021', 'DA'],
  AcquisitionDate: ['x00080022', 'DA'],
  ContentDate: ['x00080023', 'DA'],
  StudyTime: ['x00080030', 'TM'],
  SeriesTime: ['x00080031', 'TM'],
  AccessionNumber: ['x00080050', 'SH'],
  Modality: ['x00080060', 'CS'],
  Manufacturer: ['x00080070', 'LO'],
  InstitutionName: ['x00080080', 'LO'],
  ReferringPhysicianName: ['x00080090', 'PN'],
  StationName: ['x00081010', 'SH'],
  StudyDescription: ['x00081030', 'LO'],
  SeriesDescription: ['x0008103e', 'LO'],
  InstitutionalDepartmentName: ['x00081040', 'LO'],
  ManufacturerModelName: ['x00081090', 'LO'],
  PatientName: ['x00100010', 'PN'],
  PatientID: ['x00100020', 'LO'],
  IssuerOfPatientID: ['x00100021', 'LO'],
  PatientBirthDate: ['x00100030', 'DA'],
  PatientSex: ['x00100040', 'CS'],
  PatientAge: ['x00101010', 'AS'],
  BodyPartExamined: ['x00180015', 'CS'],
  DeviceSerialNumber: ['x00181000', 'LO'],
  SoftwareVersions: ['x00181020', 'LO'],
  ProtocolName: ['x00181030', 'LO'],
  StudyInstanceUID: ['x0020000d', 'UI'],
  SeriesInstanceUID: ['x0020000e', 'UI'],
  StudyID: ['x00200010', 'SH'],
  SeriesNumber: ['x00200011', 'IS'],
  AcquisitionNumber: ['x00200012', 'IS'],
  InstanceNumber: ['x00200013', 'IS'],
  FrameOfReferenceUID: ['x00200052', 'UI'],
  Laterality: ['x00200060', 'CS'],
  ImageComments: ['x00204000', 'LT'],
  PhotometricInterpretation: ['x00280004', 'CS'],
  Rows: ['x00280010', 'US'],
  Columns: ['x00280011', 'US'],
  RequestedProcedureDescription: ['x00321060', 'LO'],
  PerformedProcedureStepDescription: ['x00400254', 'LO'],
  EncapsulatedDocument: ['x00420011', 'OB'],
  MIMETypeOfEncapsulatedDocument: ['x00420012', 'LO'],
} as const satisfies Record<string, readonly [string, KeywordVr]>;

export type DicomKeyword = keyof typeof DICOM_KEYWORDS;
/** Values by keyword; absent elements are absent, empty ones are ''. OB elements give `binary (N bytes)`. */
export type DicomFields = Partial<Record<DicomKeyword, string>>;

/**
 * Read by default: the values the issue's mappings and the Files sheet use, the character set, and what
 * the upload guards need. Ask for more (any key of DICOM_KEYWORDS) when a mapping names them; each extra
 * keyword costs a little per file.
 */
export const DEFAULT_KEYWORDS: readonly DicomKeyword[] = [
  'SpecificCharacterSet',
  'ImageType',
  'SOPClassUID',
  'SOPInstanceUID',
  'StudyDate',
  'AccessionNumber',
  'Modality',
  'Manufacturer',
  'StationName',
  'StudyDescription',
  'SeriesDescription',
  'ManufacturerModelName',
  'PatientName',
  'PatientID',
  'BodyPartExamined',
  'StudyInstanceUID',
  'SeriesInstanceUID',
  'SeriesNumber',
  'EncapsulatedDocument',
];

export function isDicomKeyword(name: string): name is DicomKeyword {
  return Object.hasOwn(DICOM_KEYWORDS, name);
}

export const UNDEFINED_LENGTH = 0xffffffff;
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const DEFLATED = '1.2.840.10008.1.2.1.99';

export const VALID_VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);
/** VRs whose explicit-VR encoding has two reserved bytes and a 4-byte length. */
export const LONG_LENGTH_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'PN', 'UC']);
const CHARSETS: Record<string, string> = {
  'ISO_IR 192': 'utf-8',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'windows-1254',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  GB18030: 'gb18030',
  GBK: 'gbk',
};
const decoders = new Map<string, TextDecoder>();
const encodings = new Map<string, string | undefined>();

/**
 * The text encoding of a Specific Character Set value; undefined means Latin-1 (the default repertoire,
 * ISO_IR 100, and the ISO 2022 code extensions we do not decode).
 */
export function charsetEncoding(specificCharacterSet: string | undefined): string | undefined {
  if (!specificCharacterSet || specificCharacterSet === 'ISO_IR 100') return undefined;
  if (encodings.has(specificCharacterSet)) return encodings.get(specificCharacterSet);
  const first = specificCharacterSet.split('\\').find((c) => c.trim() !== '');
  const encoding = first ? CHARSETS[first.trim()] : undefined;
  if (encodings.size < 64) encodings.set(specificCharacterSet, encoding);
  return encoding;
}

/**
 * Decodes one element value: spaces and NULs trimmed, text VRs in the data set's character set,
 * US as a number, OB reported by size only. Undefined when the value is not within `bytes`.
 */
export function decodeValue(
  bytes: Buffer,
  offset: number,
  length: number,
  vr: KeywordVr,
  encoding: string | undefined,
  bigEndian: boolean,
): string | undefined {
  if (vr === 'OB') return `binary (${length === UNDEFINED_LENGTH ? 'undefined length' : `${length} bytes`})`;
  if (length === UNDEFINED_LENGTH || offset + length > bytes.length) return undefined;
  if (vr === 'US') {
    if (length < 2) return '';
    return String(bigEndian ? bytes.readUInt16BE(offset) : bytes.readUInt16LE(offset));
  }
  let end = offset + length;
  while (end > offset && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  let start = offset;
  while (start < end && bytes[start] === 0x20) start++;
  if (encoding && TEXT_VRS.has(vr)) {
    let decoder = decoders.get(encoding);
    if (!decoder) decoders.set(encoding, (decoder = new TextDecoder(encoding)));
    return decoder.decode(bytes.subarray(start, end));
  }
  // Buffer#latin1Slice skips toString's encoding dispatch; it matters at ~20 values per file.
  return (bytes as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
}
