import type { NewBatchFlow } from '../flow';
import WikiUploadForm from './WikiUploadForm';

export const wikiFlows: NewBatchFlow[] = [
  {
    id: 'wiki',
    title: 'Upload to a wiki',
    summary:
      'Files of a finished batch or a spreadsheet → a MediaWiki wiki (NC Commons), with page text, licence, categories and duplicate checks.',
    Component: WikiUploadForm,
  },
];
