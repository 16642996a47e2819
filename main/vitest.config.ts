import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Unit tests of pure code and of main's services in plain Node. Lab tests live in e2e/vitest.config.ts.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
    environment: 'node',
    // theme-contrast.test.ts reads the stylesheet's theme variables (CSS is emptied unless included).
    css: { include: [/styles\.css/] },
  },
});
