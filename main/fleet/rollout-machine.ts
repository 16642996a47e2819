import type { FleetHostState, FleetRun, FleetRunHost } from '../../preload/contract';

// The rollout's rules as pure functions over the run's record (no I/O, no clock of its own):
// which hosts may start now, what a host's new state does to the run, and what Pause, Resume,
// Abort and an app restart mean. The service (rollout-service.ts) does the applying and calls these.

/** A host doing its change: planning, applying or counting down to its box's own rollback. */
export const ACTIVE_STATES: readonly FleetHostState[] = ['planning', 'applying', 'countdown'];
const ENDED_STATES: readonly FleetHostState[] = ['kept', 'rolled-back', 'failed', 'skipped', 'interrupted'];

export const isActive = (h: FleetRunHost): boolean => ACTIVE_STATES.includes(h.state);
export const hasEnded = (h: FleetRunHost): boolean => ENDED_STATES.includes(h.state);

export interface NewRunInput {
  readonly runId: string;
  readonly now: string;
  readonly spec: FleetRun['spec'];
  readonly checkinTimeoutSeconds: number;
  readonly canaryHostId: string;
  readonly parallelism: number;
  readonly autoKeep: FleetRun['autoKeep'];
  /** In the order the user gave; the canary goes first whatever its place. */
  readonly hosts: readonly { readonly hostId: string; readonly label: string; readonly members: readonly string[] }[];
}

export function newRun(input: NewRunInput): FleetRun {
  const canary = input.hosts.filter((h) => h.hostId === input.canaryHostId);
  const rest = input.hosts.filter((h) => h.hostId !== input.canaryHostId);
  const hosts = [...canary, ...rest].map(
    (h): FleetRunHost => ({ hostId: h.hostId, label: h.label, members: [...h.members], state: 'waiting', reason: '', applyId: null, deadline: null, startedAt: null, endedAt: null }),
  );
  return {
    runId: input.runId,
    createdAt: input.now,
    spec: input.spec,
    checkinTimeoutSeconds: input.checkinTimeoutSeconds,
    canaryHostId: input.canaryHostId,
    parallelism: input.parallelism,
    autoKeep: { ...input.autoKeep },
    status: 'running',
    statusText: `Canary ${canary[0]?.label ?? '?'} first.`,
    hosts,
  };
}

/**
 * The hosts to start now, in order: none unless the run is running; the canary alone until it is
 * kept; then waiting hosts up to the parallelism, counting those still active.
 */
export function hostsToStart(run: FleetRun): string[] {
  if (run.status !== 'running') return [];
  const canary = run.hosts.find((h) => h.hostId === run.canaryHostId);
  if (!canary) return [];
  if (canary.state === 'waiting') return [canary.hostId];
  if (canary.state !== 'kept') return [];
  const free = run.parallelism - run.hosts.filter(isActive).length;
  if (free <= 0) return [];
  return run.hosts
    .filter((h) => h.state === 'waiting')
    .slice(0, free)
    .map((h) => h.hostId);
}

export interface HostUpdate {
  readonly state: FleetHostState;
  readonly reason?: string;
  readonly applyId?: string | null;
  readonly deadline?: string | null;
}

/** A host's new state, and what it does to the run: a failure or rollback stops it, the last end finishes it. */
export function updateHost(run: FleetRun, hostId: string, update: HostUpdate, now: string): FleetRun {
  const before = run.hosts.find((h) => h.hostId === hostId);
  // An ended host never changes again (a late event of its apply must not revive it).
  if (!before || hasEnded(before)) return run;
  const host: FleetRunHost = {
    ...before,
    state: update.state,
    reason: update.reason ?? before.reason,
    applyId: update.applyId === undefined ? before.applyId : update.applyId,
    deadline: update.state === 'countdown' ? (update.deadline ?? before.deadline) : null,
    startedAt: before.startedAt ?? (update.state === 'waiting' ? null : now),
    endedAt: ENDED_STATES.includes(update.state) ? now : null,
  };
  let next: FleetRun = { ...run, hosts: run.hosts.map((h) => (h.hostId === hostId ? host : h)) };
  if ((host.state === 'failed' || host.state === 'rolled-back') && (next.status === 'running' || next.status === 'paused')) {
    const what = host.state === 'failed' ? 'failed' : 'rolled back';
    const isCanary = host.hostId === run.canaryHostId;
    next = skipWaiting({ ...next, status: 'stopped', statusText: `Stopped: ${isCanary ? 'the canary ' : ''}${host.label} ${what}. The hosts after it were not touched.` }, `Not started: the run stopped when ${host.label} ${what}.`, now);
  } else if (host.state === 'kept' && host.hostId === run.canaryHostId && next.status === 'running') {
    next = { ...next, statusText: `Canary ${host.label} kept; the rest follow, ${run.parallelism} at a time.` };
  }
  return settle(next);
}

/** No host starts after the ones active now; they finish their own safe apply. */
export function pause(run: FleetRun): FleetRun {
  if (run.status !== 'running') return run;
  return { ...run, status: 'paused', statusText: 'Paused: no further host starts until you resume. A host already applying finishes its own change.' };
}

export function resume(run: FleetRun): FleetRun {
  if (run.status !== 'paused') return run;
  return settle({ ...run, status: 'running', statusText: 'Resumed.' });
}

/** Hosts not yet started are skipped; those active finish their own safe apply (keep or revert them by hand). */
export function abort(run: FleetRun, now: string): FleetRun {
  if (run.status !== 'running' && run.status !== 'paused') return run;
  const active = run.hosts.filter(isActive).length;
  const statusText = active > 0 ? `Aborted: no further host starts; ${hostCount(active)} still finishing ${active === 1 ? 'its' : 'their'} change.` : 'Aborted: no further host starts.';
  return skipWaiting({ ...run, status: 'aborted', statusText }, 'Not started: the run was aborted.', now);
}

/**
 * The app stopped while the run went on (read back after a restart): a host that was active is
 * marked interrupted (its box kept or rolled back the change on its own; its host screen says
 * which), and the run shows where it stopped. Hosts not started stay waiting and untouched.
 */
export function interrupted(run: FleetRun, now: string): FleetRun {
  if (!isRunOpen(run)) return run;
  const hosts = run.hosts.map((h): FleetRunHost => {
    if (!isActive(h)) return h;
    const was = h.state === 'countdown' ? 'counting down to its rollback' : h.state;
    return { ...h, state: 'interrupted', reason: `Bondsmith closed while this host was ${was}. Its box kept the change only if it was confirmed; otherwise it rolled back on its own. The host's screen shows what it runs now.`, deadline: null, endedAt: now };
  });
  const at = run.hosts.filter(isActive).map((h) => h.label);
  const statusText = `Interrupted: Bondsmith closed during the run${at.length > 0 ? ` while ${at.join(', ')} ${at.length === 1 ? 'was' : 'were'} changing` : ''}. ${notStarted(hosts.filter((h) => h.state === 'waiting').length)}`;
  return { ...run, status: 'interrupted', statusText, hosts };
}

function hostCount(n: number): string {
  return `${n} host${n === 1 ? '' : 's'}`;
}

function notStarted(n: number): string {
  return n === 0 ? 'No host was left waiting.' : `${hostCount(n)} ${n === 1 ? 'was' : 'were'} not started.`;
}

function skipWaiting(run: FleetRun, reason: string, now: string): FleetRun {
  return { ...run, hosts: run.hosts.map((h) => (h.state === 'waiting' ? { ...h, state: 'skipped', reason, endedAt: now } : h)) };
}

/** A running run with nothing waiting or active is finished. */
function settle(run: FleetRun): FleetRun {
  if (run.status !== 'running' || run.hosts.some((h) => h.state === 'waiting' || isActive(h))) return run;
  const kept = run.hosts.filter((h) => h.state === 'kept').length;
  return { ...run, status: 'finished', statusText: `Finished: ${kept} of ${hostCount(run.hosts.length)} kept the change.` };
}

export function isRunOpen(run: FleetRun): boolean {
  return run.status === 'running' || run.status === 'paused' || run.hosts.some(isActive);
}
