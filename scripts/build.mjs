// Builds everything the app runs from: the CLI and engine (dist/cli.mjs), the desktop shell, its preload
// and the engine's utility process (dist/shell/*.cjs), and the renderer (dist/renderer, with Vite).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rmSync } from 'node:fs';

const external = ['electron', 'better-sqlite3', 'playwright-core', 'exceljs'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external,
};

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  esbuild({
    ...common,
    entryPoints: { cli: 'electron/cliMain.ts' },
    outdir: 'dist',
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
    outdir: 'dist/shell',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
  }),
  // A sandboxed preload may load no module but Electron's own: everything else is bundled into it.
  esbuild({
    ...common,
    external: ['electron'],
    entryPoints: { preload: 'electron/shell/preload.ts' },
    outdir: 'dist/shell',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
  }),
]);
await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
