import { defineConfig } from '@playwright/test';
import { findElectronRuntime } from '../main/electron-runtime.mjs';

// One suite, two launch targets (DESIGN.md "Tests"): `browser` drives Debian's Chromium against
// browser mode; `electron` drives the app where the Electron runtime is installed. Where it is not
// (its download is blocked on this project's machines), the project is left out entirely, so no
// worker boots a lab for specs that would all skip.
const electronRuntime = findElectronRuntime();
if (!electronRuntime && !process.env.PLAYWRIGHT_QUIET_ELECTRON) {
  process.env.PLAYWRIGHT_QUIET_ELECTRON = '1'; // the config is loaded again by each worker: say it once
  console.log('[e2e] electron project left out: the Electron runtime is not installed here; the browser project runs every spec.');
}

export default defineConfig({
  testDir: './specs',
  outputDir: '../test-results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'browser',
      // The app fixture launches Debian's Chromium itself (fixtures/chromium.ts), never a downloaded build.
      use: {},
    },
    ...(electronRuntime ? [{ name: 'electron', use: {} }] : []),
  ],
});
