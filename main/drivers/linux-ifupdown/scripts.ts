import { enterCommands, leaveCommands, type RuntimeState } from './runtime';
import { quoteForShell as q } from '../../shell/quote';

// The scripts a Linux change leaves on the box. Scripts and the snapshot live in /var/lib (they are
// the record of what happened); the "armed" marker and the timer's pid live in /run, a tmpfs, so a
// reboot inside the test window leaves no stale marker: the box boots its old, still unchanged files.
//
// Who restores: whoever removes the "armed" marker first (rm is atomic; exactly one caller wins).
// The timer removes it before restoring; confirm removes it before persisting; a manual revert
// removes it before restoring now.

export function stateDir(runId: string): string {
  return `/var/lib/bondsmith/rollback/${runId}`;
}

export function runDir(runId: string): string {
  return `/run/bondsmith/${runId}`;
}

export interface ScriptInput {
  readonly runId: string;
  readonly title: string;
  readonly bondName: string;
  readonly before: RuntimeState;
  readonly after: RuntimeState;
  readonly touched: readonly string[];
  readonly timeoutSeconds: number;
}

function header(what: string, input: ScriptInput): string[] {
  return ['#!/bin/sh', `# Bondsmith ${what} for run ${input.runId}: ${input.title}.`, `D=${stateDir(input.runId)}`, `R=${runDir(input.runId)}`];
}

// ifupdown's dhcp method starts dhclient with this pid file; stopping it keeps it from re-adding the
// member's old lease address after the member joins the bond.
const STOP_DHCP = [
  'stop_dhcp() {',
  '  if [ -f "/run/dhclient.$1.pid" ]; then',
  '    kill "$(cat "/run/dhclient.$1.pid")" 2>/dev/null',
  '    rm -f "/run/dhclient.$1.pid"',
  '    [ "$2" = record ] && echo "$1" >> "$D/dhcp-stopped"',
  '  fi',
  '  return 0',
  '}',
];

/** Applies the change. Runs detached; writes its exit status to $D/apply.rc. */
export function applyScript(input: ScriptInput): string {
  const lines = [
    ...header('apply', input),
    'touch "$D/apply-started"',
    'fail() { echo "bondsmith: apply failed at: $1" >&2; echo 1 > "$D/apply.rc"; exit 1; }',
    ...STOP_DHCP,
    ...input.touched.map((n) => `stop_dhcp ${q(n)} record`),
    '# Take the touched interfaces out of their old state (parts may already be gone).',
    ...leaveCommands(input.bondName, input.touched),
    '# Build the new state; stop at the first failure (the driver then restores at once).',
    ...enterCommands(input.after).map((c) => `${c} || fail ${q(c)}`),
    'echo 0 > "$D/apply.rc"',
  ];
  return lines.join('\n') + '\n';
}

/** Restores the runtime state from before the change. Best effort: every step is tried. */
export function restoreScript(input: ScriptInput): string {
  const lines = [
    ...header('rollback', input),
    '# Nothing to undo when the apply never started.',
    'if [ ! -e "$D/apply-started" ]; then touch "$D/restored"; exit 0; fi',
    ...STOP_DHCP,
    ...input.touched.map((n) => `stop_dhcp ${q(n)}`),
    ...leaveCommands(input.bondName, input.touched),
    ...enterCommands(input.before).map((c) => `${c} || echo ${q(`bondsmith: restore step failed: ${c}`)} >&2`),
    '# DHCP clients the apply stopped are started again.',
    'if [ -f "$D/dhcp-stopped" ] && command -v dhclient >/dev/null; then',
    '  while read -r i; do dhclient -4 -nw -pf "/run/dhclient.$i.pid" -lf "/var/lib/dhcp/dhclient.$i.leases" "$i"; done < "$D/dhcp-stopped"',
    'fi',
    'touch "$D/restored"',
  ];
  return lines.join('\n') + '\n';
}

// logind (and elogind, its twin on boxes without systemd) keeps each SSH login in a cgroup of its
// own and, with KillUserProcesses=yes, kills every process in it at logout: a new session (setsid)
// or ignoring SIGHUP does not leave it. The timer must outlive the login that armed it, so it runs
// as a unit of its own where systemd runs the box, and elsewhere moves itself to the root of the
// hierarchies that track logins (cgroup2, name=systemd, name=elogind; never a resource controller).
const LEAVE_LOGIN_CGROUP = [
  'leave_login_cgroup() {',
  '  while read -r _ mnt type opts _; do',
  '    case "$type:$opts" in',
  '      cgroup2:* | cgroup:*name=systemd* | cgroup:*name=elogind*)',
  '        [ -w "$mnt/cgroup.procs" ] && echo $$ > "$mnt/cgroup.procs" 2>/dev/null ;;',
  '    esac',
  '  done < /proc/mounts',
  '  return 0',
  '}',
];

/**
 * The armed timer: sleeps, then restores unless confirm or a manual revert removed the marker first.
 * Started with "detach" where systemd does not run it (see armScript); it leaves the login's cgroup
 * before it reports its pid, so the arm step returns only once the timer is out of the session.
 */
export function timerScript(input: ScriptInput): string {
  const lines = [
    ...header('rollback timer', input),
    ...LEAVE_LOGIN_CGROUP,
    '[ "$1" = detach ] && leave_login_cgroup',
    'echo $$ > "$R/timer.pid"',
    `sleep ${input.timeoutSeconds}`,
    'rm "$R/armed" 2>/dev/null || exit 0',
    'sh "$D/restore.sh" > "$D/restore.log" 2>&1',
  ];
  return lines.join('\n') + '\n';
}

/** The systemd unit that runs a change's timer where systemd runs the box. */
export function timerUnit(runId: string): string {
  return `bondsmith-rollback-${runId}`;
}

/**
 * Starts the timer outside the SSH login and prints "armed <pid>". Where systemd runs the box
 * (/run/systemd/system exists, see sd_booted(3)) it is a transient unit of its own (systemd-run),
 * outside the login's scope; otherwise, or when systemd-run refuses (too old for --collect), it is
 * a fully detached process: a session and process group of its own (setsid), no terminal, no file
 * descriptor of the SSH channel (0-2 redirected, 3-9 closed), out of the login's cgroup.
 */
export function armScript(runId: string): string {
  const D = stateDir(runId);
  const R = runDir(runId);
  const closeFds = [3, 4, 5, 6, 7, 8, 9].map((fd) => `${fd}>&-`).join(' ');
  return [
    `mkdir -p ${R} && touch ${R}/armed || exit 1`,
    'started=',
    'if [ -d /run/systemd/system ] && command -v systemd-run > /dev/null 2>&1; then',
    `  systemd-run --quiet --collect --unit=${timerUnit(runId)} --description='Bondsmith rollback timer' /bin/sh -c 'exec sh ${D}/timer.sh > ${D}/timer.log 2>&1 < /dev/null' > /dev/null 2>&1 < /dev/null && started=systemd`,
    'fi',
    `[ -n "$started" ] || setsid nohup sh ${D}/timer.sh detach > ${D}/timer.log 2>&1 < /dev/null ${closeFds} &`,
    'i=0',
    `while [ ! -s ${R}/timer.pid ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done`,
    `pid=$(cat ${R}/timer.pid 2>/dev/null)`,
    'kill -0 "$pid" 2>/dev/null && echo "armed $pid"',
  ].join('\n');
}

/** Reverts now: wins the marker and restores, or waits for the timer that already won it (or finds the box rebooted). */
export function rollbackNowScript(runId: string): string {
  const D = stateDir(runId);
  const R = runDir(runId);
  return [
    // /run is a tmpfs: without the run directory the box restarted inside the window and booted its
    // saved files, which this change never touched (they are written on confirm only).
    `if [ ! -d ${R} ] && [ ! -e ${D}/confirmed ]; then echo "bondsmith: the box restarted and booted its saved configuration"; echo restored; exit 0; fi`,
    `if rm ${R}/armed 2>/dev/null; then`,
    `  kill -s TERM -- "-$(cat ${R}/timer.pid)" 2>/dev/null`,
    `  sh ${D}/restore.sh > ${D}/restore.log 2>&1`,
    `elif [ -e ${D}/confirmed ]; then`,
    '  echo "bondsmith: this change was already confirmed"; exit 6',
    'fi',
    'i=0',
    `while [ ! -e ${D}/restored ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done`,
    `[ -e ${D}/restored ] && echo restored`,
  ].join('\n');
}

export interface FileChange {
  readonly path: string;
  /** What the file must still contain (null = must not exist; undefined = not known, not checked). */
  readonly expected: string | null | undefined;
  /** New content, or null to delete the file. */
  readonly content: string | null;
}

/**
 * Confirm: refuse (exit 5, timer untouched) if a file changed since planning; win the marker (exit 3
 * when the rollback already started); stop the timer; then persist. Prints "confirmed".
 */
export function confirmScript(runId: string, files: readonly FileChange[]): string {
  const D = stateDir(runId);
  const R = runDir(runId);
  const lines: string[] = [];
  for (const f of files) {
    if (f.expected === undefined) continue;
    const changed = `{ echo ${q(`bondsmith: ${f.path} changed since the plan was made`)}; exit 5; }`;
    lines.push(f.expected === null ? `[ ! -e ${q(f.path)} ] || ${changed}` : `printf '%s' ${q(f.expected)} | cmp -s - ${q(f.path)} || ${changed}`);
  }
  lines.push(`rm ${R}/armed 2>/dev/null || { echo "bondsmith: the rollback already started"; exit 3; }`, `touch ${D}/confirmed`, `kill -s TERM -- "-$(cat ${R}/timer.pid)" 2>/dev/null`);
  lines.push('mkdir -p /etc/network/interfaces.d || exit 1');
  files.forEach((f, i) => {
    if (f.content === null) {
      lines.push(`rm -f ${q(f.path)} || exit 1`);
    } else {
      // The temporary file sits outside interfaces.d: `source interfaces.d/*` would read a leftover.
      const tmp = `/etc/network/.bondsmith-${runId}-${i}`;
      lines.push(`printf '%s' ${q(f.content)} > ${tmp} && mv -f ${tmp} ${q(f.path)} || exit 1`);
    }
  });
  lines.push('echo confirmed');
  return lines.join('\n');
}
