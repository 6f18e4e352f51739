// The pure rules of the Radiopaedia form, kept apart from React so they are tested on their own.
import type { RadiopaediaCaseInput } from '../../../../shared/commands/radiopaedia';

/** Radiopaedia's terms forbid bulk robots: at least this many seconds between page loads on its site. */
export const POLITE_DELAY_S = 2;

function isRadiopaedia(site: string): boolean {
  try {
    const host = new URL(/^https?:\/\//i.test(site) ? site : `https://${site}`).hostname.toLowerCase();
    return host === 'radiopaedia.org' || host.endsWith('.radiopaedia.org');
  } catch {
    return true;
  }
}

/** What is wrong with the pause, in words, or null when it is fine for the site. */
export function delayError(seconds: string, site: string): string | null {
  const value = Number(seconds);
  if (seconds.trim() === '' || !Number.isFinite(value) || value < 0)
    return 'Give the pause in seconds, e.g. 2.';
  if (value > 3600) return 'A pause of more than an hour between pages is surely a typo.';
  if (value < POLITE_DELAY_S && isRadiopaedia(site))
    return `Radiopaedia asks for restraint: pause at least ${POLITE_DELAY_S} seconds between page loads.`;
  return null;
}

/** `Radiopaedia rID 70432 (2026-11-22 17:40)` or `Radiopaedia, 3 cases (2026-11-22 17:40)`. */
export function defaultBatchName(cases: readonly Pick<RadiopaediaCaseInput, 'rid'>[], now: Date): string {
  const day = now.toISOString().slice(0, 16).replace('T', ' ');
  const only = cases.length === 1 ? cases[0] : undefined;
  if (only && only.rid !== null) return `Radiopaedia rID ${only.rid} (${day})`;
  return `Radiopaedia, ${cases.length || 'no'} case${cases.length === 1 ? '' : 's'} (${day})`;
}
