// The browser behind Radiopaedia batches: one per profile in this process, launched on first use, one page
// load at a time with a pause between loads (Radiopaedia's terms forbid bulk robots), and closed when the
// last batch using it ends, or after a while unused.
import type { BrowserContext, Page } from 'playwright-core';
import { createBrowserDriver } from '../../clients/browser';
import type { BrowserDriver } from '../../clients/browser';
import { httpFailure, networkFailure } from '../../clients/httpFailure';
import { untilAborted } from '../../runner/abortable';
import type { Clock } from '../../runner/clock';
import { forgetCookieSnapshot } from './contextHttp';
import { isSignInUrl, signInRequired } from './extractCase';

/** A browser nobody used for this long is closed; the next use starts it again. */
const IDLE_CLOSE_MS = 120_000;

export interface PageTurnOptions {
  /** Least time between the end of one page load and the start of the next. */
  delayMs: number;
  clock: Clock;
  signal: AbortSignal;
}

export class BrowserSession {
  private driver: BrowserDriver | undefined;
  private readonly uses = new Map<string, AbortController>();
  private pageQueue: Promise<void> = Promise.resolve();
  private lastPageLoad = Number.NEGATIVE_INFINITY;
  /** Case pages loaded in the running browser: their session cookie is there for full-size downloads. */
  private readonly visited = new Set<string>();
  private readonly visiting = new Map<string, Promise<void>>();
  private busy = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly profileDir: string,
    private readonly browserPath: string | null,
  ) {}

  /** Registers a batch (by its work folder) as a user; the signal aborts when that use ends. */
  join(batchKey: string): AbortSignal {
    let use = this.uses.get(batchKey);
    if (!use || use.signal.aborted) {
      use = new AbortController();
      this.uses.set(batchKey, use);
    }
    return use.signal;
  }

  /** Ends a batch's use; the browser closes when no batch uses it any more. */
  async leave(batchKey: string): Promise<void> {
    const use = this.uses.get(batchKey);
    this.uses.delete(batchKey);
    use?.abort();
    if (this.uses.size === 0) await this.close();
  }

  /** The User-Agent of the running browser (undefined before it started). */
  get userAgent(): string | undefined {
    return this.driver?.userAgent;
  }

  get inUse(): boolean {
    return this.uses.size > 0;
  }

  /** The browser context (launched if needed), for requests that carry the site's cookies. */
  async context(): Promise<BrowserContext> {
    return this.track(async () => (await this.running()).context());
  }

  /**
   * Runs `use` with the session's one page, after the politeness pause since the previous page load.
   * Callers queue: one page load at a time across every batch sharing this browser.
   */
  async withPage<T>(options: PageTurnOptions, use: (page: Page) => Promise<T>): Promise<T> {
    const previous = this.pageQueue;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.pageQueue = previous.then(() => mine);
    try {
      await untilAborted(previous, options.signal);
    } catch (err) {
      void previous.then(release);
      throw err;
    }
    try {
      return await this.track(async () => {
        const wait = this.lastPageLoad + options.delayMs - options.clock.now();
        if (wait > 0) await options.clock.sleep(wait, options.signal);
        const page = await (await this.running()).page();
        try {
          return await use(page);
        } finally {
          this.lastPageLoad = options.clock.now();
          // A page load may have set or changed cookies: downloads read them afresh.
          forgetCookieSnapshot(page.context());
        }
      });
    } finally {
      release();
    }
  }

  /** Remembers that `url` was loaded in the running browser (its cookies are set). */
  markVisited(url: string): void {
    this.visited.add(url);
  }

  /** Forgets a visit, e.g. when the site no longer honours its cookie. */
  forget(url: string): void {
    this.visited.delete(url);
  }

  /** Loads the case page once in this browser, so downloads carry the cookie the page sets. */
  async ensureVisited(url: string, options: PageTurnOptions): Promise<void> {
    if (this.visited.has(url)) return;
    let pending = this.visiting.get(url);
    if (!pending) {
      pending = this.withPage(options, (page) => visit(page, url))
        .then(() => this.markVisited(url))
        .finally(() => this.visiting.delete(url));
      this.visiting.set(url, pending);
    }
    await untilAborted(pending, options.signal);
  }

  /** Resolves when a close under way has finished (at once when none is). */
  async settled(): Promise<void> {
    await this.closing;
  }

  /** Closes the browser now (a later use starts it again). */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const driver = this.driver;
    this.visited.clear();
    if (!driver) return;
    this.closing ??= driver.close().finally(() => {
      this.closing = undefined;
    });
    await this.closing;
  }

  private async running(): Promise<BrowserDriver> {
    if (this.closing) await this.closing;
    this.driver ??= createBrowserDriver({
      profileDir: this.profileDir,
      executablePath: this.browserPath,
    });
    return this.driver;
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    try {
      return await work();
    } finally {
      this.busy--;
      if (this.busy === 0 && this.driver) {
        this.idleTimer = setTimeout(() => void this.close(), IDLE_CLOSE_MS);
        this.idleTimer.unref();
      }
    }
  }
}

async function visit(page: Page, url: string): Promise<void> {
  let response;
  try {
    response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  } catch (err) {
    throw networkFailure(err, `Loading Radiopaedia case page ${url}`);
  }
  if (isSignInUrl(page.url())) throw signInRequired(`The case page ${url}`, url, page.url());
  if (response && response.status() >= 400) {
    throw httpFailure(response.status(), `Loading Radiopaedia case page ${url}`, {
      retryAfter: await response.headerValue('retry-after'),
    });
  }
}

const sessions = new Map<string, BrowserSession>();

/** The session of a browser profile (one per profile in this process). */
export function browserSessionFor(profileDir: string, browserPath: string | null): BrowserSession {
  let session = sessions.get(profileDir);
  if (!session) {
    session = new BrowserSession(profileDir, browserPath);
    sessions.set(profileDir, session);
  }
  return session;
}

/** The session of a profile if one exists; never creates one. */
export function existingBrowserSession(profileDir: string): BrowserSession | undefined {
  return sessions.get(profileDir);
}

/** Closes every Radiopaedia browser of this process (the CLI calls it before exiting). */
export async function closeRadiopaediaBrowsers(): Promise<void> {
  await Promise.allSettled([...sessions.values()].map((s) => s.close()));
}
