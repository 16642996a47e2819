import { quoteForShell as q } from '../../shell/quote';

// NetworkManager's own rollback (reference/peer-tools.md §2.2), called over D-Bus on the box:
// CheckpointCreate(ao devices, u rollback_timeout, u flags) -> o, CheckpointDestroy(o),
// CheckpointRollback(o) -> a{su}. busctl comes with systemd (every systemd distribution has it);
// dbus-send with D-Bus itself (Debian's dbus-bin, RHEL's dbus-tools). Either is used, busctl first;
// python3-dbus or gdbus are not assumed.

const NM = 'org.freedesktop.NetworkManager';
const NM_PATH = '/org/freedesktop/NetworkManager';
export const CHECKPOINT_PATH = /\/org\/freedesktop\/NetworkManager\/Checkpoint\/[0-9]{1,9}/;

/** DELETE_NEW_CONNECTIONS (0x02) | DISCONNECT_NEW_DEVICES (0x04): a rolled-back create leaves nothing behind. */
export const CHECKPOINT_FLAGS = 0x02 | 0x04;

/** Where a run keeps its checkpoint's path and its apply script (tmpfs: gone at reboot, as the checkpoint is). */
export function nmRunDir(runId: string): string {
  return `/run/bondsmith/nm-${runId}`;
}

/** Shell lines that set $out to the reply of one NM call; `busctlArgs` and `dbusSendArgs` are already shell words. */
function call(method: string, busctlSignature: string, busctlArgs: string, dbusSendArgs: string): string {
  return [
    'if command -v busctl >/dev/null 2>&1; then',
    `  out=$(busctl call ${NM} ${NM_PATH} ${NM} ${method} ${busctlSignature} ${busctlArgs} 2>&1); rc=$?`,
    'elif command -v dbus-send >/dev/null 2>&1; then',
    `  out=$(dbus-send --system --print-reply --dest=${NM} ${NM_PATH} ${NM}.${method} ${dbusSendArgs} 2>&1); rc=$?`,
    'else',
    '  echo "bondsmith: neither busctl nor dbus-send is installed, so NetworkManager cannot be asked for a checkpoint"; exit 5',
    'fi',
  ].join('\n');
}

/** Shell lines that set $out to NM's Checkpoints property (the paths of every armed checkpoint). */
function readCheckpoints(): string {
  return [
    'if command -v busctl >/dev/null 2>&1; then',
    `  out=$(busctl get-property ${NM} ${NM_PATH} ${NM} Checkpoints 2>&1)`,
    'else',
    `  out=$(dbus-send --system --print-reply --dest=${NM} ${NM_PATH} org.freedesktop.DBus.Properties.Get string:${NM} string:Checkpoints 2>&1)`,
    'fi',
  ].join('\n');
}

/** Prints NetworkManager's process id (pidof, else a walk over /proc), or nothing. */
const NM_PID = [
  'nm_pid() {',
  '  if command -v pidof >/dev/null 2>&1; then pidof -s NetworkManager; return; fi',
  '  for p in /proc/[0-9]*; do read -r c < "$p/comm" 2>/dev/null && [ "$c" = NetworkManager ] && { echo "${p#/proc/}"; return; }; done',
  '}',
].join('\n');

/** Arms the checkpoint over every device: prints `armed <path>` and keeps the path in the run's directory. */
export function createCheckpointScript(runId: string, timeoutSeconds: number): string {
  const dir = nmRunDir(runId);
  return [
    NM_PID,
    call('CheckpointCreate', 'aouu', `0 ${timeoutSeconds} ${CHECKPOINT_FLAGS}`, `array:objpath: uint32:${timeoutSeconds} uint32:${CHECKPOINT_FLAGS}`),
    'if [ "$rc" != 0 ]; then echo "bondsmith: NetworkManager refused the checkpoint: $out"; exit 6; fi',
    `cp=$(printf '%s\\n' "$out" | grep -o '/org/freedesktop/NetworkManager/Checkpoint/[0-9]*' | head -n 1)`,
    'if [ -z "$cp" ]; then echo "bondsmith: no checkpoint path in NetworkManager\'s answer: $out"; exit 6; fi',
    `printf '%s\\n' "$cp" > ${dir}/checkpoint || exit 1`,
    // Which NetworkManager holds it: a checkpoint lives in NM's memory and dies with NM, unrolled.
    `nm_pid > ${dir}/nm.pid`,
    'echo "armed $cp"',
  ].join('\n');
}

/** Lines that set $cp from the run's directory, or from `checkpoint` when given (a discovered one). */
function checkpointFrom(runId: string | null, checkpoint: string | null): string {
  if (checkpoint !== null) return `cp=${q(checkpoint)}`;
  return `cp=; read -r cp < ${nmRunDir(runId ?? 'none')}/checkpoint 2>/dev/null`;
}

/**
 * Keep: destroy the checkpoint (NM then never rolls back). Prints `confirmed`. A checkpoint that is
 * gone already means NM rolled back on its own: that is a failure, not a success.
 */
export function destroyCheckpointScript(runId: string | null, checkpoint: string | null = null): string {
  return [
    checkpointFrom(runId, checkpoint),
    'if [ -z "$cp" ]; then echo "bondsmith: this change has no checkpoint on the host any more"; exit 7; fi',
    call('CheckpointDestroy', 'o', '"$cp"', 'objpath:"$cp"'),
    'if [ "$rc" != 0 ]; then echo "bondsmith: NetworkManager could not keep the change (its checkpoint $cp is gone: it rolled back): $out"; exit 7; fi',
    ...(runId !== null ? [`rm -rf ${nmRunDir(runId)}`] : []),
    'echo confirmed',
  ].join('\n');
}

/**
 * Lines for a run's rollback when its checkpoint is gone from NM: NetworkManager rolled it back at
 * its timeout (and then forgets it), unless NM itself was restarted inside the window, which drops
 * a checkpoint without rolling back: then the change is still there, and that is said.
 */
function alreadyRolledBack(runId: string): string {
  const dir = nmRunDir(runId);
  return [
    readCheckpoints(),
    'case "$out" in',
    // busctl and dbus-send both print each path in double quotes: /Checkpoint/6 is not /Checkpoint/60.
    '  *\\""$cp"\\"*) ;;',
    '  *)',
    `    was=; read -r was < ${dir}/nm.pid 2>/dev/null`,
    '    if [ -n "$was" ] && [ "$(nm_pid)" != "$was" ]; then echo "bondsmith: NetworkManager was restarted inside the window and lost its checkpoint $cp without rolling back: the change is still on the host"; exit 8; fi',
    `    rm -rf ${dir}`,
    '    echo "bondsmith: NetworkManager rolled back on its own at the checkpoint\'s timeout"; echo restored; exit 0 ;;',
    'esac',
  ].join('\n');
}

/**
 * Revert: roll the checkpoint back now. Prints `restored`. Safe to run after NM's own timeout fired
 * (the app's window ends about when NM's does): a run's checkpoint that NM already rolled back is
 * reported restored. The detached apply script is stopped first, so nothing it still had to do
 * lands after the rollback.
 */
export function rollbackCheckpointScript(runId: string | null, checkpoint: string | null = null): string {
  return [
    NM_PID,
    checkpointFrom(runId, checkpoint),
    'if [ -z "$cp" ]; then echo "bondsmith: this change has no checkpoint on the host any more"; exit 7; fi',
    ...(runId !== null ? [`a=; read -r a < ${nmRunDir(runId)}/apply.pid 2>/dev/null; if [ -n "$a" ]; then kill -s TERM -- "-$a" 2>/dev/null; fi`, alreadyRolledBack(runId)] : []),
    call('CheckpointRollback', 'o', '"$cp"', 'objpath:"$cp"'),
    'if [ "$rc" != 0 ]; then echo "bondsmith: NetworkManager could not roll back $cp: $out"; exit 7; fi',
    ...(runId !== null ? [`rm -rf ${nmRunDir(runId)}`] : []),
    'echo restored',
  ].join('\n');
}

/**
 * Asked while the change waits: prints `armed` while NetworkManager still holds this run's
 * checkpoint, `not-armed` when it does not (the run's directory on tmpfs is gone after a reboot; NM
 * restarted or rolled back). Exits non-zero when NM does not answer (it may still be starting), so
 * that nothing is concluded from silence.
 */
export function checkpointArmedScript(runId: string): string {
  return [
    `cp=; read -r cp 2>/dev/null < ${nmRunDir(runId)}/checkpoint`,
    'if [ -z "$cp" ]; then echo not-armed; exit 0; fi',
    readCheckpoints(),
    // The if/fi's status is the reading's own: NM not (yet) on the bus is no answer, not "not armed".
    'rc=$?; if [ "$rc" != 0 ]; then echo "bondsmith: NetworkManager did not answer: $out"; exit 1; fi',
    'case "$out" in',
    '  *\\""$cp"\\"*) echo armed ;;',
    '  *) echo not-armed ;;',
    'esac',
  ].join('\n');
}

/** Checkpoint paths in a reply of `busctl get-property ... Checkpoints` (or dbus-send's). */
export function parseCheckpoints(text: string): string[] {
  return [...text.matchAll(new RegExp(CHECKPOINT_PATH.source, 'g'))].map((m) => m[0]).slice(0, 16);
}
