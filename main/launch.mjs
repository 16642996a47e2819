// `npm start`: launch the built app with Electron, or say in one line why it cannot start here.
import { spawn } from 'node:child_process';
import { findElectronRuntime, installElectronRuntime } from './electron-runtime.mjs';

const runtime = findElectronRuntime() ?? installElectronRuntime();
if (!runtime) {
  console.error(
    'Bondsmith: the Electron runtime is not installed and could not be downloaded on this machine; run `npm run serve` to use Bondsmith in browser mode instead.',
  );
  process.exit(1);
}
const child = spawn(runtime, ['.'], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
