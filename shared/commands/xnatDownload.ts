import type { z } from 'zod';

export const xnatDownloadCommands = {} as const satisfies Record<string, z.ZodType>;

export type XnatDownloadResults = Record<never, never>;
