import { describe, expect, it } from 'vitest';
import { mapValues, matchedMeta } from '../../../electron/engine/sources/dicomFolder/itemMeta';
import type { DicomItemMeta } from '../../../electron/engine/sources/dicomFolder/itemMeta';
import { dicomFolderConfig, keywordsFor } from '../../../electron/engine/sources/dicomFolder/sourceConfig';
import { assignVisits, sanitizeScanType } from '../../../electron/engine/sources/dicomFolder/visitNumbers';
import { xnatuploaderStatus } from '../../../electron/engine/sources/dicomFolder/workbookSync';
import { xnatTargetConfig } from '../../../electron/engine/targets/xnat/targetConfig';
import {
  experimentLabelOf,
  uploadPlace,
  xnatLabel,
  xsiTypesFor,
} from '../../../electron/engine/targets/xnat/uploadPlace';

function meta(
  subject: string,
  date: string,
  dataset: string,
  extra: Partial<DicomItemMeta> = {},
): DicomItemMeta {
  return {
    pattern: 'DICOM',
    subject,
    session: date,
    dataset,
    captured: { ID: subject },
    dicom: { StudyDate: date, Modality: 'CT', SeriesNumber: '3' },
    upload: true,
    ...extra,
  };
}

describe('mapping values (xnatuploader Mappings)', () => {
  it('concatenates the named values and turns spaces into underscores', () => {
    const result = mapValues(
      { Subject: ['ID'], Session: ['DICOM:StudyDate'], Dataset: ['Directory', 'DICOM:SeriesNumber'] },
      { ID: '0342', Directory: 'Head CT ' },
      { StudyDate: '20190115', SeriesNumber: '3' },
    );
    expect(result).toEqual({ mapped: { Subject: '0342', Session: '20190115', Dataset: 'Head_CT_3' } });
  });

  it('names the value a mapping misses, whether captured or from the header', () => {
    expect(mapValues({ Session: ['DICOM:StudyDate'] }, {}, {})).toEqual({
      missing: 'DICOM:StudyDate',
      mapping: 'Session',
    });
    expect(mapValues({ Subject: ['ID'] }, { Other: 'x' }, {})).toEqual({ missing: 'ID', mapping: 'Subject' });
  });

  it('keeps extra mappings apart from the three XNAT levels', () => {
    const m = matchedMeta('P', { Subject: 'S', Session: 'D', Dataset: 'X', Site: 'Sydney' }, {}, {}, true);
    expect(m).toMatchObject({ subject: 'S', session: 'D', dataset: 'X', mappings: { Site: 'Sydney' } });
  });
});

describe('visits and scan types (xnatuploader collate_uploads)', () => {
  it('numbers each subject’s distinct StudyDates in order, whatever order the files come in', () => {
    const files = [
      meta('A', '20200623', 'Head CT'),
      meta('A', '20190115', 'Head CT'),
      meta('B', '20210101', 'Chest'),
      meta('A', '20200623', 'Neck CT'),
      meta('A', '20190115', 'Head CT'),
    ];
    assignVisits(files);
    expect(files.map((f) => f.visit)).toEqual([2, 1, 1, 2, 1]);
  });

  it('makes datasets safe scan types and numbers two that would clash within a visit', () => {
    const files = [
      meta('A', '20200101', 'Head CT'),
      meta('A', '20200101', 'Head-CT'),
      meta('A', '20200101', 'Head CT'),
      meta('A', '20200202', 'Head-CT'),
    ];
    assignVisits(files);
    expect(files.map((f) => f.scanType)).toEqual(['Head_CT', 'Head_CT2', 'Head_CT', 'Head_CT']);
    expect(sanitizeScanType('T1 (MPRAGE), 1.0mm')).toBe('T1__MPRAGE___1_0mm');
  });
});

describe('XNAT places', () => {
  const config = xnatTargetConfig.parse({ server: 'http://x.test/', project: 'P1' });

  it('labels experiments as xnatuploader does, from a template, safely', () => {
    expect(config.server).toBe('http://x.test');
    const m = meta('0342', '20190115', 'Head CT', { visit: 2 });
    expect(experimentLabelOf(m, config.experimentLabel)).toBe('0342_CT2');
    expect(experimentLabelOf(m, '{Subject}_{DICOM:StudyDate}_{ID}')).toBe('0342_20190115_0342');
    expect(experimentLabelOf({ ...m, subject: 'Roe^Jane 1' }, '{Subject}-{visit}')).toBe('Roe_Jane_1-2');
    expect(experimentLabelOf({ ...m, sessionLabel: 'P1_0342_CT1' }, config.experimentLabel)).toBe(
      'P1_0342_CT1',
    );
    expect(() => experimentLabelOf(m, '{Nope}')).toThrow(/uses \{Nope\}/);
  });

  it('takes data types from the Modality and the scan ID from the SeriesNumber', () => {
    expect(xsiTypesFor('CT')).toEqual({ session: 'xnat:ctSessionData', scan: 'xnat:ctScanData' });
    expect(xsiTypesFor('PT')).toEqual({ session: 'xnat:petSessionData', scan: 'xnat:petScanData' });
    expect(xsiTypesFor('MRPT')).toEqual({ session: 'xnat:petmrSessionData', scan: 'xnat:mrScanData' });
    expect(xsiTypesFor('XYZ')).toEqual({ session: 'xnat:mrSessionData', scan: 'xnat:mrScanData' });
    const place = uploadPlace(
      { name: 'a/b.dcm', path: '/d/a/b.dcm' },
      meta('Doe^J', '20190115', 'Head CT', { visit: 1, scanType: 'Head_CT' }),
      config,
    );
    expect(place).toMatchObject({
      subject: 'Doe_J',
      experiment: 'Doe_J_CT1',
      xsiType: 'xnat:ctSessionData',
      date: '20190115',
      scan: '3',
      scanType: 'Head_CT',
      resource: 'DICOM',
      fileName: 'b.dcm',
    });
    const noSeries = meta('S', '20190115', 'X', { dicom: { Modality: 'CT' } });
    expect(() => uploadPlace({ name: 'n', path: '/n' }, noSeries, config)).toThrow(/no SeriesNumber/);
    expect(xnatLabel('a b/c^d')).toBe('a_b_c_d');
  });
});

describe('source settings', () => {
  const base = {
    dir: '/data',
    paths: [{ label: 'DICOM', cells: ['{SubjectName}-{ID}', '**', '{Directory}', '{filename}.dcm'] }],
    mappings: { Subject: ['ID'], Session: ['DICOM:StudyDate'], Dataset: ['Directory'] },
  };

  it('accepts xnatuploader’s default configuration and reads the keywords its mappings name', () => {
    const config = dicomFolderConfig.parse({
      ...base,
      mappings: { ...base.mappings, Site: ['DICOM:InstitutionName'] },
    });
    expect(config.listing).toBe('folder');
    expect(keywordsFor(config)).toEqual(
      expect.arrayContaining(['StudyDate', 'InstitutionName', 'SeriesNumber']),
    );
  });

  it('says what is wrong with a configuration, by section and cell', () => {
    const result = dicomFolderConfig.safeParse({
      ...base,
      paths: [{ label: 'DICOM', cells: ['{ID', '{filename}.dcm'] }],
      mappings: { Subject: ['Patient'], Session: ['DICOM:NotAKeyword'] },
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/cell 1 "\{ID": invalid cell/);
    expect(messages).toMatch(/needs a row for Dataset/);
    expect(messages).toMatch(/uses "Patient", which no path pattern captures/);
    expect(messages).toMatch(/DICOM:NotAKeyword is not a DICOM keyword/);
  });
});

describe('Files sheet statuses', () => {
  it('writes what xnatuploader reads back: success is never sent again, the rest is', () => {
    expect(xnatuploaderStatus({ status: 'done', reason: null, message: null })).toBe('success');
    expect(xnatuploaderStatus({ status: 'unmatched', reason: 'no-pattern-match', message: 'x' })).toBe(
      'unmatched',
    );
    expect(xnatuploaderStatus({ status: 'interrupted', reason: null, message: null })).toBe(
      'Upload interrupted by user',
    );
    expect(xnatuploaderStatus({ status: 'failed', reason: 'digest-mismatch', message: 'MD5 a vs b' })).toBe(
      'Error: MD5 a vs b',
    );
    expect(xnatuploaderStatus({ status: 'skipped', reason: 'upload-off', message: 'off' })).toBe('');
    expect(xnatuploaderStatus({ status: 'pending', reason: null, message: null })).toBe('');
  });
});
