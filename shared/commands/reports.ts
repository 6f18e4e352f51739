import type { z } from 'zod';

export const reportCommands = {} as const satisfies Record<string, z.ZodType>;

export type ReportResults = Record<never, never>;
