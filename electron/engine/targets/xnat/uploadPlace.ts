import { basename } from 'node:path';
import { CourierError } from '../../../../shared/errors';
import type { DicomKeyword } from '../../sources/folder/dicomHeader';
import { mappingValue } from '../../sources/dicomFolder/itemMeta';
import type { DicomItemMeta } from '../../sources/dicomFolder/itemMeta';
import { DICOM_PREFIX } from '../../sources/dicomFolder/sourceConfig';
import { sanitizeScanType } from '../../sources/dicomFolder/visitNumbers';
import type { XnatTargetConfig } from './targetConfig';

/** Where one file goes in XNAT, by labels. */
export interface UploadPlace {
  project: string;
  subject: string;
  experiment: string;
  /** `xnat:ctSessionData`… from the Modality. */
  xsiType: string;
  /** StudyDate as YYYYMMDD, when the header has a valid one. */
  date?: string;
  /** The DICOM SeriesNumber (xnatuploader 1.1.2: a scan ID of our own makes XNAT keep a shadow scan). */
  scan: string;
  scanXsiType: string;
  scanType: string;
  seriesDescription?: string;
  resource: string;
  fileName: string;
}

/** Session and scan classes by DICOM Modality; anything else is filed as MR, as xnatuploader does. */
const MODALITY_TYPES: Record<string, [session: string, scan: string]> = {
  CT: ['ct', 'ct'],
  MR: ['mr', 'mr'],
  PT: ['pet', 'pet'],
  PET: ['pet', 'pet'],
  MRPT: ['petmr', 'mr'],
  PTMR: ['petmr', 'mr'],
  CR: ['cr', 'cr'],
  DX: ['dx', 'dx'],
  MG: ['mg', 'mg'],
  US: ['us', 'us'],
  XA: ['xa', 'xa'],
  RF: ['rf', 'rf'],
  NM: ['nm', 'nm'],
  IO: ['io', 'io'],
  OP: ['op', 'op'],
  OPT: ['opt', 'opt'],
  SM: ['sm', 'sm'],
  ES: ['es', 'es'],
  XC: ['xc', 'xc'],
  GM: ['gm', 'gm'],
  ECG: ['ecg', 'ecg'],
  HD: ['hd', 'hd'],
  OT: ['otherDicom', 'otherDicom'],
};

/** The XNAT session and scan data types for a DICOM Modality. */
export function xsiTypesFor(modality: string): { session: string; scan: string } {
  const [session, scan] = MODALITY_TYPES[modality.trim().toUpperCase()] ?? ['mr', 'mr'];
  return { session: `xnat:${session}SessionData`, scan: `xnat:${scan}ScanData` };
}

/** Letters, digits, `_` and `-` only: what XNAT accepts in subject and experiment labels. */
export function xnatLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A value the label template may name: a mapping, a captured value, a DICOM keyword, or `visit`. */
function templateValue(meta: DicomItemMeta, name: string): string | undefined {
  if (name === 'visit') return meta.visit === undefined ? undefined : String(meta.visit);
  const mapped = mappingValue(meta, name);
  if (mapped !== undefined) return mapped;
  if (Object.hasOwn(meta.captured, name)) return meta.captured[name];
  const keyword = (name.startsWith(DICOM_PREFIX) ? name.slice(DICOM_PREFIX.length) : name) as DicomKeyword;
  return meta.dicom[keyword];
}

/**
 * The experiment label for a file: the session label its workbook row already carries (a sheet continued
 * from xnatuploader), else the template filled in, made safe for XNAT.
 */
export function experimentLabelOf(meta: DicomItemMeta, template: string, itemName = 'this file'): string {
  if (meta.sessionLabel) return xnatLabel(meta.sessionLabel);
  const label = template.replace(/\{([^{}]+)\}/g, (_whole, name: string) => {
    const value = templateValue(meta, name);
    if (value === undefined) {
      throw new CourierError({
        code: 'label-value-missing',
        message: `The experiment label "${template}" uses {${name}}, which ${itemName} does not have (a mapping, a captured value, a DICOM keyword or visit).`,
      });
    }
    return value;
  });
  return xnatLabel(label);
}

/** Where a scanned file goes: subject, experiment, scan and resource, from its meta and the target settings. */
export function uploadPlace(
  item: { name: string; path: string },
  meta: DicomItemMeta,
  config: XnatTargetConfig,
): UploadPlace {
  const modality = meta.dicom.Modality?.trim() ?? '';
  if (!modality) {
    throw new CourierError({
      code: 'no-modality',
      message: `${item.name} has no Modality in its DICOM header; XNAT's session type comes from it.`,
    });
  }
  const scan = meta.dicom.SeriesNumber?.trim() ?? '';
  if (!/^[A-Za-z0-9_.-]+$/.test(scan)) {
    throw new CourierError({
      code: 'no-series-number',
      message: `${item.name} has ${scan ? `an unusable SeriesNumber "${scan}"` : 'no SeriesNumber'} in its DICOM header; XNAT needs it as the scan ID.`,
    });
  }
  if (!meta.subject) {
    throw new CourierError({ code: 'no-subject', message: `${item.name} has an empty Subject.` });
  }
  const types = xsiTypesFor(modality);
  const date = meta.dicom.StudyDate?.trim();
  const description = meta.dicom.SeriesDescription?.trim();
  return {
    project: config.project,
    subject: xnatLabel(meta.subject),
    experiment: experimentLabelOf(meta, config.experimentLabel, item.name),
    xsiType: types.session,
    ...(date && /^\d{8}$/.test(date) ? { date } : {}),
    scan,
    scanXsiType: types.scan,
    scanType: meta.scanType ?? sanitizeScanType(meta.dataset),
    ...(description ? { seriesDescription: description } : {}),
    resource: config.resource,
    fileName: basename(item.path),
  };
}

/** The file's address on the server, as the ledger records it. */
export function fileUrl(server: string, place: UploadPlace): string {
  const seg = encodeURIComponent;
  return (
    `${server}/data/projects/${seg(place.project)}/subjects/${seg(place.subject)}` +
    `/experiments/${seg(place.experiment)}/scans/${seg(place.scan)}/resources/${seg(place.resource)}` +
    `/files/${seg(place.fileName)}`
  );
}
