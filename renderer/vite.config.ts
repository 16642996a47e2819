import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The renderer build: the same bundle is served by Electron's app:// protocol and by browser mode.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
