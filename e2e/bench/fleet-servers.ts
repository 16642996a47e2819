import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISCOVERY_MARKER } from '../../main/discovery/discovery-script';
import { startSshd, type SshdFixture } from '../kit/sshd-fixture';
import { BenchError } from './bench-kit';

// A fleet of real OpenSSH servers on 127.0.0.1 for the fleet benchmark: one sshd per host, each
// with its own host key, port and home directory. The account's discovery command prints one of
// the captured discovery fixtures (main/discovery/fixtures/) instead of reading this machine, so
// every client gets the same realistic inventory for a few microseconds of server work, and the
// client side is what the figures measure. Every other command (Ansible's module plumbing, sftp)
// runs as usual. The servers run at a lower CPU priority (nice 10, inherited by every session they
// fork): on a real fleet they are other machines, and here they must not crowd out the client under
// test on the same two cores. Their CPU time still counts in every wall-clock figure.

/** Niceness of every sshd of the fleet and of the sessions it forks. */
export const SERVER_NICE = 10;

const FIXTURES_DIR = fileURLToPath(new URL('../../main/discovery/fixtures/', import.meta.url));

/** Linux and TrueNAS inventories, dealt to the hosts in turn. */
export const FLEET_FIXTURES = [
  { file: 'linux-lacp-mgmt-on-bond.txt', os: 'linux' },
  { file: 'truenas-failover-pending.txt', os: 'truenas' },
  { file: 'truenas-readonly-admin.txt', os: 'truenas' },
] as const;

export interface FleetServer {
  readonly name: string;
  readonly port: number;
  readonly keyPath: string;
  /** The OS the host's fixture describes, to check each method got this host's inventory. */
  readonly os: 'linux' | 'truenas';
  readonly knownHostsLine: string;
}

export interface Fleet {
  readonly servers: readonly FleetServer[];
  /** Every server's host key, as OpenSSH's known_hosts lines. */
  readonly knownHostsFile: string;
  /** Stops one server (`servers[index]`): its port refuses from then on. */
  stopServer(index: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * ForceCommand for every server: the discovery command (it carries DISCOVERY_MARKER, whichever client
 * sent it and however it is wrapped) prints the host's fixture; anything else runs as it would.
 */
function writeShim(work: string): string {
  const path = join(work, 'fleet-shim.sh');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'case "$SSH_ORIGINAL_COMMAND" in',
      `  *'${DISCOVERY_MARKER}'*) exec cat "$HOME/discovery.txt" ;;`,
      '  "") echo "fleet bench: no interactive sessions" >&2; exit 1 ;;',
      '  *) exec /bin/sh -c "$SSH_ORIGINAL_COMMAND" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

/** Starts `count` servers, `concurrency` at a time; on any failure the ones started are stopped. */
export async function startFleet(count: number, work: string, opts: { concurrency?: number } = {}): Promise<Fleet> {
  const keyPath = join(work, 'fleet_client_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bondsmith-fleet-bench', '-f', keyPath]);
  const publicLine = readFileSync(`${keyPath}.pub`, 'utf8').trim();
  const shim = writeShim(work);
  const config = [`ForceCommand ${shim}`, 'Subsystem sftp /usr/lib/openssh/sftp-server'];
  // startSshd leaves an exit hook per server, so a crash of this process takes no listener along.
  process.setMaxListeners(Math.max(process.getMaxListeners(), count + 20));

  const fixtures: SshdFixture[] = [];
  const servers: FleetServer[] = [];
  const stop = async (): Promise<void> => {
    const all = fixtures.splice(0);
    for (let i = 0; i < all.length; i += 25) await Promise.all(all.slice(i, i + 25).map((f) => f.stop().catch(() => undefined)));
  };
  try {
    const concurrency = opts.concurrency ?? 8;
    for (let first = 0; first < count; first += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, count - first) }, (_, k) => first + k);
      const started = await Promise.all(batch.map(() => startWithRetry(config)));
      started.forEach((fixture, k) => {
        const index = batch[k] ?? 0;
        fixtures.push(fixture);
        const pid = fixture.pid();
        if (pid !== undefined) setPriority(pid, SERVER_NICE);
        fixture.authorize(publicLine);
        const flavor = FLEET_FIXTURES[index % FLEET_FIXTURES.length] ?? FLEET_FIXTURES[0];
        copyFileSync(join(FIXTURES_DIR, flavor.file), join(fixture.dir, 'discovery.txt'));
        const [type, b64] = readFileSync(fixture.hostKeyPub, 'utf8').trim().split(' ');
        servers.push({ name: `fleet-${String(index + 1).padStart(3, '0')}`, port: fixture.port, keyPath, os: flavor.os, knownHostsLine: `[127.0.0.1]:${fixture.port} ${type} ${b64}` });
      });
    }
  } catch (err) {
    await stop();
    throw new BenchError('FLEET_START', `could not start ${count} sshd servers (${servers.length} up): ${err instanceof Error ? err.message : String(err)}`);
  }
  const knownHostsFile = join(work, 'fleet_known_hosts');
  writeFileSync(knownHostsFile, `${servers.map((s) => s.knownHostsLine).join('\n')}\n`);
  const stopServer = async (index: number): Promise<void> => {
    await fixtures[index]?.stop();
  };
  return { servers, knownHostsFile, stopServer, stop };
}

/** A free port picked, then bound by sshd, can rarely be taken in between: one more try. */
async function startWithRetry(config: readonly string[]): Promise<SshdFixture> {
  try {
    return await startSshd(config);
  } catch {
    return startSshd(config);
  }
}

/** The discovery output ends with "<marker> <pid> DONE" (a pty, as Ansible's raw uses, adds \r). */
export function hasDoneLine(stdout: string): boolean {
  return new RegExp(`^${DISCOVERY_MARKER} \\d+ DONE\\r?$`, 'm').test(stdout);
}
