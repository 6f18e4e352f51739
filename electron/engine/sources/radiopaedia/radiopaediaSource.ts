import type { ItemDraft } from '../../ledger/ledger';
import type { SourceAdapter, StepContext } from '../../runner/adapters';
import { browserSessionFor, existingBrowserSession } from './browserSession';
import type { BrowserSession } from './browserSession';
import { parseCaseInputs } from './caseInputs';
import { isCaseMeta, isImageMeta } from './caseItems';
import { forgetListingErrors, listCase, unreadableItem } from './caseListing';
import { writeCaseSidecars } from './caseSidecar';
import { fetchCase, fetchImage } from './itemFetch';
import { profileDirOf, radiopaediaSourceConfig } from './sourceConfig';
import type { RadiopaediaSourceConfig } from './sourceConfig';

function sessionOf(config: RadiopaediaSourceConfig, ctx: StepContext): BrowserSession {
  return browserSessionFor(profileDirOf(config, ctx.workDir), config.browserPath ?? null);
}

/** The batch's folder when the target is a folder (`{dir}`), else null. */
function targetFolder(targetConfig: unknown): string | null {
  const dir = (targetConfig as { dir?: unknown } | null)?.dir;
  return typeof dir === 'string' && dir.length > 0 ? dir : null;
}

function unmatchedInputs(rejected: string[]): ItemDraft[] {
  return rejected.map((text) => ({
    key: `input:${text}`,
    path: text,
    name: text,
    status: 'unmatched',
    reason: 'bad-case-input',
    message: `"${text}" is not a Radiopaedia case URL or rID.`,
  }));
}

/**
 * Radiopaedia cases through an embedded browser: each case page is read once (one page at a time,
 * `delayMs` apart), every image or video becomes an item named by the NC Commons scheme, full-size files
 * are downloaded with the page's cookies, and each case gets a JSON sidecar when the batch finishes.
 * The browser starts on first use and closes when the batch ends or stops.
 */
export const radiopaediaSource: SourceAdapter<RadiopaediaSourceConfig> = {
  kind: 'radiopaedia',
  title: 'Radiopaedia cases',
  configSchema: radiopaediaSourceConfig,
  label: (config) =>
    `${config.cases.length} Radiopaedia case${config.cases.length === 1 ? '' : 's'} from ${new URL(config.site).host}`,
  host: (config) => new URL(config.site).host,

  async *collect(config, ctx) {
    const session = sessionOf(config, ctx);
    // The listing signal aborts whenever the batch stops (cancel, shutdown), also after the listing is
    // done: the browser goes with it.
    ctx.signal.addEventListener('abort', () => void session.leave(ctx.workDir), { once: true });
    const parsed = parseCaseInputs(config.cases.join('\n'), { site: config.site });
    if (parsed.rejected.length > 0) yield unmatchedInputs(parsed.rejected);
    let complete = false;
    try {
      for (const input of parsed.cases) {
        for (;;) {
          const drafts = await listCase(session, input, config, ctx, session.join(ctx.workDir));
          if (drafts) {
            yield drafts;
            break;
          }
          // The batch is stopping: an empty chunk hands control back, and the runner ends the listing
          // there (unfinished, so the next run lists again).
          yield [];
        }
      }
      complete = true;
    } finally {
      if (!complete) await session.leave(ctx.workDir);
    }
  },

  async close(config, ctx) {
    await existingBrowserSession(profileDirOf(config, ctx.workDir))?.leave(ctx.workDir);
  },

  async fetch(item, config, ctx) {
    if (ctx.signal.aborted) throw new DOMException('The step was cancelled', 'AbortError');
    const session = sessionOf(config, ctx);
    session.join(ctx.workDir);
    // A step is aborted only when its batch stops: the browser goes with it.
    const onAbort = () => void session.leave(ctx.workDir);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (isImageMeta(item.meta)) return await fetchImage(item, item.meta, session, config, ctx);
      if (isCaseMeta(item.meta)) return await fetchCase(item, item.meta, session, config, ctx);
      throw unreadableItem(item.key);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      // The runner waits for its steps to settle: closing here means the browser is gone when it ends.
      if (ctx.signal.aborted) await session.leave(ctx.workDir);
    }
  },

  async finish(config, items, ctx, targetConfig) {
    try {
      const dir = targetFolder(targetConfig);
      if (dir) await writeCaseSidecars(dir, items(), ctx.clock.now());
    } finally {
      forgetListingErrors(ctx.workDir);
      await existingBrowserSession(profileDirOf(config, ctx.workDir))?.leave(ctx.workDir);
    }
  },
};
