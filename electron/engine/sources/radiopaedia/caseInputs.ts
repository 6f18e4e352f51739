// Case inputs as a person gives them: typed, pasted lists, or a file's content (one per line, or CSV).
// Pure (no Node), so the GUI can preview what will be fetched.
import { CourierError } from '../../../../shared/errors';

export const DEFAULT_SITE = 'https://radiopaedia.org';

export interface CaseInput {
  /** What identifies the case for de-duplication: `rid:NNN`, or `url:…` for a slug URL. */
  key: string;
  /** Known from the input (numeric URL, `rID-NNN`, a bare number); null for slug URLs until loaded. */
  rid: number | null;
  /** The case page to load. */
  url: string;
  /** The text it came from. */
  input: string;
}

export interface ParsedCaseInputs {
  cases: CaseInput[];
  /** Non-empty lines in which nothing was recognised. */
  rejected: string[];
  /** Inputs dropped because an earlier one names the same case. */
  duplicates: string[];
}

const URL_RE =
  /\b(?:https?:\/\/)?(?:[a-z0-9-]+\.)*(?:radiopaedia\.org|doi\.org|127\.0\.0\.1(?::\d+)?|localhost(?::\d+)?)(?:\/[^\s"'<>,;|]*)?/gi;
const RID_RE = /\brid\s*[-:#]?\s*(\d{1,9})\b/gi;
const MAX_RID = 999_999_999;

function siteOrigin(site: string): URL {
  const url = new URL(/^https?:\/\//i.test(site) ? site : `https://${site}`);
  return new URL(url.origin);
}

function isRadiopaediaHost(host: string, site: URL): boolean {
  const h = host.toLowerCase();
  return h === site.host.toLowerCase() || h === 'radiopaedia.org' || h.endsWith('.radiopaedia.org');
}

/** A case reference from one URL, or null when the URL is not a case (or DOI) of the site. */
function fromUrl(raw: string, site: URL): Omit<CaseInput, 'input'> | null {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return null;
  }
  if (url.hostname.toLowerCase() === 'doi.org') {
    const m = /\/10\.53347\/rid-(\d+)/i.exec(url.pathname);
    return m ? fromRid(Number(m[1]), site) : null;
  }
  if (!isRadiopaediaHost(url.host, site)) return null;
  const m = /^\/cases\/([^/?#]+)/i.exec(url.pathname);
  if (!m?.[1]) return null;
  const segment = decodeURIComponent(m[1]);
  // One spelling per case: the configured site as configured, radiopaedia.org (www, http) as https.
  const origin = url.host.toLowerCase() === site.host.toLowerCase() ? site.origin : DEFAULT_SITE;
  if (/^\d+$/.test(segment)) return fromRid(Number(segment), new URL(origin));
  const slug = segment.toLowerCase();
  return {
    key: `url:${origin}/cases/${slug}`,
    rid: null,
    url: `${origin}/cases/${encodeURIComponent(slug)}`,
  };
}

function fromRid(rid: number, site: URL): Omit<CaseInput, 'input'> | null {
  if (!Number.isSafeInteger(rid) || rid <= 0 || rid > MAX_RID) return null;
  return { key: `rid:${rid}`, rid, url: `${site.origin}/cases/${rid}` };
}

/**
 * Reads case URLs and rIDs from free text: `https://radiopaedia.org/cases/70432`, `…/cases/medulloblastoma-4`,
 * `…/cases/70432/studies/1234`, `https://doi.org/10.53347/rID-70432`, `rID: 70432`, `rID-70432` or a bare
 * `70432`, separated by lines, spaces, commas or semicolons. Keeps the first of each case, in input order.
 * A slug URL and the rID of the same case can only be matched once the page is loaded.
 */
export function parseCaseInputs(text: string, options: { site?: string } = {}): ParsedCaseInputs {
  const site = siteOrigin(options.site ?? DEFAULT_SITE);
  const cases: CaseInput[] = [];
  const rejected: string[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const add = (ref: Omit<CaseInput, 'input'> | null, input: string): boolean => {
    if (!ref) return false;
    if (seen.has(ref.key)) duplicates.push(input);
    else {
      seen.add(ref.key);
      cases.push({ ...ref, input });
    }
    return true;
  };

  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    let found = false;
    // Site URLs that are not 127.0.0.1/localhost/radiopaedia (a custom --site) are matched by their origin.
    const siteRe = new RegExp(
      `${site.origin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/[^\\s"'<>,;|]*)?`,
      'gi',
    );
    const urls = [...line.matchAll(siteRe), ...line.matchAll(URL_RE)].map((m) => ({
      text: m[0],
      index: m.index,
    }));
    urls.sort((a, b) => a.index - b.index);
    let rest = line;
    let lastEnd = -1;
    for (const { text: raw, index } of urls) {
      if (index < lastEnd) continue;
      lastEnd = index + raw.length;
      const cleaned = raw.replace(/[).\]]+$/, '');
      if (add(fromUrl(cleaned, site), cleaned)) found = true;
      rest = rest.replace(raw, ' ');
    }
    for (const m of rest.matchAll(RID_RE)) {
      if (add(fromRid(Number(m[1]), site), m[0])) found = true;
    }
    // Bare numbers count only on a line of nothing but numbers ("70432, 70433"): in prose or a CSV row
    // with other columns, a number is more likely a count than an rID.
    const tokens = rest
      .replace(RID_RE, ' ')
      .split(/[\s,;|]+/)
      .map((t) => t.replace(/^["']|["']$/g, ''))
      .filter(Boolean);
    if (tokens.every((t) => /^\d{1,9}$/.test(t))) {
      for (const t of tokens) if (add(fromRid(Number(t), site), t)) found = true;
    }
    if (!found) rejected.push(line);
  }
  return { cases, rejected, duplicates };
}

/** The page URL for a case given as a URL or an rID. */
export function caseUrlFor(caseUrlOrRid: string | number, site = DEFAULT_SITE): CaseInput {
  const text = String(caseUrlOrRid).trim();
  const parsed = parseCaseInputs(text, { site });
  const first = parsed.cases[0];
  if (first) return first;
  if (/^https?:\/\//i.test(text)) return { key: `url:${text}`, rid: null, url: text, input: text };
  throw new CourierError({
    code: 'bad-case-input',
    message: `"${text}" is not a Radiopaedia case URL or rID (e.g. https://radiopaedia.org/cases/70432 or 70432).`,
  });
}
