// The browser driver: Debian Chromium through playwright-core, persistent profile, identifying UA.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserDriver } from '../../../electron/engine/clients/browser';
import { extractCase } from '../../../electron/engine/sources/radiopaedia';
import { caught, startHarness } from './harness';
import type { Harness } from './harness';

let h: Harness;
/** Debian's chromium-headless-shell, which CI installs beside chromium. */
const SHELL = '/usr/bin/chromium-headless-shell';

beforeAll(async () => {
  h = await startHarness({ renderDelayMs: 50 });
});

afterAll(async () => {
  await h?.close();
});

describe('browserDriver', () => {
  it('finds Debian’s Chromium and runs headless, in the headless shell that came with it', async () => {
    if (!process.env['COURIER_BROWSER']) {
      expect(h.driver.executablePath).toBe('/usr/bin/chromium');
      expect(h.driver.launchedPath).toBe(SHELL);
    }
    expect(h.driver.kind).toMatch(/chromium|chrome|edge|configured/);
    expect(h.driver.visible).toBe(false);
    // Asking for the mode it is already in does not restart the browser.
    const context = await h.driver.context();
    expect(await h.driver.setVisible(false)).toBe(context);
  });

  it('every request (page, script fetch, images, redirects, request API) carries the identifying User-Agent', async () => {
    const page = await h.driver.page();
    await extractCase(page, 70001, { site: h.fixture.url });
    await caught(() => extractCase(page, 70007, { site: h.fixture.url })); // a redirect
    await (await h.driver.context()).request.get(`${h.fixture.url}/cdn/images/70001001/x.jpeg`);
    const agents = [...h.fixture.stats.userAgents];
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatch(/Chrome\/\d+.* ImagingCourier\/\d/);
    expect(agents[0]).not.toContain('Headless');
    expect(h.driver.userAgent).toBe(agents[0]);
  });

  it('a sign-in survives a restart (persistent profile); close is clean and idempotent', async () => {
    const site = h.fixture.url;
    let page = await h.driver.page();
    const err = await caught(() => extractCase(page, 70007, { site }));
    const signInUrl = (err['detail'] as { signInUrl: string }).signInUrl;
    // The operator's step, done here by the test in the same (headless) browser.
    await page.goto(signInUrl);
    await page.getByLabel('Email').fill(h.fixture.credentials.email);
    await page.getByLabel('Password').fill(h.fixture.credentials.password);
    await Promise.all([
      page.waitForURL(/\/cases\/70007$/),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect((await extractCase(page, 70007, { site })).title).toBe('Members only case');

    await h.driver.close();
    await h.driver.close();
    expect(fs.existsSync(path.join(h.profileDir, 'SingletonLock'))).toBe(false);

    // Same profile, new browser process: still signed in, no second sign-in.
    const again = createBrowserDriver({ profileDir: h.profileDir });
    try {
      page = await again.page();
      expect((await extractCase(page, 70007, { site })).rid).toBe(70007);
      expect(h.fixture.stats.signIns).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('a sign-in made in the full browser holds in the headless shell, which sends the full browser’s User-Agent', async () => {
    const profileDir = path.join(h.dir, 'profile-shared');
    // As if the shell were not installed: the full browser, as for a visible sign-in.
    const full = createBrowserDriver({
      profileDir,
      find: { isExecutable: (file) => file !== SHELL && fs.existsSync(file) },
    });
    const site = h.fixture.url;
    const signInsBefore = h.fixture.stats.signIns;
    let fullAgent: string | undefined;
    try {
      const page = await full.page();
      expect(full.launchedPath).toBe('/usr/bin/chromium');
      await page.goto(`${site}/users/sign_in?return_to=/cases/70007`);
      await page.getByLabel('Email').fill(h.fixture.credentials.email);
      await page.getByLabel('Password').fill(h.fixture.credentials.password);
      await Promise.all([
        page.waitForURL(/\/cases\/70007$/),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      fullAgent = full.userAgent;
    } finally {
      await full.close();
    }
    const hidden = createBrowserDriver({ profileDir });
    try {
      const page = await hidden.page();
      expect(hidden.launchedPath).toBe(SHELL);
      expect((await extractCase(page, 70007, { site })).title).toBe('Members only case');
      expect(h.fixture.stats.signIns).toBe(signInsBefore + 1);
      expect(hidden.userAgent).toBe(fullAgent);
      expect(await page.evaluate(() => navigator.userAgent)).toBe(fullAgent);
    } finally {
      await hidden.close();
    }
  });

  it('a headless shell that does not start leaves the work to the full browser', async () => {
    // A Chromium install whose shell is broken: `chromium` is Debian's, the shell only fails.
    const install = path.join(h.dir, 'broken-shell-install');
    fs.mkdirSync(install);
    fs.symlinkSync('/usr/bin/chromium', path.join(install, 'chromium'));
    fs.writeFileSync(
      path.join(install, 'chromium-headless-shell'),
      '#!/bin/sh\necho "missing library" >&2\nexit 127\n',
      {
        mode: 0o755,
      },
    );
    const driver = createBrowserDriver({
      profileDir: path.join(h.dir, 'profile-broken-shell'),
      find: {
        env: { PATH: install },
        isExecutable: (file) => file.startsWith(install) && fs.existsSync(file),
      },
    });
    try {
      const page = await driver.page();
      expect(driver.executablePath).toBe(path.join(install, 'chromium'));
      expect(driver.launchedPath).toBe(path.join(install, 'chromium'));
      expect((await extractCase(page, 70001, { site: h.fixture.url })).rid).toBe(70001);
    } finally {
      await driver.close();
    }
  });

  it('a configured path that does not exist → browser-not-found', () => {
    expect(() =>
      createBrowserDriver({ profileDir: h.profileDir, executablePath: '/nonexistent/chrome' }),
    ).toThrow(expect.objectContaining({ code: 'browser-not-found' }));
  });
});
