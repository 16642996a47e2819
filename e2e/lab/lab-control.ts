// The lab's control path into a guest: ssh over a second NIC that lives in the guest's "ctl"
// namespace, with an sshd of its own whose ForceCommand runs the command in the guest's main
// namespace. It keeps working when a test breaks the management network (ens3, bonds, routes).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, shellQuote } from './lab-process';
import { hostPlan, labPaths, type HostRecord, type LabRecord } from './lab-state';
import { LabError, type ExecResult, type LabUser } from './lab-types';

function controlSocket(record: LabRecord, host: HostRecord): string {
  return join(labPaths(record.name).hostDir(host.name), 'ctl.sock');
}

function sshArgs(record: LabRecord, host: HostRecord): string[] {
  return [
    'netns', 'exec', record.netns, 'ssh',
    '-i', record.keyPath,
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=5', '-o', 'ServerAliveInterval=2', '-o', 'ServerAliveCountMax=3',
    '-o', `ControlPath=${controlSocket(record, host)}`,
  ];
}

/**
 * One ssh connection per guest is kept open (a new one costs about a second under UML). The master
 * is started on its own with stdio ignored: a ControlPersist master forked by a command's ssh would
 * keep that command's output pipes open.
 */
async function ensureMaster(record: LabRecord, host: HostRecord): Promise<void> {
  const target = `root@${hostPlan(host.index).ctlAddress}`;
  // A socket whose master died makes ssh fall back to a direct connection, so no check is needed
  // (a check would cost a process start per command).
  if (existsSync(controlSocket(record, host))) return;
  await new Promise<void>((resolve) => {
    const child = spawn('ip', [...sshArgs(record, host), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=300', '-f', '-N', target], {
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('error', () => resolve());
  });
}

/** Closes the kept connection (before the guest goes away, so the next command does not hang on it). */
export async function closeMaster(record: LabRecord, host: HostRecord): Promise<void> {
  if (!existsSync(controlSocket(record, host))) return;
  await run('ip', [...sshArgs(record, host), '-O', 'exit', `root@${hostPlan(host.index).ctlAddress}`], { allowFailure: true, timeoutMs: 5000 });
}

/** The guest's UML processes (the kernel and its helpers), found by the umid on their command line. */
export function umlProcesses(record: LabRecord, host: HostRecord): { pid: number; cpuSeconds: number }[] {
  const needle = `umid=${record.netns}-${host.name}\0`;
  const out: { pid: number; cpuSeconds: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, in clock ticks (100 per second on Linux).
      out.push({ pid: Number(entry), cpuSeconds: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/**
 * A command on the control path took longer than its timeout. Is the guest still there? One more,
 * trivial command on a connection of its own, bounded: a guest that does not answer that has
 * stopped answering (Debian 12's UML 6.1 sometimes spins in rt_sigprocmask/timer_gettime and never
 * runs its processes again), which is the lab's failure, not the app's: say so.
 */
async function explainTimeout(record: LabRecord, host: HostRecord, err: unknown, probeTimeoutMs: number): Promise<never> {
  const probe = await run('ip', [...sshArgs(record, host), '-o', 'ControlMaster=no', '-o', 'ControlPath=none', `root@${hostPlan(host.index).ctlAddress}`, 'echo alive'], { allowFailure: true, timeoutMs: probeTimeoutMs }).catch(() => null);
  if (probe?.stdout.includes('alive')) throw err;
  const procs = umlProcesses(record, host);
  const cpu = procs.length === 0 ? 'no UML process is left' : `UML processes ${procs.map((p) => `${p.pid} (${p.cpuSeconds.toFixed(1)} s CPU)`).join(', ')}`;
  throw new LabError('LAB_GUEST_HUNG', `lab guest ${host.name} stopped answering (UML hang), not an app failure: a trivial command on its control path got no answer in ${probeTimeoutMs} ms; ${cpu}. (${err instanceof Error ? err.message : String(err)})`);
}

export async function controlExec(
  record: LabRecord,
  host: HostRecord,
  command: string,
  opts: { user?: LabUser; timeoutMs?: number; input?: string; probeTimeoutMs?: number } = {},
): Promise<ExecResult> {
  await ensureMaster(record, host);
  const inner =
    opts.user === 'admin'
      ? `cd /home/admin && exec setpriv --reuid=admin --regid=admin --init-groups env HOME=/home/admin USER=admin LOGNAME=admin /bin/sh -c ${shellQuote(command)}`
      : command;
  const probeMs = opts.probeTimeoutMs ?? 15_000;
  let r: ExecResult;
  try {
    r = await run('ip', [...sshArgs(record, host), '-o', 'ControlMaster=no', `root@${hostPlan(host.index).ctlAddress}`, inner], {
      allowFailure: true,
      timeoutMs: opts.timeoutMs ?? 60_000,
      input: opts.input,
    });
  } catch (err) {
    if (err instanceof LabError && err.code === 'LAB_TIMEOUT') return explainTimeout(record, host, err, probeMs);
    throw err;
  }
  // 255 is ssh's own failure (no connection, or it broke); a command's own 255 passes the probe.
  if (r.code === 255) await explainTimeout(record, host, new LabError('LAB_COMMAND', `ssh exit 255: ${r.stderr.trim().slice(0, 300)}`), probeMs).catch((err: unknown) => {
    if (err instanceof LabError && err.code === 'LAB_GUEST_HUNG') throw err;
  });
  return r;
}
