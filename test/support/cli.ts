import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const COURIER_BIN = join(process.cwd(), 'bin', 'courier.mjs');

/** The CLI tests run the built command, as users do; `npm test` builds it first. */
export function requireBuilt(): void {
  if (
    !existsSync(join(process.cwd(), 'dist', 'cli.mjs')) ||
    !existsSync(join(process.cwd(), 'dist', 'renderer', 'index.html'))
  ) {
    throw new Error('The app is not built: run `npm run build` (npm test does it first).');
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `courier ARGS` with its own ledger and waits for it to exit. */
export function courier(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COURIER_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
