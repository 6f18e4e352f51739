/** What `meta=siteinfo` tells about a wiki that matters to an uploader. */
export interface SiteInfo {
  sitename: string;
  /** `MediaWiki 1.39.17` */
  generator: string;
  /** `http://host` or `//host` as the wiki reports it. */
  server: string;
  /** `/wiki/$1` */
  articlePath: string;
  /** `$wgMaxUploadSize` in bytes. */
  maxUploadSize: number;
  /** Smallest non-final chunk the wiki accepts. */
  minUploadChunkSize: number;
  /** Allowed file extensions, lower case. */
  fileExtensions: string[];
}

/** The logged-in user as `meta=userinfo` sees it (rights are those the bot password's grants leave). */
export interface UserInfo {
  name: string;
  anonymous: boolean;
  groups: string[];
  rights: string[];
  /** action → user class → limit, e.g. `{ upload: { user: { hits: 2, seconds: 60 } } }`. */
  rateLimits: Record<string, Record<string, { hits: number; seconds: number }>>;
}

/** A current file on a wiki, as found by SHA-1 or by name. */
export interface WikiFile {
  /** `File:Name with spaces.png` */
  title: string;
  /** `Name_with_spaces.png` (the DB key) */
  name: string;
  sha1: string;
  size: number;
  mime?: string;
  timestamp?: string;
  /** Who uploaded this version. */
  user?: string;
  /** URL of the file itself. */
  url: string;
  /** URL of its description page. */
  descriptionUrl: string;
}

/** Page and file state of one title (`prop=info|imageinfo`). */
export interface FileState {
  /** The title as asked. */
  requested: string;
  /** The title after the wiki normalised it (`File:Lower b.png` for `file:lower_b.png`). */
  title: string;
  /** The description page exists. */
  pageExists: boolean;
  /** A file exists under this title in this wiki's own repository. */
  file: WikiFile | null;
  /** The title is known only through a foreign repository (e.g. InstantCommons). */
  sharedFile: boolean;
  /** The title is invalid on this wiki. */
  invalid: boolean;
}

/**
 * A warning of `action=upload` (reference/mediawiki.md §3.6). `file` is the name the warning is about:
 * the existing file (`exists`, `exists-normalized`, `duplicate-archive`, `was-deleted`, `page-exists`,
 * `bad-prefix`, `thumb`, `thumb-name`) or, for `badfilename`, the name the wiki will use instead.
 */
export type UploadWarning =
  | { code: 'duplicate'; files: string[] }
  | {
      code:
        | 'exists'
        | 'exists-normalized'
        | 'duplicate-archive'
        | 'was-deleted'
        | 'page-exists'
        | 'badfilename'
        | 'bad-prefix'
        | 'thumb'
        | 'thumb-name';
      file: string;
    }
  | { code: 'nochange'; timestamp: string | null }
  | { code: 'duplicateversions'; timestamps: string[] }
  | { code: 'other'; apiCode: string; value: unknown };

export type UploadWarningCode = UploadWarning['code'];

/** The member of UploadWarning that carries this code (with `code` narrowed to it). */
export type UploadWarningWithCode<C extends UploadWarningCode> = UploadWarning extends infer W
  ? W extends { code: infer K }
    ? C extends K
      ? W & { code: C }
      : never
    : never
  : never;

/** The result of an upload attempt. Errors are thrown as CourierError, never returned. */
export type UploadResult =
  | {
      result: 'success';
      /** The name the file was stored under (DB key: underscores, capital first letter). */
      filename: string;
      title: string;
      file: WikiFile;
      /** Warnings the wiki reports even on success (e.g. `duplicate` after `ignorewarnings`). */
      warnings: UploadWarning[];
    }
  | {
      result: 'warning';
      /** The name asked for. */
      filename: string;
      warnings: UploadWarning[];
      /** The stashed bytes; `acceptStashed` publishes them without sending them again. */
      filekey: string;
    }
  | {
      /** Publishing with `ignorewarnings` found the very same bytes as the current version. */
      result: 'unchanged';
      filename: string;
    };

/** Where a chunked upload stands; keep it to resume after an interruption. */
export interface ChunkProgress {
  filename: string;
  filekey: string;
  /** Bytes the wiki holds. */
  offset: number;
  size: number;
}

export interface UploadRequest {
  /** Desired file name, without `File:`. */
  filename: string;
  /** Path of the exact bytes to send. */
  filePath: string;
  /** Page text of a new file (ignored by MediaWiki when the file already exists). */
  text?: string;
  /** Upload summary (≤ 500 characters); also the page text when `text` is absent. */
  comment?: string;
  tags?: string[];
  /** Called after every stored chunk; persist it to resume later. */
  onChunk?: (progress: ChunkProgress) => void | Promise<void>;
  /** Continue the chunked upload under this filekey (from `onChunk`) instead of starting again. */
  resumeFilekey?: string;
  signal?: AbortSignal;
}

export interface AcceptStashedRequest {
  filename: string;
  filekey: string;
  text?: string;
  comment?: string;
  tags?: string[];
  signal?: AbortSignal;
}
