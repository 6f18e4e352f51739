import type { NewBatchFlow } from './flow';
import { copyFolderFlow } from './CopyFolderForm';
import { isicFlows } from './isic';
import { radiopaediaFlows } from './radiopaedia';
import { wikiFlows } from './wiki';
import { xnatDownloadFlows } from './xnatDownload';
import { xnatUploadFlows } from './xnatUpload';

/** Every kind of batch on the New batch page, in the order shown. */
export const FLOWS: NewBatchFlow[] = [
  ...xnatUploadFlows,
  ...xnatDownloadFlows,
  ...radiopaediaFlows,
  ...isicFlows,
  ...wikiFlows,
  copyFolderFlow,
];
