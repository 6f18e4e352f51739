import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import { chromiumArgs, findChromiumExecutable } from '../../electron/engine/clients/browser';
import { COURIER_BIN } from './cli';

/**
 * `courier serve` on a ledger, as a user starts it; resolves with the printed URL. With `db` null it
 * uses the data folder of the user `env` describes (HOME, XDG_CONFIG_HOME), as the desktop app does.
 */
export function serve(
  db: string | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, [COURIER_BIN, ...(db === null ? [] : ['--db', db]), 'serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += String(d)));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)?.[0];
      if (url) {
        resolve({
          url,
          proc,
          stop: () =>
            new Promise<void>((done) => {
              proc.once('exit', () => done());
              proc.kill('SIGTERM');
            }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`courier serve exited ${code}: ${err}`)));
  });
}

/** Headless Debian Chromium (or the installed Chrome/Edge/Chromium) through playwright-core. */
export function launchBrowser(): Promise<Browser> {
  const { path } = findChromiumExecutable();
  return chromium.launch({
    executablePath: path,
    headless: true,
    args: chromiumArgs({ isRoot: process.getuid?.() === 0, extra: ['--disable-gpu'] }),
  });
}

/** A headless Chromium page on the app at `url`, once the app has loaded (the browser closes with it). */
export async function openApp(
  url: string,
  viewport: { width: number; height: number },
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  await page.locator('[data-app-state="loaded"]').waitFor();
  return { browser, page };
}

/**
 * Saves a connection through Settings → Connections as an archivist does, waits for the automatic test
 * and returns its message (the test's outcome is asserted by the caller).
 */
export async function addConnection(
  page: Page,
  connection: {
    kind: 'xnat' | 'mediawiki' | 'isic';
    label: string;
    url: string;
    username?: string;
    password?: string;
  },
): Promise<{ ok: boolean; message: string }> {
  await page.goto(`${page.url().split('#')[0]}#/settings`);
  await page.getByRole('button', { name: 'Add connection' }).click();
  const form = page.getByRole('form', { name: 'New connection' });
  const kindNames = { xnat: 'XNAT server', mediawiki: 'Wiki (MediaWiki)', isic: 'ISIC Archive' };
  await form.getByLabel('Kind', { exact: true }).selectOption({ label: kindNames[connection.kind] });
  await form.getByLabel('Name', { exact: true }).fill(connection.label);
  await form.getByLabel('Address (URL)', { exact: true }).fill(connection.url);
  if (connection.kind !== 'isic') {
    await form.getByLabel('User name', { exact: true }).fill(connection.username ?? '');
    await form.getByLabel('Password', { exact: true }).fill(connection.password ?? '');
  }
  await form.getByRole('button', { name: 'Save and test' }).click();
  const item = page
    .getByRole('list', { name: 'Saved connections' })
    .getByRole('listitem')
    .filter({ hasText: connection.label });
  const status = item.getByRole('status');
  await status.filter({ hasNotText: 'Testing…' }).waitFor();
  const message = (await status.textContent()) ?? '';
  const ok = ((await status.getAttribute('class')) ?? '').split(' ').includes('ok');
  return { ok, message };
}

/** Sends one command over the engine's socket, as another window of the app would; resolves with the reply. */
export async function engineCommand(
  url: string,
  command: string,
  args: unknown,
): Promise<Record<string, unknown>> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, {
    headers: { origin: u.origin },
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<Record<string, unknown>>((resolve) =>
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as Record<string, unknown>;
      if (msg.id === 1) resolve(msg);
    }),
  );
  ws.send(JSON.stringify({ id: 1, command, args }));
  const result = await reply;
  ws.close();
  return result;
}

/** Sends one command over the engine's socket and returns its value, throwing the engine's message on an error. */
export async function engineValue<T>(url: string, command: string, args: unknown): Promise<T> {
  const reply = (await engineCommand(url, command, args)) as {
    ok: boolean;
    value: T;
    error?: { message: string };
  };
  if (!reply.ok) throw new Error(reply.error?.message ?? 'command failed');
  return reply.value;
}
