import type { NewBatchFlow } from '../flow';

export const xnatUploadFlows: NewBatchFlow[] = [];
