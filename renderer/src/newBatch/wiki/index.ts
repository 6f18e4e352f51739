import type { NewBatchFlow } from '../flow';

export const wikiFlows: NewBatchFlow[] = [];
