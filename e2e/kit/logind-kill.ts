import { labExec } from '../lab/lab';

// systemd-logind with KillUserProcesses=yes, on a lab guest (which runs no systemd), done the way
// logind does it: pam_systemd, in sshd's PAM session stack, has logind move the process that opens
// the PAM session (sshd's process for that connection) into a cgroup of the login's own
// (session-N.scope); every process started from the login inherits it, whatever setsid, nohup or
// double forks it does. When the login ends (sshd closes the PAM session) logind stops the scope:
// SIGTERM to every process still in it, then SIGKILL.
//
// Here pam_exec stands in for pam_systemd: at open_session it moves the caller (sshd, $PPID) into
// /sys/fs/cgroup/lab-logind/session-<pid>; at close_session it steps out of that cgroup itself,
// sends SIGTERM to every process left in it, then kills the rest with cgroup.kill, and logs what it
// killed. Only logins through the guest's main sshd are affected; the lab's control path has its
// own sshd without PAM.

const DIR = '/run/lab-logind';
const HOOK = `${DIR}/hook.sh`;
const PAM_LINE = `session optional pam_exec.so quiet ${HOOK}`;

const HOOK_SCRIPT = `#!/bin/sh
root=/sys/fs/cgroup
cg=$root/lab-logind/session-$PPID
case "$PAM_TYPE" in
open_session)
  mkdir -p "$cg" && echo "$PPID" > "$cg/cgroup.procs" && echo "open session-$PPID $PAM_USER" >> ${DIR}/log
  ;;
close_session)
  echo $$ > "$root/cgroup.procs"
  [ -d "$cg" ] || exit 0
  for p in $(cat "$cg/cgroup.procs"); do
    echo "kill session-$PPID $p $(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null)" >> ${DIR}/log
    kill -TERM "$p" 2>/dev/null
  done
  echo 1 > "$cg/cgroup.kill"
  echo "closed session-$PPID" >> ${DIR}/log
  ;;
esac
exit 0
`;

/** Turns the simulation on for logins that start from now on (PAM reads its stack per login). */
export async function enableLogindKill(lab: string, host: string): Promise<void> {
  const command = [
    `mkdir -p ${DIR}`,
    'grep -q " /sys/fs/cgroup cgroup2 " /proc/mounts || mount -t cgroup2 cgroup2 /sys/fs/cgroup',
    'mkdir -p /sys/fs/cgroup/lab-logind',
    `cat > ${HOOK} <<'LABEOF'\n${HOOK_SCRIPT}LABEOF`,
    `chmod 755 ${HOOK}`,
    `: > ${DIR}/log`,
    `grep -qF '${PAM_LINE}' /etc/pam.d/sshd || echo '${PAM_LINE}' >> /etc/pam.d/sshd`,
    'echo enabled',
  ].join('\n');
  const r = await labExec(host, command, { user: 'root', timeoutMs: 30_000 }, lab);
  if (!r.stdout.includes('enabled')) throw new Error(`could not enable the logind simulation on ${host}: ${r.stdout}${r.stderr}`);
}

/** Back to a box whose logins leave their processes alone (logins already killed stay killed). */
export async function disableLogindKill(lab: string, host: string): Promise<void> {
  await labExec(host, `grep -vF '${PAM_LINE}' /etc/pam.d/sshd > /etc/pam.d/sshd.lab && cat /etc/pam.d/sshd.lab > /etc/pam.d/sshd && rm -f /etc/pam.d/sshd.lab`, { user: 'root', timeoutMs: 30_000 }, lab);
}

/** What the simulation did: one line per login opened, process killed and login closed. */
export async function logindLog(lab: string, host: string): Promise<string[]> {
  const r = await labExec(host, `cat ${DIR}/log 2>/dev/null`, { user: 'root', timeoutMs: 30_000 }, lab);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** The pids in logins' cgroups right now (the processes logind would kill at their logouts). */
export async function pidsInLogins(lab: string, host: string): Promise<number[]> {
  const r = await labExec(host, 'cat /sys/fs/cgroup/lab-logind/*/cgroup.procs 2>/dev/null', { user: 'root', timeoutMs: 30_000 }, lab);
  return r.stdout.split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
}
