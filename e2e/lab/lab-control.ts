// The lab's control path into a guest: ssh over a second NIC that lives in the guest's "ctl"
// namespace, with an sshd of its own whose ForceCommand runs the command in the guest's main
// namespace. It keeps working when a test breaks the management network (ens3, bonds, routes).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run, shellQuote } from './lab-process';
import { hostPlan, labPaths, type HostRecord, type LabRecord } from './lab-state';
import type { ExecResult, LabUser } from './lab-types';

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

export async function controlExec(
  record: LabRecord,
  host: HostRecord,
  command: string,
  opts: { user?: LabUser; timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  await ensureMaster(record, host);
  const inner =
    opts.user === 'admin'
      ? `cd /home/admin && exec setpriv --reuid=admin --regid=admin --init-groups env HOME=/home/admin USER=admin LOGNAME=admin /bin/sh -c ${shellQuote(command)}`
      : command;
  const r = await run('ip', [...sshArgs(record, host), '-o', 'ControlMaster=no', `root@${hostPlan(host.index).ctlAddress}`, inner], {
    allowFailure: true,
    timeoutMs: opts.timeoutMs ?? 60_000,
    input: opts.input,
  });
  return r;
}
