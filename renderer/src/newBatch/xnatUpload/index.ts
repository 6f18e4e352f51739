import type { NewBatchFlow } from '../flow';
import { XnatUploadForm } from './XnatUploadForm';

export const xnatUploadFlows: NewBatchFlow[] = [
  {
    id: 'xnat-upload',
    title: 'DICOM folder → XNAT',
    summary:
      'A local folder of DICOM files, placed by path patterns and header values (xnatuploader’s workbook), reviewed, then sent to an XNAT project with every file’s MD5 checked.',
    Component: XnatUploadForm,
  },
];
