import type { NewBatchFlow } from '../flow';

export const xnatDownloadFlows: NewBatchFlow[] = [];
