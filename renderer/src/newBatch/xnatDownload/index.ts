import type { NewBatchFlow } from '../flow';
import XnatDownloadForm from './XnatDownloadForm';

export const xnatDownloadFlows: NewBatchFlow[] = [
  {
    id: 'xnat-download',
    title: 'Download from XNAT',
    summary: 'XNAT experiment → local folder: scans or assessors, extracted safely, every file checked.',
    Component: XnatDownloadForm,
  },
];
