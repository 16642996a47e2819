import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DISCOVERY_COMMAND } from '../../main/discovery/discovery-script';
import { adHoc, closeAnsibleMasters, prepareAnsible } from './ansible-methods';
import { BenchError, runProcess, timed } from './bench-kit';
import { hasDoneLine, type FleetServer } from './fleet-servers';

// The anchors of the fleet benchmark, on the same servers as Bondsmith: the OpenSSH client (a new
// ssh per host, all at once; ControlMaster connections already open) and Ansible ad-hoc runs. Every
// method checks the host key against the fleet's known_hosts, as Bondsmith does, and checks that
// every host's inventory came back whole.

function sshArgs(server: FleetServer, knownHostsFile: string): string[] {
  // -F /dev/null and IdentitiesOnly: this machine's ssh config and agent must not change the figures.
  return [
    '-F', '/dev/null',
    '-i', server.keyPath,
    '-p', String(server.port),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${knownHostsFile}`,
    '-o', 'LogLevel=ERROR',
  ];
}

async function discoverWithSsh(server: FleetServer, knownHostsFile: string, extra: readonly string[] = []): Promise<void> {
  const r = await runProcess('ssh', [...sshArgs(server, knownHostsFile), ...extra, 'root@127.0.0.1', DISCOVERY_COMMAND], { timeoutMs: 180_000 });
  if (r.code !== 0) throw new BenchError('SSH', `${server.name}: ssh exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  if (!hasDoneLine(r.stdout)) throw new BenchError('INCOMPLETE', `${server.name}: the discovery output is incomplete (${r.stdout.length} bytes)`);
}

/** P1 anchor: a new `ssh` per host running the discovery command, all hosts at once. */
export async function opensshParallel(servers: readonly FleetServer[], knownHostsFile: string, rounds: number): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < rounds; i++) {
    seconds.push((await timed(() => Promise.all(servers.map((s) => discoverWithSsh(s, knownHostsFile))))).seconds);
    await settle();
  }
  return seconds;
}

function controlArgs(dir: string, server: FleetServer): string[] {
  return ['-o', `ControlPath=${join(dir, `cm-${server.port}`)}`];
}

/** P2 anchor: masters opened beforehand (not timed); each round a new ssh client per host over its master. */
export async function opensshControlMaster(servers: readonly FleetServer[], knownHostsFile: string, rounds: number, dir: string): Promise<number[]> {
  mkdirSync(dir, { recursive: true });
  try {
    await Promise.all(
      servers.map(async (s) => {
        // -f -N: authenticate, then the master goes to the background and holds the connection.
        const r = await runProcess('ssh', [...sshArgs(s, knownHostsFile), ...controlArgs(dir, s), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=300', '-f', '-N', 'root@127.0.0.1'], { timeoutMs: 180_000 });
        if (r.code !== 0) throw new BenchError('SSH_MASTER', `${s.name}: could not open a ControlMaster: ${r.stderr.trim().slice(0, 300)}`);
      }),
    );
    const seconds: number[] = [];
    for (let i = 0; i < rounds; i++) {
      seconds.push((await timed(() => Promise.all(servers.map((s) => discoverWithSsh(s, knownHostsFile, [...controlArgs(dir, s), '-o', 'ControlMaster=no']))))).seconds);
    }
    return seconds;
  } finally {
    await closeControlMasters(servers, knownHostsFile, dir);
  }
}

/** Asks every master to exit (the benchmark's cleanup also calls this on Ctrl-C). */
export async function closeControlMasters(servers: readonly FleetServer[], knownHostsFile: string, dir: string): Promise<void> {
  await Promise.all(servers.map((s) => runProcess('ssh', [...sshArgs(s, knownHostsFile), ...controlArgs(dir, s), '-O', 'exit', 'root@127.0.0.1'], { timeoutMs: 15_000 }).catch(() => undefined)));
}

export type AnsibleModule = 'raw' | 'shell';

/**
 * P1, Ansible: one cold ad-hoc run over all hosts (-f N, fresh ControlPersist directory). raw sends
 * the discovery command over ssh as it is; the shell module runs a command inside Ansible's Python
 * module on the host, where no ForceCommand sees it, so it runs what the servers' shim runs for the
 * discovery command (cat of the host's fixture).
 */
export async function ansibleCold(servers: readonly FleetServer[], knownHostsFile: string, dir: string, module: AnsibleModule): Promise<number> {
  const hosts = servers.map((s) => ({ name: s.name, port: s.port, keyPath: s.keyPath }));
  const run = await prepareAnsible(hosts, dir, { knownHostsFile });
  const args = module === 'raw' ? ['-m', 'ansible.builtin.raw', '-a', DISCOVERY_COMMAND] : ['-m', 'ansible.builtin.shell', '-a', 'cat "$HOME/discovery.txt"'];
  try {
    const t = await timed(() => adHoc(run, hosts, args, { timeoutMs: 300_000 }));
    for (const h of hosts) {
      if (!hasDoneLine(t.value.get(h.name)?.stdout ?? '')) throw new BenchError('INCOMPLETE', `ansible ${module} on ${h.name}: the discovery output is incomplete`);
    }
    return t.seconds;
  } finally {
    await closeAnsibleMasters(run);
    await settle();
  }
}

/** A moment for the servers' session processes of the previous round to exit. */
export function settle(ms = 500): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
