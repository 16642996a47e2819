// Lint, with the layering rules of DESIGN.md / STYLE.md enforced as errors.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'url', 'util', 'stream', 'events', 'tls', 'dgram', 'worker_threads', 'process', 'buffer'];

const rendererSidePatterns = [
  { group: ['node:*', ...nodeBuiltins, ...nodeBuiltins.map((m) => `${m}/*`)], message: 'The renderer and preload run without Node: no Node modules here.' },
  { group: ['**/main/**', '../main', '../../main'], message: 'The renderer and preload never import from main/: talk to it through the contract.' },
  { group: ['ssh2', 'ws', 'electron/main'], message: 'Main-process libraries do not belong in the renderer or preload.' },
];

const testFiles = ['**/*.test.ts', '**/*.itest.ts'];

const noIo = { group: ['node:*', ...nodeBuiltins, 'ssh2', 'ws'], message: 'Pure domain code does no I/O.' };

const noElectron = { name: 'electron', message: 'Only main/electron/ (the thin Electron shell) imports electron.' };

/** Imports from the named main/ folders, from anywhere inside main/. */
function above(...folders) {
  return {
    group: folders.flatMap((f) => [`**/${f}/*`, `../${f}/*`, `../../${f}/*`, `../${f}`, `../../${f}`]),
    message: `A lower layer never imports from ${folders.join(', ')} (one-way flow: renderer -> dispatch -> services -> drivers -> ssh).`,
  };
}

const rawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Raw IPC lives only in main/electron/ipc-binding.ts and preload/index.ts.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**', '**/*.d.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'main/*.mjs', 'e2e/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-restricted-imports': ['error', { paths: [rawIpc] }],
      // ssh2 treats a Promise returned by hostVerifier as "accepted" (ssh2 issue #1268).
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='hostVerifier'] > :function[async=true]", message: 'hostVerifier must be synchronous or use the callback: ssh2 accepts any returned Promise.' },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['main/electron/ipc-binding.ts', 'preload/index.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'preload/**/*.ts'],
    ignores: ['preload/index.ts', '**/*.test.ts', 'renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { paths: [rawIpc], patterns: rendererSidePatterns }] },
  },
  {
    files: ['preload/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: rendererSidePatterns }] },
  },
  {
    files: ['renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // Layering inside main/ (README "Architecture"): data flows renderer -> dispatch -> services ->
  // drivers -> ssh, and nothing lower imports anything higher. Later blocks override earlier ones
  // for the same files, so each folder's block lists everything it may not import.
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**', ...testFiles],
    rules: { 'no-restricted-imports': ['error', { paths: [rawIpc, noElectron], patterns: [] }] },
  },
  {
    // Below the services: the apply runner, discovery, stores.
    files: ['main/apply/**/*.ts', 'main/discovery/**/*.ts', 'main/store/**/*.ts'],
    ignores: testFiles,
    rules: { 'no-restricted-imports': ['error', { paths: [rawIpc, noElectron], patterns: [above('services', 'ipc', 'server', 'electron')] }] },
  },
  {
    // The SSH layer is the bottom of main: it knows nothing of hosts' kinds, plans or services.
    files: ['main/ssh/**/*.ts'],
    ignores: testFiles,
    rules: { 'no-restricted-imports': ['error', { paths: [rawIpc, noElectron], patterns: [above('services', 'drivers', 'plan', 'discovery', 'apply', 'store', 'bond', 'ipc', 'server', 'electron')] }] },
  },
  {
    // Pure domain code (DESIGN.md "Architecture"): no I/O. Drivers get the connection handed in and
    // may name its type only.
    files: ['main/bond/**/*.ts', 'main/plan/**/*.ts', 'main/shell/**/*.ts', 'main/fleet/**/*.ts', 'main/history/**/*.ts', 'main/drivers/**/*.ts', 'main/discovery/parse-*.ts', 'main/discovery/discovery-*.ts', 'preload/contract/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [rawIpc, noElectron],
          patterns: [
            noIo,
            above('services', 'apply', 'store', 'ipc', 'server', 'electron'),
            { group: ['**/ssh/*', '!**/ssh/connection'], message: 'Pure code reaches the box only through the connection it is handed (ssh/connection.ts).' },
            { group: ['**/ssh/connection'], allowTypeImports: true, message: 'Only the type of the connection: pure code does not open one.' },
          ],
        },
      ],
    },
  },
  {
    // What every host shares sits below the drivers: plan/, bond/ and shell/ never ask a driver.
    files: ['main/bond/**/*.ts', 'main/plan/**/*.ts', 'main/shell/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [rawIpc, noElectron],
          patterns: [
            noIo,
            above('services', 'apply', 'store', 'ipc', 'server', 'electron', 'drivers', 'ssh'),
          ],
        },
      ],
    },
  },
);
