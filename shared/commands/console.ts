import type { z } from 'zod';

export const consoleCommands = {} as const satisfies Record<string, z.ZodType>;

export type ConsoleResults = Record<never, never>;
