// Builds everything the app runs from: the CLI and engine (dist/cli.mjs), the desktop shell, its preload
// and the engine's utility process (dist/shell/*.cjs), and the renderer (dist/renderer, with Vite).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const external = ['electron', 'better-sqlite3', 'playwright-core', 'exceljs'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external,
};

// Build beside dist/ and swap it in at the end, so a running app or test never sees a half-built dist/.
const out = `dist.building-${process.pid}`;
rmSync(out, { recursive: true, force: true });
await Promise.all([
  esbuild({
    ...common,
    entryPoints: { cli: 'electron/cliMain.ts' },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    // Bundled CommonJS dependencies may call require(); give them one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  }),
  esbuild({
    ...common,
    entryPoints: {
      main: 'electron/shell/main.ts',
      engineProcess: 'electron/engine/host/utilityProcessEntry.ts',
    },
    outdir: `${out}/shell`,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
  }),
  // A sandboxed preload may load no module but Electron's own: everything else is bundled into it.
  esbuild({
    ...common,
    external: ['electron'],
    entryPoints: { preload: 'electron/shell/preload.ts' },
    outdir: `${out}/shell`,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
  }),
]);
await viteBuild({
  configFile: 'vite.config.ts',
  logLevel: 'warn',
  build: { outDir: resolve(out, 'renderer') },
});
const old = `dist.old-${process.pid}`;
rmSync(old, { recursive: true, force: true });
try {
  renameSync('dist', old);
} catch {
  // No earlier build.
}
renameSync(out, 'dist');
rmSync(old, { recursive: true, force: true });
