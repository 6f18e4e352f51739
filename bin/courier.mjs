#!/usr/bin/env node
// The engine needs Node 22 (better-sqlite3 13). The project ships it (the `node` dev dependency); when
// an older Node started this script, hand over to that one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    process.stderr.write(
      `courier: Node 22 or newer is needed (this is ${process.version}); run npm install in ${root}.\n`,
    );
    process.exit(2);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
const cli = join(root, 'dist', 'cli.mjs');
if (!existsSync(cli)) {
  process.stderr.write(`courier: the app is not built yet; run npm install (or npm run build) in ${root}.\n`);
  process.exit(2);
}
await import(cli);
