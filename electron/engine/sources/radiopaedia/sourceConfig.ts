import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SITE } from './caseInputs';
import { DEFAULT_ALLOWED_FORMATS } from './fileFormat';
import { RADIOPAEDIA_LICENCE } from './licence';

/** Radiopaedia's terms forbid bulk robots: one page at a time, at least this long between page loads. */
export const POLITE_DELAY_MS = 2_000;

export const radiopaediaSourceConfig = z
  .object({
    site: z.url({ protocol: /^https?$/ }).default(DEFAULT_SITE),
    /** Case URLs or rIDs, as a person gave them. */
    cases: z.array(z.string().min(1)).min(1),
    delayMs: z.number().int().min(0).default(POLITE_DELAY_MS),
    /** A Chromium-family browser; detected (Chrome, Edge, Chromium) when absent. */
    browserPath: z.string().min(1).optional(),
    /** The persistent browser profile (sign-ins survive restarts); see `profileDirOf`. */
    profileDir: z.string().min(1).optional(),
    allowedFormats: z.array(z.string().min(1)).min(1).optional(),
    expectedLicences: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type RadiopaediaSourceConfig = z.infer<typeof radiopaediaSourceConfig>;

/**
 * The configured profile, else `radiopaedia-browser` in the app's data folder (the runner's work folders
 * live in `<data>/work/batch-N`), shared by every Radiopaedia batch so a sign-in is made once.
 */
export function profileDirOf(config: RadiopaediaSourceConfig, workDir: string): string {
  return config.profileDir ?? path.resolve(workDir, '..', '..', 'radiopaedia-browser');
}

export function allowedFormatsOf(config: RadiopaediaSourceConfig): readonly string[] {
  return config.allowedFormats?.map((f) => f.toLowerCase().replace(/^\./, '')) ?? DEFAULT_ALLOWED_FORMATS;
}

export function expectedLicencesOf(config: RadiopaediaSourceConfig): readonly string[] {
  return config.expectedLicences ?? [RADIOPAEDIA_LICENCE];
}
