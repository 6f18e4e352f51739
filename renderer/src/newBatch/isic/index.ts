import type { NewBatchFlow } from '../flow';

export const isicFlows: NewBatchFlow[] = [];
