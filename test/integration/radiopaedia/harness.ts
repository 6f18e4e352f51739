// Shared set-up for the Radiopaedia integration tests: one fixture site and one headless Debian Chromium
// (persistent profile in a temp dir) per test file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBrowserDriver } from '../../../electron/engine/clients/browser';
import type { BrowserDriver } from '../../../electron/engine/clients/browser';
import { startRadiopaediaFixture } from '../../servers/radiopaedia';
import type { RadiopaediaFixture, RadiopaediaFixtureOptions } from '../../servers/radiopaedia';

export interface Harness {
  fixture: RadiopaediaFixture;
  driver: BrowserDriver;
  dir: string;
  profileDir: string;
  close(): Promise<void>;
}

export async function startHarness(options: RadiopaediaFixtureOptions = {}): Promise<Harness> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'courier-rp-'));
  const profileDir = path.join(dir, 'profile');
  const fixture = await startRadiopaediaFixture(options);
  // Debian's chromium (or COURIER_BROWSER); fails with `browser-not-found` when neither is installed.
  const driver = createBrowserDriver({ profileDir });
  await driver.context();
  return {
    fixture,
    driver,
    dir,
    profileDir,
    async close() {
      await driver.close();
      await fixture.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await fn();
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected an error, got none');
}
