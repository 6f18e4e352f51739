import { createInterface } from 'node:readline/promises';
import type { Credentials } from '../engine/credentials';

/** Asks for a login on the terminal (password not echoed); nothing when stdin is not a terminal. */
export async function promptCredentials(service: string, url: string): Promise<Credentials | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const user = (await rl.question(`${service} user for ${url}: `)).trim();
    const muted = rl as unknown as { _writeToOutput?: (s: string) => void };
    const original = muted._writeToOutput;
    process.stderr.write('Password: ');
    muted._writeToOutput = () => undefined;
    const password = await rl.question('');
    muted._writeToOutput = original;
    process.stderr.write('\n');
    return user ? { user, password } : undefined;
  } finally {
    rl.close();
  }
}
