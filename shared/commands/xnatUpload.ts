import type { z } from 'zod';

export const xnatUploadCommands = {} as const satisfies Record<string, z.ZodType>;

export type XnatUploadResults = Record<never, never>;
