/**
 * File names for Radiopaedia images on NC Commons (Fæ's scheme, nccommons.org/wiki/User:Fæ/Radiopaedia):
 *
 *   <title> (Radiopaedia <rID>).<ext>                                          a case with one image or video
 *   <title> (Radiopaedia <rID>-<study> <plane_projection> <aux_modality> <position>).<ext>   anything else
 *
 * Inside a study, a stack's label is its plane_projection and aux_modality (the null ones left out). When a
 * stack has neither, or its label is shared with another stack of the same study, the label is unusable and
 * a sequential letter (A, B, C… in stack order, over the unusable stacks only) takes its place.
 *
 * Every name is also made safe as a MediaWiki title (reference/mediawiki.md §3.11: no `# < > [ ] | { }`,
 * `/`, `:`; single spaces; first letter upper case; at most 240 bytes) and as a file name on Windows, macOS
 * and Linux (no `\ ? * "`, no control characters, no reserved device names, no trailing dots or spaces).
 * Pure: no Node, no DOM.
 */

export interface NamingImage {
  id: number | string;
  /** The image's place in its stack as Radiopaedia gives it (`position`); null → its order in the stack. */
  position?: number | null;
  /** The real file type, e.g. `jpg` (from the bytes, not from the URL). */
  ext: string;
}

export interface NamingStack {
  plane_projection: string | null;
  aux_modality: string | null;
  images: NamingImage[];
}

export interface NamingStudy {
  id: number | string;
  stacks: NamingStack[];
}

export interface NamingCase {
  rid: number | string;
  title: string;
  studies: NamingStudy[];
}

export interface RadiopaediaFileName {
  studyId: number | string;
  /** Index of the stack inside its study (0-based, in the study's order). */
  stackIndex: number;
  imageId: number | string;
  /** The stack label used in the name: plane/aux, or a letter. Empty for the single-file form. */
  label: string;
  position: number;
  name: string;
}

/** MediaWiki rejects titles longer than 240 bytes (`filename-toolong`); file systems allow 255. */
export const MAX_NAME_BYTES = 240;

const FALLBACK_TITLE = 'Radiopaedia case';

/** Letters for unusable stacks: A…Z, then AA, AB… (spreadsheet style). */
export function stackLetter(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

function labelPart(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const cleaned = cleanText(String(value));
  return cleaned.toLowerCase() === 'null' ? '' : cleaned;
}

/**
 * The label of each stack of one study, in order: `"<plane> <aux>"` where usable, else a sequential letter.
 * Labels are compared case-insensitively, as a person reading the names would.
 */
export function stackLabels(
  stacks: readonly Pick<NamingStack, 'plane_projection' | 'aux_modality'>[],
): string[] {
  const raw = stacks.map((s) =>
    [labelPart(s.plane_projection), labelPart(s.aux_modality)].filter(Boolean).join(' '),
  );
  const counts = new Map<string, number>();
  for (const label of raw) {
    const key = label.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const usable = raw.map((label) => label !== '' && counts.get(label.toLowerCase()) === 1);
  const taken = new Set(raw.filter((_, i) => usable[i]).map((l) => l.toLowerCase()));
  let next = 0;
  return raw.map((label, i) => {
    if (usable[i]) return label;
    let letter = stackLetter(next++);
    while (taken.has(letter.toLowerCase())) letter = stackLetter(next++);
    taken.add(letter.toLowerCase());
    return letter;
  });
}

/** Positions of a stack's images: Radiopaedia's `position` when every image has a distinct one, else 1…n. */
function stackPositions(images: readonly NamingImage[]): number[] {
  const given = images.map((img) => img.position);
  const valid = given.every((p): p is number => typeof p === 'number' && Number.isFinite(p));
  if (valid && new Set(given).size === given.length) return given as number[];
  return images.map((_, i) => i + 1);
}

function countFiles(c: NamingCase): number {
  let n = 0;
  for (const study of c.studies) for (const stack of study.stacks) n += stack.images.length;
  return n;
}

/**
 * Names every image of a case, in case order (study, stack, image). Names are unique ignoring case; where
 * two would still collide (e.g. after sanitising), the image id is added to the later ones.
 */
export function radiopaediaFileNames(c: NamingCase): RadiopaediaFileName[] {
  const rid = cleanText(String(c.rid));
  const out: RadiopaediaFileName[] = [];
  const single = countFiles(c) === 1;
  for (const study of c.studies) {
    const labels = stackLabels(study.stacks);
    study.stacks.forEach((stack, stackIndex) => {
      const positions = stackPositions(stack.images);
      stack.images.forEach((image, i) => {
        const position = positions[i] ?? i + 1;
        const label = single ? '' : (labels[stackIndex] ?? stackLetter(stackIndex));
        const reference = single
          ? `Radiopaedia ${rid}`
          : `Radiopaedia ${rid}-${cleanText(String(study.id))} ${label} ${position}`;
        out.push({
          studyId: study.id,
          stackIndex,
          imageId: image.id,
          label,
          position,
          name: composeName(c.title, reference, image.ext),
        });
      });
    });
  }
  const seen = new Set<string>();
  for (const entry of out) {
    if (seen.has(entry.name.toLowerCase())) {
      const reference = single
        ? `Radiopaedia ${rid} ${cleanText(String(entry.imageId))}`
        : `Radiopaedia ${rid}-${cleanText(String(entry.studyId))} ${entry.label} ${entry.position} ${cleanText(String(entry.imageId))}`;
      const ext = entry.name.slice(entry.name.lastIndexOf('.') + 1);
      entry.name = composeName(c.title, reference, ext);
    }
    seen.add(entry.name.toLowerCase());
  }
  return out;
}

/** The name for a case that has exactly one image or video. */
export function singleFileName(title: string, rid: number | string, ext: string): string {
  return composeName(title, `Radiopaedia ${cleanText(String(rid))}`, ext);
}

/**
 * `<title> (<reference>).<ext>`, sanitised; when too long, the title is shortened (never the reference,
 * which is what makes the name unique) so the whole name fits in MAX_NAME_BYTES of UTF-8.
 */
export function composeName(title: string, reference: string, ext: string): string {
  const cleanExt = normaliseExtension(ext);
  const suffix = ` (${cleanText(reference)})${cleanExt ? `.${cleanExt}` : ''}`;
  let base = upperFirst(cleanTitle(title));
  const budget = MAX_NAME_BYTES - utf8Length(suffix);
  if (utf8Length(base) > budget) base = truncateUtf8(base, Math.max(budget, 1)).replace(/[ .]+$/u, '');
  if (!base) base = truncateUtf8(FALLBACK_TITLE, Math.max(budget, 1));
  return sanitizeFileName(base + suffix);
}

/** Lower-case extension without the dot; `jpeg` becomes `jpg`. */
export function normaliseExtension(ext: string): string {
  const e = ext
    .replace(/^\.+/u, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/gu, '');
  return e === 'jpeg' ? 'jpg' : e;
}

// Characters MediaWiki refuses in titles (`# < > [ ] | { }`), the path separators, and what Windows refuses
// (`: \ ? * "`). MediaWiki itself turns most of them into `-` (§3.11: `Case #5` → `Case_-5`); we do the same
// before upload so the local file, the ledger and the wiki agree on one name.
const FORBIDDEN = /[#<>[\]|{}/\\:?*\ufffd]/gu;
// C0/C1 controls (a tab or line break in a title becomes a space)…
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/gu;
// …and the invisible direction marks MediaWiki strips from titles.
const INVISIBLE = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;
// Half of a UTF-16 pair cannot be written as UTF-8 (the wiki and file systems would get U+FFFD).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/iu;

/** Text made safe for a title fragment: forbidden characters → `-`, `_` → space, spaces collapsed. */
export function cleanText(text: string): string {
  return text
    .replace(LONE_SURROGATE, '-')
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(CONTROLS, ' ')
    .replace(FORBIDDEN, '-')
    .replace(/"/gu, "'")
    .replace(/%(?=[0-9a-f]{2})/giu, '-') // MediaWiki rejects percent-encoded sequences in titles,
    .replace(/&(?=[a-z0-9\u0080-\uffff]+;)/giu, '-') // HTML-entity look-alikes
    .replace(/~{3,}/gu, '-') // and runs of three tildes (signatures)
    .replace(/[_\s]+/gu, ' ')
    .trim();
}

function cleanTitle(title: string): string {
  // A leading dot hides a file on Unix and `.`/`..` are not titles at all.
  return cleanText(title)
    .replace(/^[.\s]+/u, '')
    .replace(/[.\s]+$/u, '');
}

/**
 * Makes a whole file name safe everywhere: sanitised text, no leading dots, no trailing dots or spaces
 * (Windows), a reserved device name (CON, NUL, COM1…) prefixed, first letter upper case (MediaWiki does
 * that on upload), at most MAX_NAME_BYTES bytes.
 */
export function sanitizeFileName(name: string): string {
  let out = cleanText(name)
    .replace(/^[.\s]+/u, '')
    .replace(/[.\s]+$/u, '');
  if (!out) out = FALLBACK_TITLE;
  const dot = out.indexOf('.');
  const stem = dot === -1 ? out : out.slice(0, dot);
  if (WINDOWS_RESERVED.test(stem.trim())) out = `File ${out}`;
  out = upperFirst(out);
  if (utf8Length(out) > MAX_NAME_BYTES) {
    const extAt = out.lastIndexOf('.');
    const ext = extAt > 0 && out.length - extAt <= 6 ? out.slice(extAt) : '';
    out = truncateUtf8(out.slice(0, out.length - ext.length), MAX_NAME_BYTES - utf8Length(ext)).replace(
      /[.\s]+$/u,
      '',
    );
    out += ext;
  }
  return out;
}

function upperFirst(text: string): string {
  if (!text) return text;
  const first = String.fromCodePoint(text.codePointAt(0) ?? 0);
  const upper = first.toUpperCase();
  // Only simple one-to-one mappings: JavaScript turns `ß` into `SS`, which MediaWiki does not do for titles.
  if (upper.length !== first.length) return text;
  return upper + text.slice(first.length);
}

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, cut between code points. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Length(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}
