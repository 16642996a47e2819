// Builds main (Electron shell and browser-mode server) and the preload with esbuild.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const define = { __BONDSMITH_VERSION__: JSON.stringify(pkg.version) };
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, define, logLevel: 'warning' };

await Promise.all([
  // Electron main process: CommonJS, dependencies stay in node_modules (packaged by electron-builder).
  build({ ...common, entryPoints: ['main/electron/app.ts'], outfile: 'dist/main/electron.cjs', format: 'cjs', packages: 'external' }),
  // Browser mode: plain Node ESM.
  build({ ...common, entryPoints: ['main/serve.ts'], outfile: 'dist/main/serve.js', format: 'esm', packages: 'external' }),
  // Sandboxed preload: one self-contained file whose only runtime import is electron.
  build({ ...common, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/index.cjs', format: 'cjs', external: ['electron'], platform: 'browser' }),
]);
console.log('built dist/main and dist/preload');
