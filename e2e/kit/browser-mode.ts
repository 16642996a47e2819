import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Browser mode (`dist/main/serve.js`, built by `npm run build`) started for a test or a benchmark:
// its own data dir, a fresh random token, any free loopback port.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface BrowserModeServer {
  /** The tokened URL a browser opens first (it sets the token cookie). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcess;
}

/** The app under test: its own data dir, no user known_hosts (lab keys change every boot), lab veth ports offered as members. */
export function appEnv(dataDir: string): Record<string, string> {
  return { BONDSMITH_DATA_DIR: dataDir, BONDSMITH_USER_KNOWN_HOSTS: '', BONDSMITH_ALLOW_VIRTUAL_MEMBERS: '1' };
}

export async function startBrowserMode(dataDir: string): Promise<BrowserModeServer> {
  const token = randomBytes(18).toString('base64url');
  // The token goes in the environment, never on the command line (any local user can read that).
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'main', 'serve.js'), '--port=0'], {
    env: { ...process.env, ...appEnv(dataDir), BONDSMITH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const deadline = setTimeout(() => reject(new Error(`browser mode did not start: ${out}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out);
      if (match) {
        clearTimeout(deadline);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`browser mode exited with ${code}: ${out}`));
    });
  });
  return { url, port: Number(new URL(url).port), token, child };
}
