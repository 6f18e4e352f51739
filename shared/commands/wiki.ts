import type { z } from 'zod';

export const wikiCommands = {} as const satisfies Record<string, z.ZodType>;

export type WikiResults = Record<never, never>;
