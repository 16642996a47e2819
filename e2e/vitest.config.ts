import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Integration tests against the lab (real UML guests, real sshd, real bonding).
// Files run one after another: each boots its own small lab and the machine has 2 cores.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.test.ts', 'main/**/*.itest.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    reporters: ['default'],
  },
});
