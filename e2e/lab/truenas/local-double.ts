// Runs the TrueNAS middleware double on this machine with a simulated kernel (DryKernel), for tests of
// its pure logic only: argument parsing, printing, validation messages, query options, DB and pending state.
// Everything that touches a kernel is tested in a lab guest (contract tests), never here.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin/', import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface MidcltResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface LocalDouble {
  readonly midclt: (args: readonly string[], opts?: { readonly asNobody?: boolean }) => Promise<MidcltResult>;
  readonly restart: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

const DRY_KERNEL = {
  links: [
    { name: 'ens3', up: true, addrs: [{ family: 'inet', address: '198.51.100.11', prefix: 24 }] },
    { name: 'eno1' },
    { name: 'eno2' },
    { name: 'eno3' },
    { name: 'eno4' },
  ],
  default_gateway: '198.51.100.1',
};

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `seedMgmt`: the box was set up through its console, so the management NIC has a DB row (as in the lab). */
export async function startLocalDouble(opts: { readonly release: string; readonly seedMgmt?: boolean }): Promise<LocalDouble> {
  const dir = mkdtempSync(join(tmpdir(), 'truenas-double-'));
  chmodSync(dir, 0o755); // so a caller without privilege reaches the socket and gets "Not authenticated"
  const sock = join(dir, 'middlewared.sock');
  writeFileSync(join(dir, 'dry-kernel.json'), JSON.stringify(DRY_KERNEL));
  writeFileSync(join(dir, 'version'), opts.release);
  // The unprivileged caller runs its own copy of the client (midclt is one file): the checkout may sit
  // where that user cannot read (under /root, say).
  copyFileSync(join(BIN, 'midclt'), join(dir, 'midclt'));
  chmodSync(join(dir, 'midclt'), 0o755);
  let daemon: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    daemon = spawn(
      PYTHON,
      [join(BIN, 'middlewared'), '--db', join(dir, 'db.sqlite'), '--socket', sock, '--release', opts.release,
        '--dry-kernel', join(dir, 'dry-kernel.json'), '--log', join(dir, 'middlewared.log'),
        ...(opts.seedMgmt ? ['--seed-if-new', 'ens3=198.51.100.11/24'] : [])],
      { stdio: 'ignore' },
    );
    await waitFor(() => existsSync(sock), 'the daemon socket');
  };
  const stopDaemon = async (): Promise<void> => {
    const d = daemon;
    if (!d || d.exitCode !== null) return;
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await exited;
  };
  await start();

  const midclt = (args: readonly string[], o?: { readonly asNobody?: boolean }): Promise<MidcltResult> => {
    const cmd = o?.asNobody ? 'setpriv' : PYTHON;
    const argv = o?.asNobody
      ? ['--reuid=65534', '--regid=65534', '--clear-groups', PYTHON, join(dir, 'midclt'), ...args]
      : [join(BIN, 'midclt'), ...args];
    return new Promise((resolve) => {
      execFile(cmd, argv, {
        env: { ...process.env, TRUENAS_DOUBLE_SOCKET: sock, TRUENAS_DOUBLE_VERSION_FILE: join(dir, 'version') },
      }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ stdout, stderr, code });
      });
    });
  };

  return {
    midclt,
    restart: async () => {
      await stopDaemon();
      await start();
    },
    stop: async () => {
      await stopDaemon();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
