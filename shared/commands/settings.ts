/**
 * Application settings: how many files a batch sends at once by default, how politely each archive is
 * treated (requests at the same time, least time between two requests), the wiki page text and the browser
 * for Radiopaedia (kept in the ledger), and the data folder (kept beside it, in the per-user folder).
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
  /** The Chromium-family browser that reads Radiopaedia pages; empty: found automatically. */
  browserPath: string;
}

export const wikiPageTemplateSchema = z
  .string()
  .max(20_000)
  .refine((t) => t.trim() !== '', { message: 'the page text cannot be empty' })
  .refine((t) => unknownPlaceholders(t).length === 0, {
    message: 'uses a placeholder that does not exist',
  });

/** A path typed by a person (a folder or a program); checked by the engine, which knows the file system. */
const typedPath = z.string().max(4096);

/**
 * The data folder: where the ledger, reports, work files and the Radiopaedia browser profile live. The
 * choice is kept in `data-folder.json` in the per-user default folder and applies from the next start.
 */
export const dataFolderCommands = {
  /** The folder in use, its ledger file, and the folder the next start will use. */
  'settings.dataFolder': z.object({}).strict(),
  /** Checks a folder for use as the data folder (changes nothing). */
  'settings.checkDataFolder': z.object({ folder: typedPath }).strict(),
  /**
   * Makes `folder` the data folder from the next start: `copy` copies the ledger in use there (the folder
   * must have none), `use-existing` uses the ledger already there.
   */
  'settings.changeDataFolder': z
    .object({ folder: typedPath, ledger: z.enum(['copy', 'use-existing']) })
    .strict(),
} as const satisfies Record<string, z.ZodType>;

export interface DataFolderInfo {
  /** The folder this run uses. */
  folder: string;
  /** The ledger file this run uses. */
  ledgerFile: string;
  /** The per-user default folder (the data folder unless another is chosen; it keeps the choice). */
  defaultFolder: string;
  /** The folder the next start will use. */
  nextStart: string;
  /** Set when this run's ledger was named by $COURIER_DB or --db: the choice here applies to runs without it. */
  override: 'COURIER_DB' | '--db' | null;
  /** Why the saved choice cannot be followed (the default folder is used instead), else null. */
  problem: string | null;
}

export interface DataFolderCheck {
  /** The folder as it will be used (a full path). */
  folder: string;
  /** False when it does not exist yet (it will be created). */
  exists: boolean;
  /** The ledger file in that folder. */
  ledgerFile: string;
  /** A ledger already in that folder, or null. */
  ledger: { batches: number } | null;
}

export interface DataFolderChange {
  info: DataFolderInfo;
  /** Whether the ledger in use was copied there. */
  copied: boolean;
  /** What happened and when it takes effect, in one or two sentences. */
  message: string;
}

export interface BrowserCheck {
  ok: boolean;
  /** The program checked (the one found automatically when none was typed). */
  path: string | null;
  /** What the browser says it is, e.g. "Chromium 126.0.6478.126". */
  version: string | null;
  /** One sentence: which browser answered, or what is wrong. */
  message: string;
}

export const browserSettingCommands = {
  /** Checks a browser program (empty: the one found automatically) and asks it its version. */
  'settings.checkBrowser': z.object({ path: typedPath }).strict(),
} as const satisfies Record<string, z.ZodType>;

export const settingsCommands = {
  'settings.get': z.object({}).strict(),
  /** Saves what is given; what is left out stays as it was. */
  'settings.save': z
    .object({
      limits: limitSettingsSchema.optional(),
      wikiPageTemplate: wikiPageTemplateSchema.optional(),
      /** Empty: find Chrome, Edge or Chromium automatically. */
      browserPath: typedPath.transform((p) => p.trim()).optional(),
    })
    .strict(),
  ...dataFolderCommands,
  ...browserSettingCommands,
} as const satisfies Record<string, z.ZodType>;

export interface SettingsResults {
  'settings.get': AppSettings;
  'settings.save': AppSettings;
  'settings.dataFolder': DataFolderInfo;
  'settings.checkDataFolder': DataFolderCheck;
  'settings.changeDataFolder': DataFolderChange;
  'settings.checkBrowser': BrowserCheck;
}
