import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// `npm run faults`: the fault matrix (every fault on every driver, against the lab), then its table.
// Its files are *.fault.ts, so the lab integration step (e2e/vitest.config.ts) never runs them too.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['e2e/faults/**/*.fault.ts'],
    environment: 'node',
    fileParallelism: false,
    // BONDSMITH_FAULTS / BONDSMITH_FAULTS_DRIVERS may leave a file with nothing to run.
    passWithNoTests: true,
    testTimeout: 420_000,
    hookTimeout: 240_000,
    globalSetup: ['e2e/faults/print-matrix.ts'],
    reporters: ['default'],
  },
});
