import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CourierError } from '../../../../shared/errors';
import { USER_AGENT } from '../httpFailure';
import { findChromiumExecutable, findHeadlessShell } from './findBrowser';
import type { BrowserKind, FindBrowserOptions } from './findBrowser';

/**
 * Switches this closed network needs: no background fetches (safe browsing lists, component updates,
 * sync, first-run pages) that would only time out, and no sandbox when running as root (Chromium refuses
 * to start as root with it).
 */
export function chromiumArgs(opts: { isRoot: boolean; extra?: string[] }): string[] {
  return [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    ...(opts.isRoot ? ['--no-sandbox'] : []),
    ...(opts.extra ?? []),
  ];
}

/** The browser's own User-Agent (so pages work), "Headless" removed, with our product token appended. */
export function identifyingUserAgent(browserUserAgent: string, product = USER_AGENT): string {
  const base = browserUserAgent.replace(/HeadlessChrome\//g, 'Chrome/').trim();
  return base.includes(product) ? base : `${base} ${product}`;
}

export interface BrowserDriverOptions {
  /** The persistent profile (Chromium user data dir): a sign-in survives restarts. Created if missing. */
  profileDir: string;
  /** Set in Settings; otherwise Chrome, Edge or Chromium is detected. */
  executablePath?: string | null;
  /** Start visible instead of headless (operator steps: sign-in, cookie banner, captcha). Default false. */
  visible?: boolean;
  /** Product token appended to the browser's User-Agent. */
  userAgentProduct?: string;
  /** Defaults to whether this process runs as root. */
  isRoot?: boolean;
  extraArgs?: string[];
  launchTimeoutMs?: number;
  /** Passed to detection when no path is set (tests). */
  find?: Omit<FindBrowserOptions, 'configuredPath'>;
}

export interface BrowserDriver {
  readonly executablePath: string;
  readonly kind: BrowserKind;
  /**
   * The program of the running browser: the headless shell when one came with Chromium, the window is
   * hidden and the shell starts; otherwise the browser itself.
   */
  readonly launchedPath: string | undefined;
  /** Whether the current (or next) browser window is visible. */
  readonly visible: boolean;
  /** The running browser's context, launched on first use. */
  context(): Promise<BrowserContext>;
  /** The context's first open tab (one page at a time is the polite default), opened if none is. */
  page(): Promise<Page>;
  /** A fresh tab in the context. */
  newPage(): Promise<Page>;
  /**
   * Shows (true) or hides (false) the browser. A running browser in the other mode is closed and started
   * again on the same profile, so cookies and sign-ins carry over.
   */
  setVisible(visible: boolean): Promise<BrowserContext>;
  /** The User-Agent every request of the context sends (known once launched). */
  readonly userAgent: string | undefined;
  /** Closes the browser (profile flushed to disk). Safe to call twice. */
  close(): Promise<void>;
}

const UA_CACHE_FILE = 'courier-user-agent.json';

async function readUserAgentCache(
  file: string,
  executablePath: string,
): Promise<{ version: string | null; userAgent: string } | undefined> {
  try {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    if (data['executablePath'] !== executablePath || typeof data['userAgent'] !== 'string') return undefined;
    return {
      version: typeof data['version'] === 'string' ? data['version'] : null,
      userAgent: data['userAgent'],
    };
  } catch {
    return undefined;
  }
}

function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function launchFailure(err: unknown, executablePath: string, profileDir: string): CourierError {
  const text = err instanceof Error ? err.message : String(err);
  if (/ProcessSingleton|SingletonLock|profile.*in use|already in use/i.test(text)) {
    return new CourierError({
      code: 'browser-profile-in-use',
      message: `The browser profile ${profileDir} is in use by another browser; close it and retry.`,
      retryable: false,
      cause: err,
    });
  }
  if (/Missing X server|\$DISPLAY|cannot open display|Ozone/i.test(text)) {
    return new CourierError({
      code: 'browser-no-display',
      message: 'The browser window cannot be shown on this machine (no display); use headless mode.',
      cause: err,
    });
  }
  return new CourierError({
    code: 'browser-launch-failed',
    message: `The browser ${executablePath} did not start: ${text.split('\n')[0] ?? text}`,
    cause: err,
  });
}

/** Drives one Chromium-family browser with a persistent profile through playwright-core. */
export function createBrowserDriver(options: BrowserDriverOptions): BrowserDriver {
  const found = findChromiumExecutable({ ...options.find, configuredPath: options.executablePath ?? null });
  let shell = findHeadlessShell(found, options.find);
  const isRoot = options.isRoot ?? runningAsRoot();
  let visible = options.visible ?? false;
  let launchedPath: string | undefined;
  let current: BrowserContext | undefined;
  let launching: Promise<BrowserContext> | undefined;
  let userAgent: string | undefined;

  async function start(ua: string | undefined, headless = !visible): Promise<BrowserContext> {
    // The shell only once the full browser's User-Agent is known: a site sees one browser, shown or hidden.
    const program = headless && ua && shell ? shell : found.path;
    try {
      // Loaded on first use: playwright-core takes a third of a second to load, and most commands never need it.
      const { chromium } = await import('playwright-core');
      const context = await chromium.launchPersistentContext(options.profileDir, {
        executablePath: program,
        headless,
        args: chromiumArgs({ isRoot, extra: options.extraArgs }),
        acceptDownloads: true,
        timeout: options.launchTimeoutMs ?? 60_000,
        viewport: visible ? null : { width: 1280, height: 900 },
        ...(ua ? { userAgent: ua } : {}),
      });
      launchedPath = program;
      return context;
    } catch (err) {
      const failure = launchFailure(err, program, options.profileDir);
      if (program !== shell || failure.code !== 'browser-launch-failed') throw failure;
      // A shell that does not start (a broken install) costs nothing but time: the full browser takes over.
      shell = null;
      return start(ua, headless);
    }
  }

  async function launch(): Promise<BrowserContext> {
    await fs.mkdir(options.profileDir, { recursive: true });
    const product = options.userAgentProduct ?? USER_AGENT;
    const cacheFile = path.join(options.profileDir, UA_CACHE_FILE);
    const cached = await readUserAgentCache(cacheFile, found.path);
    // Without a remembered User-Agent, a short headless probe run tells the browser's own one.
    let context = cached ? await start(cached.userAgent) : await start(undefined, true);
    const version = context.browser()?.version() ?? null;
    const stale =
      !cached || !cached.userAgent.endsWith(product) || (version !== null && cached.version !== version);
    if (stale) {
      // The User-Agent must be set at launch to cover redirects and workers too; the browser's own one is
      // only known once it runs. So on a new profile or a browser update: read it, remember it, restart.
      if (cached) {
        await context.close();
        context = await start(undefined, true);
      }
      const page = context.pages()[0] ?? (await context.newPage());
      const ua = identifyingUserAgent(await page.evaluate(() => navigator.userAgent), product);
      await fs.writeFile(cacheFile, JSON.stringify({ executablePath: found.path, version, userAgent: ua }));
      await context.close();
      context = await start(ua);
      userAgent = ua;
    } else {
      userAgent = cached.userAgent;
    }
    context.on('close', () => {
      if (current === context) current = undefined;
    });
    current = context;
    return context;
  }

  async function context(): Promise<BrowserContext> {
    if (current) return current;
    launching ??= launch().finally(() => {
      launching = undefined;
    });
    return launching;
  }

  async function close(): Promise<void> {
    const pending = launching;
    if (pending) await pending.catch(() => undefined);
    const ctx = current;
    current = undefined;
    if (ctx) await ctx.close().catch(() => undefined);
  }

  return {
    executablePath: found.path,
    kind: found.kind,
    get visible() {
      return visible;
    },
    get userAgent() {
      return userAgent;
    },
    get launchedPath() {
      return current ? launchedPath : undefined;
    },
    context,
    async page() {
      const ctx = await context();
      return ctx.pages().find((p) => !p.isClosed()) ?? ctx.newPage();
    },
    async newPage() {
      return (await context()).newPage();
    },
    async setVisible(next: boolean) {
      if (next !== visible) {
        await close();
        visible = next;
      }
      return context();
    },
    close,
  };
}
