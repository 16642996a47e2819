import { defineConfig } from '@playwright/test';

// One suite, two launch targets (DESIGN.md "Tests"): `browser` drives Debian's Chromium against
// browser mode; `electron` drives the packaged app where the Electron runtime is installed.
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
    { name: 'electron', use: {} },
  ],
});
