import type { z } from 'zod';

export const radiopaediaCommands = {} as const satisfies Record<string, z.ZodType>;

export type RadiopaediaResults = Record<never, never>;
