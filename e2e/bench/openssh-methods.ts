import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DISCOVERY_COMMAND, DISCOVERY_MARKER } from '../../main/discovery/discovery-script';
import { BenchError, runProcess, timed, type MethodResult } from './bench-kit';

// The OpenSSH client running Bondsmith's own discovery command: one new connection per host (one
// after another, then all at once), and over ControlMaster connections that are already open.

export interface BenchHost {
  readonly name: string;
  readonly port: number;
  readonly keyPath: string;
}

/** The discovery script ends with "<marker> <pid> DONE": without it the inventory came back cut short. */
export function checkInventory(host: string, stdout: string): void {
  if (!new RegExp(`^${DISCOVERY_MARKER} \\d+ DONE$`, 'm').test(stdout) || !stdout.includes('"ifname":"eno1"')) {
    throw new BenchError('INCOMPLETE', `${host}: the discovery output is incomplete (${stdout.length} bytes, no DONE line or no eno1)`);
  }
}

function baseArgs(host: BenchHost): string[] {
  // -F /dev/null and IdentitiesOnly: the machine's ssh config and agent must not change the figures.
  return [
    '-F', '/dev/null',
    '-i', host.keyPath,
    '-p', String(host.port),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
  ];
}

async function discoverWithSsh(host: BenchHost, extra: readonly string[] = []): Promise<void> {
  const r = await runProcess('ssh', [...baseArgs(host), ...extra, 'root@127.0.0.1', DISCOVERY_COMMAND], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new BenchError('SSH', `${host.name}: ssh exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  checkInventory(host.name, r.stdout);
}

export async function opensshSequential(hosts: readonly BenchHost[], rounds: number): Promise<MethodResult> {
  const seconds: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = await timed(async () => {
      for (const h of hosts) await discoverWithSsh(h);
    });
    seconds.push(t.seconds);
  }
  return { method: 'OpenSSH sequential', note: 'one new ssh per host (handshake, auth, discovery command), one after another', seconds };
}

export async function opensshParallel(hosts: readonly BenchHost[], rounds: number): Promise<MethodResult> {
  const seconds: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = await timed(() => Promise.all(hosts.map((h) => discoverWithSsh(h))));
    seconds.push(t.seconds);
  }
  return { method: 'OpenSSH parallel', note: 'one new ssh per host, all hosts at once', seconds };
}

function controlArgs(dir: string, host: BenchHost): string[] {
  return ['-o', `ControlPath=${join(dir, `cm-${host.port}`)}`];
}

/**
 * ControlMaster: a master per host is opened once (not timed), then every round runs the command
 * over it, so each round costs a channel and the command only, like Bondsmith's warm refresh.
 */
export async function opensshControlMaster(hosts: readonly BenchHost[], rounds: number, dir: string): Promise<MethodResult> {
  try {
    await Promise.all(
      hosts.map(async (h) => {
        // -f -N: authenticate, then the master goes to the background and holds the connection.
        const r = await runProcess('ssh', [...baseArgs(h), ...controlArgs(dir, h), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=300', '-f', '-N', 'root@127.0.0.1'], { timeoutMs: 120_000 });
        if (r.code !== 0) throw new BenchError('SSH_MASTER', `${h.name}: could not open a ControlMaster: ${r.stderr.trim().slice(0, 300)}`);
      }),
    );
    const seconds: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = await timed(() => Promise.all(hosts.map((h) => discoverWithSsh(h, [...controlArgs(dir, h), '-o', 'ControlMaster=no']))));
      seconds.push(t.seconds);
    }
    return { method: 'OpenSSH ControlMaster warm, parallel', note: 'masters already open (setup not timed); a new channel + discovery command per host, all at once', seconds };
  } finally {
    await closeControlMasters(dir, hosts);
  }
}

/** Asks every master this benchmark opened to exit (ControlPersist would otherwise keep them for 5 min). */
export async function closeControlMasters(dir: string, hosts: readonly BenchHost[]): Promise<void> {
  const sockets = new Set(readdirSafe(dir).filter((f) => f.startsWith('cm-')));
  await Promise.all(
    hosts
      .filter((h) => sockets.has(`cm-${h.port}`))
      .map((h) => runProcess('ssh', [...baseArgs(h), ...controlArgs(dir, h), '-O', 'exit', 'root@127.0.0.1'], { timeoutMs: 15_000 }).catch(() => undefined)),
  );
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
