/** Radiopaedia's content licence (reference/sources.md §2.1). */
export const RADIOPAEDIA_LICENCE = 'https://creativecommons.org/licenses/by-nc-sa/3.0/';

/** A licence URL reduced to what identifies it: `creativecommons.org/licenses/by-nc-sa/3.0`. */
export function licenceKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[?#].*$/, '')
    .replace(/\/(deed|legalcode)(\.[a-z-]+)?$/, '')
    .replace(/\/+$/, '');
}

export function isExpectedLicence(url: string, expected: readonly string[]): boolean {
  const key = licenceKey(url);
  return expected.some((e) => licenceKey(e) === key);
}
