// Listing: each case page is opened once and its images become items. A case that cannot be read is not
// allowed to stop the others: it becomes one `<id>/case` item carrying the reason.
import { CourierError } from '../../../../shared/errors';
import type { ItemDraft } from '../../ledger/ledger';
import { classifyError } from '../../runner/classifyError';
import type { StepContext } from '../../runner/adapters';
import type { BrowserSession } from './browserSession';
import type { CaseInput } from './caseInputs';
import { caseItemDraft, imageDrafts } from './caseItems';
import type { LicenceCheck } from './caseItems';
import { extractCase } from './extractCase';
import type { RadiopaediaSourceConfig } from './sourceConfig';
import { expectedLicencesOf } from './sourceConfig';
import type { RadiopaediaCase } from './types';

/** Tries of a page that answers 5xx/429 while listing, before the case is left to the runner's retries. */
const LISTING_ATTEMPTS = 3;
const LISTING_RETRY_CAP_MS = 60_000;

/**
 * Why listing a case failed, kept until the case item is first fetched so the reason reaches the ledger
 * without loading the page a second time. Keyed by batch work folder and item key.
 */
const listingErrors = new Map<string, CourierError>();

function listingErrorKey(workDir: string, itemKey: string): string {
  return `${workDir}\n${itemKey}`;
}

/** The reason a case item was listed with, once; later fetches read the case again. */
export function takeListingError(workDir: string, itemKey: string): CourierError | undefined {
  const key = listingErrorKey(workDir, itemKey);
  const error = listingErrors.get(key);
  listingErrors.delete(key);
  return error;
}

export function forgetListingErrors(workDir: string): void {
  for (const key of listingErrors.keys()) if (key.startsWith(`${workDir}\n`)) listingErrors.delete(key);
}

const LICENCE_CODES = new Set(['licence-missing', 'licence-unexpected']);

/** A licence problem of an otherwise readable case: the case as read, and what a person must confirm. */
export function licenceProblemOf(
  error: CourierError,
): { case: RadiopaediaCase; licence: LicenceCheck } | null {
  const found = error.detail?.['case'] as RadiopaediaCase | undefined;
  if (!LICENCE_CODES.has(error.code) || !found || !error.attention) return null;
  return {
    case: found,
    licence: {
      url: found.licenseUrl,
      problem: { code: error.code, reason: error.attention.reason, message: error.message },
      approved: false,
    },
  };
}

function retryWait(error: CourierError, attempt: number, delayMs: number): number | null {
  if (!error.retryable || attempt >= LISTING_ATTEMPTS) return null;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= LISTING_RETRY_CAP_MS ? error.retryAfterMs : null;
  }
  return Math.min(LISTING_RETRY_CAP_MS, Math.max(delayMs, 1_000) * 2 ** (attempt - 1));
}

/**
 * Reads one case and returns its items: the images (those of a case with a licence problem wait for an
 * approval when fetched), or one case item with the reason it could not be read. Returns null when the
 * batch stopped meanwhile (`stopped` aborted).
 */
export async function listCase(
  session: BrowserSession,
  input: CaseInput,
  config: RadiopaediaSourceConfig,
  ctx: StepContext,
  stopped: AbortSignal,
): Promise<ItemDraft[] | null> {
  const signal = AbortSignal.any([ctx.signal, stopped]);
  const turn = { delayMs: config.delayMs, clock: ctx.clock, signal };
  for (let attempt = 1; ; attempt++) {
    try {
      const c = await session.withPage(turn, (page) =>
        extractCase(page, input.url, { site: config.site, expectedLicences: expectedLicencesOf(config) }),
      );
      session.markVisited(c.url);
      return imageDrafts(c, { url: c.licenseUrl, problem: null, approved: false });
    } catch (err) {
      if (signal.aborted) return null;
      const error = classifyError(err, `Case ${input.input}`);
      // Without a browser no case can be read: that stops the batch instead of failing every case.
      if (error.code.startsWith('browser-')) throw error;
      const licence = licenceProblemOf(error);
      if (licence) {
        session.markVisited(licence.case.url);
        return imageDrafts(licence.case, licence.licence);
      }
      const wait = retryWait(error, attempt, config.delayMs);
      if (wait !== null) {
        try {
          await ctx.clock.sleep(wait, signal);
        } catch {
          return null;
        }
        continue;
      }
      const draft = caseItemDraft(input, error);
      listingErrors.set(listingErrorKey(ctx.workDir, draft.key), error);
      return [draft];
    }
  }
}

/** A case item's own error when the data in it is not what this version wrote. */
export function unreadableItem(key: string): CourierError {
  return new CourierError({
    code: 'item-unreadable',
    message: `The item ${key} does not carry the Radiopaedia data this version needs; list the case again in a new batch.`,
    attention: { reason: 'item-unreadable', actions: ['skip'] },
  });
}
