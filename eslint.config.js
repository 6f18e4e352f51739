// Layering rules: shared/ knows neither Node nor the DOM, the engine never loads Electron at run time,
// and only the shell's IPC host and preload touch ipcMain/ipcRenderer.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'crypto',
  'stream',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'events',
  'buffer',
  'process',
  'readline',
  'tty',
];
const noElectronAtRunTime = {
  name: 'electron',
  allowTypeImports: true,
  message: "Only electron/shell/ may load 'electron' at run time; use `import type` elsewhere.",
};
const noRawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Raw IPC lives only in electron/shell/ipcHost.ts and electron/shell/preload.ts.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist.*/', 'release/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noElectronAtRunTime] }],
    },
  },
  {
    files: ['electron/shell/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noRawIpc] }] },
  },
  {
    files: ['electron/shell/ipcHost.ts', 'electron/shell/preload.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectronAtRunTime,
            ...nodeBuiltins.map((name) => ({ name, message: 'shared/ knows no Node.' })),
          ],
          patterns: [{ group: ['node:*'], message: 'shared/ knows no Node.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectronAtRunTime,
            ...nodeBuiltins.map((name) => ({ name, message: 'The renderer knows no Node.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer knows no Node.' },
            {
              group: ['**/electron/**'],
              message: 'The renderer speaks to the engine only through the contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
