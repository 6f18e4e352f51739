import type { z } from 'zod';

export const isicCommands = {} as const satisfies Record<string, z.ZodType>;

export type IsicResults = Record<never, never>;
