import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { chromiumArgs, findChromiumExecutable } from '../../electron/engine/clients/browser';
import { COURIER_BIN } from './cli';

/** `courier serve` on a ledger, as a user starts it; resolves with the printed URL. */
export function serve(db: string): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, [COURIER_BIN, '--db', db, 'serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
