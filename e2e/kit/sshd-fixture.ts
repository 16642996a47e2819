import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real OpenSSH sshd for integration tests and the connect benchmark: 127.0.0.1, a free port,
// its own host key, config and authorized_keys, run in the foreground (-D) so the test owns it.
// Needs root (it logs in as root with a key) and /usr/sbin/sshd.

export interface ClientKey {
  readonly path: string;
  readonly publicLine: string;
}

export interface SshdFixture {
  readonly dir: string;
  readonly port: number;
  readonly user: string;
  /** Current host key's .pub path (for ssh-keygen -lf). */
  readonly hostKeyPub: string;
  readonly stderr: () => string;
  /** The listening sshd's process id (its sessions are its children); undefined while stopped. */
  readonly pid: () => number | undefined;
  /** A new key pair; `authorize` adds it to authorized_keys. */
  newClientKey(opts?: { passphrase?: string; authorize?: boolean }): ClientKey;
  /** Add a public key line (one made by another fixture's newClientKey) to authorized_keys. */
  authorize(publicLine: string): void;
  /** Stop the listener and every session it spawned (a crash, as the client sees it). */
  kill(): Promise<void>;
  /** SIGSTOP every running session (a peer that goes silent); returns the function that undoes it. */
  freezeSessions(): () => void;
  /** Start again on the same port; with `newHostKey`, under a freshly generated host key. */
  start(opts?: { newHostKey?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

let keySerial = 0;

export async function startSshd(extraConfig: readonly string[] = []): Promise<SshdFixture> {
  if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/sshd')) {
    throw new Error('The SSH integration tests start their own sshd and log in as root: run them as root with openssh-server installed (apt-get install openssh-server).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'bondsmith-sshd-'));
  const port = await freePort();
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const authorizedKeys = join(dir, 'authorized_keys');
  const config = join(dir, 'sshd_config');
  writeFileSync(authorizedKeys, '', { mode: 0o600 });
  keygen(hostKey, '');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp dir lives under world-writable /tmp, which StrictModes would reject.
      'StrictModes no',
      'AllowTcpForwarding yes',
      'MaxStartups 100',
      'LogLevel VERBOSE',
      // Sessions get the fixture dir as HOME, so bash does not source the machine's ~/.bashrc:
      // the tests measure SSH, not the local dotfiles (and never kill a half-run rc script).
      `SetEnv HOME=${dir}`,
      ...extraConfig,
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });

  let proc: ChildProcess | null = null;
  let log = '';

  const start = async (opts: { newHostKey?: boolean } = {}): Promise<void> => {
    if (opts.newHostKey) {
      rmSync(hostKey, { force: true });
      rmSync(`${hostKey}.pub`, { force: true });
      keygen(hostKey, '');
    }
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = child;
    // If the test process dies without stop(), do not leave a listener behind.
    const reap = (): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within 10 s: ${log}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const stopProc = async (signal: NodeJS.Signals, withSessions: boolean): Promise<void> => {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const victims = withSessions ? descendants(child.pid) : [];
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    for (const pid of victims) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  await start();
  return {
    dir,
    port,
    user: 'root',
    hostKeyPub: `${hostKey}.pub`,
    stderr: () => log,
    pid: () => (proc?.exitCode === null ? proc.pid : undefined),
    newClientKey(opts = {}) {
      const path = join(dir, `client_key_${keySerial++}`);
      keygen(path, opts.passphrase ?? '');
      const publicLine = readFileSync(`${path}.pub`, 'utf8').trim();
      if (opts.authorize !== false) writeFileSync(authorizedKeys, `${readFileSync(authorizedKeys, 'utf8')}${publicLine}\n`);
      return { path, publicLine };
    },
    authorize(publicLine) {
      writeFileSync(authorizedKeys, `${readFileSync(authorizedKeys, 'utf8')}${publicLine}\n`);
    },
    kill: () => stopProc('SIGKILL', true),
    freezeSessions() {
      const pids = proc?.pid === undefined ? [] : descendants(proc.pid);
      const signal = (sig: NodeJS.Signals): void => {
        for (const pid of pids) {
          try {
            process.kill(pid, sig);
          } catch {
            // already gone
          }
        }
      };
      signal('SIGSTOP');
      return () => signal('SIGCONT');
    },
    start,
    async stop() {
      await stopProc('SIGTERM', true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function fingerprintOf(pubPath: string): string {
  // "256 SHA256:xxxx comment (ED25519)"
  return execFileSync('ssh-keygen', ['-lf', pubPath], { encoding: 'utf8' }).split(' ')[1] ?? '';
}

function keygen(path: string, passphrase: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'bondsmith-test', '-f', path]);
}

function descendants(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  const children = out.split('\n').filter(Boolean).map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
