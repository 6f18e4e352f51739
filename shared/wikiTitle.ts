/**
 * MediaWiki file-name rules (reference/mediawiki.md §3.11; core UploadBase::getTitle,
 * wfStripIllegalFilenameChars, MediaWikiTitleCodec::splitTitleString), applied before upload so the name
 * the wiki stores is the name we chose, not a silently changed one.
 */

/** `UploadBase::getTitle` refuses file names longer than this many bytes (UTF-8). */
export const MAX_FILE_NAME_BYTES = 240;

/** Default `MediaWiki:Filename-prefix-blacklist`: camera names that get a `bad-prefix` warning. */
export const CAMERA_PREFIXES = ['CIMG', 'DSC_', 'DSCF', 'DSCN', 'DUW', 'IMG', 'JD', 'MGP', 'PICT'] as const;

/** What sanitising changed, in the order it happens. */
export type FileNameChange =
  | 'namespace-stripped'
  | 'unicode-normalised'
  | 'entities-decoded'
  | 'illegal-characters-replaced'
  | 'bidi-marks-removed'
  | 'whitespace-collapsed'
  | 'extension-added'
  | 'extension-lowercased'
  | 'truncated'
  | 'first-letter-capitalised';

/** Warnings the wiki will still give for an otherwise valid name. */
export type FileNameWarning = 'bad-prefix' | 'thumb-name';

export type FileNameResult =
  | {
      ok: true;
      /** The file name in display form (spaces), without `File:`. */
      name: string;
      changes: FileNameChange[];
      warnings: FileNameWarning[];
    }
  | { ok: false; reason: 'empty' | 'no-extension' | 'extension-not-allowed' | 'too-short'; message: string };

export interface FileNameOptions {
  /** Extension (no dot) to append when the name has none or one the wiki does not allow. */
  defaultExtension?: string;
  /** Extensions the wiki allows (siteinfo `fileextensions`); case-insensitive. */
  allowedExtensions?: readonly string[];
  /** Lower-case the extension so `X.PNG` and `X.png` cannot clash (`exists-normalized`); default true. */
  lowercaseExtension?: boolean;
  /** Byte limit; default 240. */
  maxBytes?: number;
}

// Whitespace MediaWiki turns into one underscore (MediaWikiTitleCodec::splitTitleString).
const WHITESPACE = /[ _\u00A0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/g;
const BIDI_MARKS = /[\u200E\u200F\u202A-\u202E]/g;
// Outside $wgLegalTitleChars (controls, # < > [ ] | { }), $wgIllegalFileChars (: / \), U+FFFD and lone
// surrogates (invalid UTF-8 on the wire).
const ILLEGAL =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what titles may not hold
  /[\u0000-\u001F\u007F#<>[\]|{}:/\\\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Sequences a title may not hold: %XX (URL escapes), &name; (HTML entities), ~~~ (signatures).
const PERCENT_ESCAPE = /%(?=[0-9A-Fa-f]{2})/g;
const ENTITY_LIKE = /&(?=[A-Za-z0-9\u0080-\uFFFF]+;)/g;
const TILDES = /~{3,}/g;
const NAMESPACE_PREFIX = /^\s*(?:file|image)\s*:\s*/i;

const BASIC_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
};

/** UTF-8 byte length of a string (MediaWiki counts bytes, not characters). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The longest prefix of `text` (whole characters) that fits in `maxBytes` bytes of UTF-8. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    }
    return BASIC_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** `Language::ucfirst`: the first character upper-cased ($wgCapitalLinks, on by default). */
export function capitaliseFirst(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const char = String.fromCodePoint(first);
  return char.toUpperCase() + text.slice(char.length);
}

/** Splits `Name.with.dots.png` into `Name.with.dots` and `png` (the final extension, as MediaWiki does). */
export function splitExtension(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { base: name, extension: '' };
  return { base: name.slice(0, dot), extension: name.slice(dot + 1).trim() };
}

/** Warnings the wiki would give this (already valid) name: camera prefix or thumbnail-like name. */
export function fileNameWarnings(name: string): FileNameWarning[] {
  const base = splitExtension(name).base.replace(/ /g, '_');
  const warnings: FileNameWarning[] = [];
  if (CAMERA_PREFIXES.some((prefix) => base.startsWith(prefix))) warnings.push('bad-prefix');
  if ((base.slice(3, 6) === 'px-' || base.slice(2, 5) === 'px-') && /[0-9]{2}/.test(base.slice(0, 2))) {
    warnings.push('thumb-name');
  }
  return warnings;
}

function step(changes: FileNameChange[], change: FileNameChange, before: string, after: string): string {
  if (after !== before) changes.push(change);
  return after;
}

/**
 * Turns a proposed file name into one MediaWiki stores unchanged: `File:` stripped, NFC, illegal characters
 * as `-` (like the server's `badfilename`), whitespace collapsed, an allowed extension, at most 240 bytes
 * (the base is shortened, the extension kept), first letter capitalised.
 */
export function sanitizeFileName(proposed: string, options: FileNameOptions = {}): FileNameResult {
  const maxBytes = options.maxBytes ?? MAX_FILE_NAME_BYTES;
  const allowed = options.allowedExtensions?.map((e) => e.toLowerCase());
  const changes: FileNameChange[] = [];
  let name = proposed;
  name = step(changes, 'namespace-stripped', name, name.replace(NAMESPACE_PREFIX, ''));
  name = step(changes, 'unicode-normalised', name, name.normalize('NFC'));
  name = step(changes, 'entities-decoded', name, decodeEntities(name));
  name = step(
    changes,
    'illegal-characters-replaced',
    name,
    name.replace(ILLEGAL, '-').replace(PERCENT_ESCAPE, '-').replace(ENTITY_LIKE, '-').replace(TILDES, '-'),
  );
  name = step(changes, 'bidi-marks-removed', name, name.replace(BIDI_MARKS, ''));
  name = step(changes, 'whitespace-collapsed', name, name.replace(WHITESPACE, ' ').trim());
  if (name === '') return { ok: false, reason: 'empty', message: `'${proposed}' leaves no file name` };

  let { base, extension } = splitExtension(name);
  const extensionAllowed = extension !== '' && (!allowed || allowed.includes(extension.toLowerCase()));
  if (!extensionAllowed) {
    if (!options.defaultExtension) {
      return extension === ''
        ? { ok: false, reason: 'no-extension', message: `'${name}' has no file extension` }
        : {
            ok: false,
            reason: 'extension-not-allowed',
            message: `'.${extension}' is not an allowed file type here (${(allowed ?? []).join(', ')})`,
          };
    }
    base = name;
    extension = options.defaultExtension.replace(/^\./, '');
    changes.push('extension-added');
  }
  if (options.lowercaseExtension !== false) {
    extension = step(changes, 'extension-lowercased', extension, extension.toLowerCase());
  }
  base = step(changes, 'whitespace-collapsed', base, base.replace(WHITESPACE, ' ').trim());
  const room = maxBytes - utf8Length(extension) - 1;
  if (utf8Length(base) > room) {
    base = truncateUtf8(base, room).replace(WHITESPACE, ' ').trim();
    changes.push('truncated');
  }
  if (base === '')
    return { ok: false, reason: 'too-short', message: `'${name}' has nothing before its extension` };
  base = step(changes, 'first-letter-capitalised', base, capitaliseFirst(base));
  const finalName = `${base}.${extension}`;
  return { ok: true, name: finalName, changes, warnings: fileNameWarnings(finalName) };
}

/** The DB key form of a file name (`Name_with_underscores.png`). */
export function fileNameToDbKey(name: string): string {
  return name
    .replace(NAMESPACE_PREFIX, '')
    .replace(WHITESPACE, '_')
    .replace(/^_+|_+$/g, '');
}

/** `File:Name with spaces.png` for a file name in either form. */
export function fileTitle(name: string): string {
  return `File:${fileNameToDbKey(name).replace(/_/g, ' ')}`;
}

/** Whether two names denote the same file page (namespace, underscores, first-letter case ignored). */
export function sameFileName(a: string, b: string): boolean {
  return (
    capitaliseFirst(fileNameToDbKey(a).normalize('NFC')) ===
    capitaliseFirst(fileNameToDbKey(b).normalize('NFC'))
  );
}
