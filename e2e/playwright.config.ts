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

// Spec files run BONDSMITH_E2E_WORKERS at a time (default 2, the machine's 2 cores); each worker boots
// a lab of its own (fixtures/app.ts), so workers share nothing but the machine.
function e2eWorkers(): number {
  const raw = process.env.BONDSMITH_E2E_WORKERS ?? '2';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`BONDSMITH_E2E_WORKERS must be a whole number from 1 to 8, not ${JSON.stringify(raw)}`);
  return n;
}

export default defineConfig({
  testDir: './specs',
  outputDir: '../test-results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: e2eWorkers(),
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
