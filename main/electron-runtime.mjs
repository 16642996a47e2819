// Locate the Electron runtime binary without triggering the `electron` package's implicit download
// (which prints a stack trace where the download is blocked).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const electronDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

/** @returns {string | null} the executable's path, or null when it is not installed. */
export function findElectronRuntime() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (override) {
    const full = join(override, relative || 'electron');
    return existsSync(full) ? full : null;
  }
  if (!relative) return null;
  const full = join(electronDir, 'dist', relative);
  return existsSync(full) ? full : null;
}

/** Try the package's own installer once, quietly. @returns {string | null} */
export function installElectronRuntime() {
  if (!existsSync(join(electronDir, 'install.js'))) return null;
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'pipe', timeout: 300_000 });
  return result.status === 0 ? findElectronRuntime() : null;
}
