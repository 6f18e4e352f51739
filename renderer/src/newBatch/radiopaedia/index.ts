import type { NewBatchFlow } from '../flow';

export const radiopaediaFlows: NewBatchFlow[] = [];
