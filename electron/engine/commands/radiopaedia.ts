import type { RadiopaediaCaseProgress, radiopaediaCommands } from '../../../shared/commands/radiopaedia';
import { CourierError } from '../../../shared/errors';
import { emptyCounts, ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus } from '../../../shared/status';
import { createBrowserDriver } from '../clients/browser';
import type { BrowserDriver } from '../clients/browser';
import { DEFAULT_SITE, parseCaseInputs } from '../sources/radiopaedia/caseInputs';
import { existingBrowserSession } from '../sources/radiopaedia/browserSession';
import { profileDirOf } from '../sources/radiopaedia/sourceConfig';
import type { CommandContext, HandlersFor } from './context';

/** Cases listed per batch; a batch of more cases shows the first ones and says there are more. */
const MAX_CASES = 500;

interface GroupRow {
  group_key: string;
  status: string;
  n: number;
  url: string;
  title: string | null;
  rid: number | null;
  running: string | null;
  first: number;
}

function siteOrigin(site: string | undefined): string {
  const raw = site?.trim() || DEFAULT_SITE;
  try {
    return new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`).origin;
  } catch {
    throw new CourierError({
      code: 'bad-site',
      message: `'${raw}' is not a web address; give the site as e.g. https://radiopaedia.org`,
    });
  }
}

/** Folds per-status rows into one progress row per case, in the order the cases were listed. */
export function caseProgress(rows: readonly GroupRow[]): RadiopaediaCaseProgress[] {
  const byGroup = new Map<string, RadiopaediaCaseProgress & { first: number }>();
  for (const row of rows) {
    let entry = byGroup.get(row.group_key);
    if (!entry) {
      entry = {
        group: row.group_key,
        rid: null,
        title: null,
        url: row.url,
        total: 0,
        counts: emptyCounts(),
        running: null,
        first: row.first,
      };
      byGroup.set(row.group_key, entry);
    }
    if ((ITEM_STATUSES as readonly string[]).includes(row.status))
      entry.counts[row.status as ItemStatus] += row.n;
    entry.total += row.n;
    entry.title ??= row.title;
    entry.rid ??= row.rid;
    entry.running ??= row.running;
    entry.first = Math.min(entry.first, row.first);
  }
  return [...byGroup.values()].sort((a, b) => a.first - b.first).map(({ first: _first, ...rest }) => rest);
}

export function radiopaediaHandlers(ctx: CommandContext): HandlersFor<typeof radiopaediaCommands> {
  return {
    'radiopaedia.parseCases': ({ text, site }) => {
      const origin = siteOrigin(site);
      const parsed = parseCaseInputs(text, { site: origin });
      return {
        site: origin,
        cases: parsed.cases.map((c) => ({ url: c.url, rid: c.rid, input: c.input })),
        rejected: parsed.rejected,
        duplicates: parsed.duplicates,
      };
    },
    'radiopaedia.progress': ({ batchId }) => {
      const batch = ctx.ledger.batches.require(batchId);
      if (batch.sourceKind !== 'radiopaedia') {
        throw new CourierError({
          code: 'not-radiopaedia',
          message: `Batch '${batch.name}' does not read Radiopaedia cases.`,
        });
      }
      const groups = ctx.ledger.db
        .prepare(
          `SELECT group_key FROM items WHERE batch_id = ? GROUP BY group_key ORDER BY MIN(seq) LIMIT ?`,
        )
        .pluck()
        .all(batchId, MAX_CASES + 1) as string[];
      const shown = groups.slice(0, MAX_CASES);
      if (shown.length === 0) return { cases: [], more: false };
      const rows = ctx.ledger.db
        .prepare(
          `SELECT group_key, status, COUNT(*) AS n, MIN(path) AS url, MIN(seq) AS first,
                  MAX(json_extract(meta, '$.case.title')) AS title,
                  MAX(COALESCE(json_extract(meta, '$.case.rid'), json_extract(meta, '$.rid'))) AS rid,
                  MAX(CASE WHEN status = 'running' THEN name END) AS running
             FROM items
            WHERE batch_id = ? AND group_key IN (SELECT value FROM json_each(?))
            GROUP BY group_key, status`,
        )
        .all(batchId, JSON.stringify(shown)) as GroupRow[];
      return { cases: caseProgress(rows), more: groups.length > MAX_CASES };
    },
  };
}

/** True for the pages the visible window may show: http(s) addresses only. */
export function isShowableUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Shows pages (a Radiopaedia case to sign in to, a cookie banner, a captcha) in a visible window of the
 * browser Radiopaedia batches use, on their shared profile, so a sign-in made there serves the downloads.
 * The headless browser on that profile is closed first when no batch is using it; one visible window is
 * kept and reused, and forgotten when the person closes it. `browserPath` names the browser saved in
 * Settings (null: found automatically), the same one the batches use.
 */
export function visibleCaseWindow(
  dataDir: string,
  browserPath: () => string | null = () => null,
): (url: string) => Promise<void> {
  const profileDir = profileDirOf({ cases: ['-'], site: DEFAULT_SITE, delayMs: 0 }, `${dataDir}/work/any`);
  let driver: BrowserDriver | null = null;
  return async (url) => {
    if (!isShowableUrl(url)) return;
    const headless = existingBrowserSession(profileDir);
    if (headless?.inUse) {
      throw new CourierError({
        code: 'browser-busy',
        message:
          'The Radiopaedia browser is busy with a running batch; pause that batch, then open the page again.',
      });
    }
    await headless?.close();
    driver ??= createBrowserDriver({ profileDir, visible: true, executablePath: browserPath() });
    const mine = driver;
    try {
      const context = await mine.context();
      context.once('close', () => {
        if (driver === mine) driver = null;
      });
      const page = await mine.newPage();
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      await page.bringToFront();
    } catch (err) {
      if (driver === mine) driver = null;
      await mine.close();
      if (err instanceof CourierError && err.code === 'browser-no-display') {
        throw new CourierError({
          code: err.code,
          message:
            `${url} cannot be shown in Imaging Courier's browser window: this machine has no display. ` +
            'Sign in from the desktop app on a machine with a screen (a sign-in in your own browser does not reach the batch).',
          cause: err,
        });
      }
      throw err;
    }
  };
}
