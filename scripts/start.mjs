// Starts Imaging Courier: the desktop window where Electron can run (its binary is installed and there
// is a display), otherwise web mode (`courier serve`), whose address is printed to open in a browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
function electronBinary() {
  try {
    const pkg = dirname(require.resolve('electron/package.json'));
    const pathFile = join(pkg, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const { readFileSync } = require('node:fs');
    const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const binary = electronBinary();
const args = process.argv.slice(2);
const child =
  binary && hasDisplay && !args.includes('--web')
    ? spawn(binary, ['.'], { stdio: 'inherit' })
    : spawn(process.execPath, ['bin/courier.mjs', ...args.filter((a) => a !== '--web'), 'serve'], {
        stdio: 'inherit',
      });
if (!(binary && hasDisplay)) {
  process.stderr.write(
    'No Electron window here (no display or no Electron binary): starting web mode; open the address below.\n',
  );
}
child.on('exit', (code) => process.exit(code ?? 0));
