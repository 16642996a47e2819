// The lab's network namespace on the machine (bridges, taps) and the loopback forwarders into it.
// Nothing here touches the machine's main namespace except 127.0.0.1 listeners (see LAB.md).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { ip, isAlive, run, waitFor } from './lab-process';
import { hostPlan } from './lab-state';
import { LabError } from './lab-types';

const MGMT_BRIDGE = 'mgmt0';
const CTL_BRIDGE = 'ctl0';

export async function netnsExists(netns: string): Promise<boolean> {
  const r = await run('ip', ['netns', 'list'], { allowFailure: true });
  return r.stdout.split('\n').some((line) => line.split(' ')[0] === netns);
}

export async function createLabNetns(netns: string, hostCount: number): Promise<void> {
  await run('ip', ['netns', 'add', netns]);
  const lines = [
    'link set lo up',
    `link add ${MGMT_BRIDGE} type bridge stp_state 0 forward_delay 0`,
    `addr add ${hostPlan(1).gateway}/24 dev ${MGMT_BRIDGE}`,
    `link set ${MGMT_BRIDGE} up`,
    `link add ${CTL_BRIDGE} type bridge stp_state 0 forward_delay 0`,
    `addr add 203.0.113.1/24 dev ${CTL_BRIDGE}`,
    `link set ${CTL_BRIDGE} up`,
  ];
  for (let i = 1; i <= hostCount; i++) {
    const p = hostPlan(i);
    lines.push(`tuntap add ${p.mgmtTap} mode tap`, `link set ${p.mgmtTap} master ${MGMT_BRIDGE} up`);
    lines.push(`tuntap add ${p.ctlTap} mode tap`, `link set ${p.ctlTap} master ${CTL_BRIDGE} up`);
  }
  await ip(netns, ['-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** Kills every process in the namespace (UML guests, control ssh masters, forwarder children). */
export async function killNetnsProcesses(netns: string): Promise<void> {
  if (!(await netnsExists(netns))) return;
  const pids = async () => {
    const r = await run('ip', ['netns', 'pids', netns], { allowFailure: true });
    return r.stdout.split(/\s+/).filter(Boolean).map(Number);
  };
  for (const pid of await pids()) killQuietly(pid);
  await waitFor(`processes in namespace ${netns} to end`, 10_000, async () => ((await pids()).length === 0 ? true : null));
}

export async function deleteNetns(netns: string): Promise<void> {
  if (await netnsExists(netns)) await run('ip', ['netns', 'del', netns]);
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Reads the SSH banner through the forwarder: proof that the guest's sshd answers. */
export function sshBanner(port: number, timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (v: string | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('data', (d: Buffer) => {
      data += d.toString();
      if (data.includes('\n')) done(data.startsWith('SSH-') ? data.trim() : null);
    });
    sock.once('error', () => done(null));
    sock.once('close', () => done(data.startsWith('SSH-') ? data.trim() : null));
  });
}

/**
 * A socat on 127.0.0.1:<free port> whose children connect to target:22 inside the lab namespace.
 * Started detached so it outlives the CLI; `down` kills it by pid.
 */
export async function startForwarder(netns: string, target: string, logFile: string): Promise<{ port: number; pid: number }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    const log = openSync(logFile, 'a');
    const child = spawn(
      'socat',
      [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `EXEC:ip netns exec ${netns} socat STDIO TCP\\:${target}\\:22`],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new LabError('LAB_FORWARDER', 'cannot start socat: is it installed (apt-get install socat)?');
    const up = await waitFor(`forwarder on 127.0.0.1:${port}`, 3000, async () => {
      if (!isAlive(pid)) return false;
      return (await portAnswers(port)) ? true : null;
    }).catch(() => false);
    if (up) return { port, pid };
    killQuietly(pid);
  }
  throw new LabError('LAB_FORWARDER', `cannot start a loopback forwarder to ${target}:22; see ${logFile}`);
}

/** Forwarders of this lab still running: found by their command line, which names the namespace. */
export function findForwarders(netns: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('socat') && argv.some((a) => a.startsWith(`EXEC:ip netns exec ${netns} socat `))) found.push(Number(entry));
    } catch {
      // process ended while we looked
    }
  }
  return found;
}

/**
 * Does one argument name this lab's namespace: as a word of its own (`ip netns exec <netns> …`, a
 * forwarder's EXEC string) or as a guest's umid (`umid=<netns>-nasN`)? Never as the start of a longer
 * name: lab `e2e`'s namespace `bondsmith-e2e` must not match lab `e2e-w1`'s `bondsmith-e2e-w1-nas1`,
 * or taking one lab down kills the guests of another running beside it.
 */
export function argNamesLab(arg: string, netns: string): boolean {
  const word = netns.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9-])${word}(-nas[0-9]+)?($|[^a-z0-9-])`).test(arg);
}

/** Every process whose command line names the lab's namespace (UML guests and their helpers, forwarders). */
export function findLabProcesses(netns: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((a) => argNamesLab(a, netns))) found.push(Number(entry));
    } catch {
      // process ended while we looked
    }
  }
  return found;
}
