/**
 * Application settings kept in the ledger: how many files a batch sends at once by default, and how
 * politely each archive is treated (requests at the same time, least time between two requests).
 */
import { z } from 'zod';
import { unknownPlaceholders } from '../wikiPage';

const concurrency = z.number().int().min(1).max(64);
const minIntervalMs = z.number().int().min(0).max(600_000);

/**
 * The host part of what a person typed: `https://xnat.example.org/app` and `XNAT.example.org` both give
 * `xnat.example.org`; a port is kept (`127.0.0.1:8080`). Empty when nothing host-like was typed.
 */
export function normalizeHost(input: string): string {
  const text = input.trim();
  if (!text) return '';
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`).host.toLowerCase();
  } catch {
    return '';
  }
}

export const hostLimitSchema = z
  .object({
    host: z
      .string()
      .max(300)
      .transform((h) => normalizeHost(h))
      .refine((h) => h !== '', { message: 'must be a host name such as xnat.example.org' }),
    concurrency,
    minIntervalMs,
  })
  .strict();

export const limitSettingsSchema = z
  .object({
    /** Files a new batch sends at the same time, unless the batch says otherwise. */
    defaultConcurrency: concurrency,
    /** Limits for any host not listed in `hosts`. */
    anyHost: z.object({ concurrency, minIntervalMs }).strict(),
    hosts: z.array(hostLimitSchema).max(200),
  })
  .strict()
  .refine((s) => new Set(s.hosts.map((h) => h.host)).size === s.hosts.length, {
    message: 'each host may be listed only once',
    path: ['hosts'],
  });

export type LimitSettings = z.output<typeof limitSettingsSchema>;
export type HostLimitSetting = LimitSettings['hosts'][number];

export const DEFAULT_LIMIT_SETTINGS: LimitSettings = {
  defaultConcurrency: 4,
  anyHost: { concurrency: 8, minIntervalMs: 0 },
  hosts: [],
};

export interface AppSettings {
  limits: LimitSettings;
  /** The page text a new wiki upload starts from (Settings → Wiki page text). */
  wikiPageTemplate: string;
}

export const wikiPageTemplateSchema = z
  .string()
  .max(20_000)
  .refine((t) => t.trim() !== '', { message: 'the page text cannot be empty' })
  .refine((t) => unknownPlaceholders(t).length === 0, {
    message: 'uses a placeholder that does not exist',
  });

export const settingsCommands = {
  'settings.get': z.object({}).strict(),
  /** Saves what is given; what is left out stays as it was. */
  'settings.save': z
    .object({ limits: limitSettingsSchema.optional(), wikiPageTemplate: wikiPageTemplateSchema.optional() })
    .strict(),
} as const satisfies Record<string, z.ZodType>;

export interface SettingsResults {
  'settings.get': AppSettings;
  'settings.save': AppSettings;
}
