import { randomUUID } from 'node:crypto';
import type { ApplyState, BondSpec, ChannelRequest, ChannelResponse, ConnectionState, FleetHostPreview, FleetRun } from '../../preload/contract';
import { AppFailure, toAppError } from '../errors';
import type { BondService } from './bond-service';
import type { EventHub } from './event-sink';
import type { SessionService } from './session-service';
import type { FleetRunStore } from '../store/fleet-run-store';
import type { HostStore } from '../store/host-store';
import { abort, hostsToStart, interrupted, isRunOpen, newRun, pause, resume, updateHost, type HostUpdate } from '../fleet/rollout-machine';
import { checkTarget } from '../fleet/target-check';

// Fleet rollouts: one bond spec to several hosts, the canary first. Each host goes through the very
// safe apply a change on one host uses (BondService.plan + apply, keep and revert by its apply id),
// so each box carries its own armed rollback and a run cut short leaves every box confirmed or
// restored. The rules of who starts when are rollout-machine.ts's; this class does the I/O.

/** How long a target may take to answer before it is reported unreachable. */
const CONNECT_TIMEOUT_MS = 20_000;

export class RolloutService {
  private readonly runs = new Map<string, FleetRun>();
  private readonly writes = new Map<string, Promise<void>>();
  private loaded: Promise<number> | null = null;
  private disposed = false;

  constructor(
    private readonly store: HostStore,
    private readonly sessions: SessionService,
    private readonly bonds: BondService,
    private readonly events: EventHub,
    private readonly runStore: FleetRunStore,
  ) {}

  /** Each target checked and planned, all at once (one slow or unreachable host holds up none). */
  async preview(req: ChannelRequest<'fleet.preview'>): Promise<ChannelResponse<'fleet.preview'>> {
    const spec = req.spec;
    const hosts = await Promise.all(req.targets.map((t) => this.previewHost(spec, t.hostId, t.members ?? spec.members, req.checkinTimeoutSeconds)));
    return { hosts };
  }

  async start(req: ChannelRequest<'fleet.start'>): Promise<FleetRun> {
    await this.load();
    const open = [...this.runs.values()].find(isRunOpen);
    if (open) throw new AppFailure('ROLLOUT_IN_PROGRESS', 'Another rollout is still going; let it finish or abort it first.');
    await this.store.load();
    const hosts = req.targets.map((t) => {
      const host = this.store.get(t.hostId);
      if (!host) throw new AppFailure('NOT_FOUND', 'A target host is no longer in the list.', 'targets');
      return { hostId: t.hostId, label: host.label, members: t.members ?? req.spec.members };
    });
    const run = newRun({
      runId: `run-${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      now: new Date().toISOString(),
      spec: req.spec,
      checkinTimeoutSeconds: req.checkinTimeoutSeconds,
      canaryHostId: req.canaryHostId,
      parallelism: req.parallelism,
      autoKeep: req.autoKeep,
      hosts,
    });
    this.put(run, true);
    this.pump(run.runId);
    return this.get(run.runId);
  }

  pause(runId: string): Promise<FleetRun> {
    return this.change(runId, (r) => pause(r));
  }

  async resume(runId: string): Promise<FleetRun> {
    const run = await this.change(runId, (r) => resume(r));
    this.pump(runId);
    return this.get(run.runId);
  }

  abort(runId: string): Promise<FleetRun> {
    return this.change(runId, (r) => abort(r, new Date().toISOString()));
  }

  async list(): Promise<ChannelResponse<'fleet.runs'>> {
    const unreadable = await this.load();
    return { runs: [...this.runs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)), unreadable };
  }

  /** No host starts after this; the runs as they stand are on disk (read back as interrupted). */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.writes.values()]);
  }

  /** Runs of an earlier app run: one that was still going is marked where it stopped. */
  private load(): Promise<number> {
    this.loaded ??= this.runStore.list().then(({ runs, unreadable }) => {
      const now = new Date().toISOString();
      for (const run of runs) {
        const marked = interrupted(run, now);
        this.runs.set(run.runId, marked);
        if (marked !== run) this.persist(marked);
      }
      return unreadable;
    });
    return this.loaded;
  }

  private async change(runId: string, how: (run: FleetRun) => FleetRun): Promise<FleetRun> {
    await this.load();
    const run = this.get(runId);
    const next = how(run);
    if (next !== run) this.put(next, true);
    return next;
  }

  private get(runId: string): FleetRun {
    const run = this.runs.get(runId);
    if (!run) throw new AppFailure('NOT_FOUND', 'That rollout is not known.');
    return run;
  }

  private put(run: FleetRun, save: boolean): void {
    if (this.disposed) return;
    this.runs.set(run.runId, run);
    this.events.emit('fleet.run', run);
    if (save) this.persist(run);
  }

  /** Writes one run's file after the previous write of it (the newest state lands last). */
  private persist(run: FleetRun): void {
    const previous = this.writes.get(run.runId) ?? Promise.resolve();
    const write = previous.then(() =>
      this.runStore.save(run).catch((err: unknown) => {
        this.events.emit('app.problem', { hostId: null, message: `The rollout's record could not be written to disk (${toAppError(err).message}); after a restart it may not show where it stopped.` });
      }),
    );
    this.writes.set(run.runId, write);
  }

  private update(runId: string, hostId: string, update: HostUpdate): void {
    if (this.disposed) return;
    const run = this.runs.get(runId);
    if (!run) return;
    const next = updateHost(run, hostId, update, new Date().toISOString());
    if (next === run) return;
    const before = run.hosts.find((h) => h.hostId === hostId);
    const after = next.hosts.find((h) => h.hostId === hostId);
    // Every state change is written; a new message alone only goes to the screen.
    const significant = next.status !== run.status || before?.state !== after?.state || before?.applyId !== after?.applyId || before?.deadline !== after?.deadline;
    this.put(next, significant);
  }

  private pump(runId: string): void {
    if (this.disposed) return;
    const run = this.runs.get(runId);
    if (!run) return;
    for (const hostId of hostsToStart(run)) {
      this.update(runId, hostId, { state: 'planning', reason: 'Reading the host and planning the change…' });
      void this.runHost(runId, hostId).finally(() => this.pump(runId));
    }
  }

  private async runHost(runId: string, hostId: string): Promise<void> {
    const run = this.get(runId);
    const host = run.hosts.find((h) => h.hostId === hostId);
    if (!host) return;
    const spec = { ...(run.spec), members: [...host.members] };
    let off: (() => void) | null = null;
    try {
      const unreachable = await this.ensureReady(hostId);
      if (unreachable !== null) return this.update(runId, hostId, { state: 'failed', reason: `Could not reach the host: ${unreachable}` });
      const result = await this.sessions.refresh(hostId);
      if (result.error) return this.update(runId, hostId, { state: 'failed', reason: `Could not read the host: ${result.error.message}` });
      const check = checkTarget(spec, spec.members, result.facts, result.view, result.facts ? this.bonds.eligibleOn(result.facts, spec.name) : []);
      if (check.problem !== null || check.action === null) return this.update(runId, hostId, { state: 'failed', reason: check.problem ?? 'No plan.' });
      const planned = await this.bonds.plan({ hostId, action: check.action, spec, bondName: check.action === 'update' ? spec.name : null, checkinTimeoutSeconds: run.checkinTimeoutSeconds });
      if (!planned.plan) return this.update(runId, hostId, { state: 'failed', reason: `The host refused the plan: ${planned.fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ')}` });
      const planId = planned.plan.planId;
      const autoKeep = hostId === run.canaryHostId ? run.autoKeep.canary : run.autoKeep.rest;
      // Listen before applying: the apply's first states may go out before apply() returns.
      const finished = new Promise<void>((resolve) => {
        off = this.events.subscribe((event, payload) => {
          if (event !== 'apply.state') return;
          const state = payload as ApplyState;
          if (state.planId !== planId) return;
          this.update(runId, hostId, fromApply(state, autoKeep));
          if (state.phase === 'finished') resolve();
        });
      });
      const started = await this.bonds.apply(planId, autoKeep, runId);
      this.update(runId, hostId, { state: 'applying', applyId: started.applyId, reason: 'Applying with a rollback armed on the box…' });
      await finished;
    } catch (err) {
      this.update(runId, hostId, { state: 'failed', reason: toAppError(err).message });
    } finally {
      (off as (() => void) | null)?.();
    }
  }

  private async previewHost(spec: BondSpec, hostId: string, members: readonly string[], checkinTimeoutSeconds: number): Promise<FleetHostPreview> {
    const label = this.store.get(hostId)?.label ?? hostId;
    const out: FleetHostPreview = { hostId, label, driverLabel: null, members: [...members], action: null, problem: null, plan: null, fieldErrors: [], ports: [] };
    try {
      await this.store.load();
      if (!this.store.get(hostId)) return { ...out, problem: 'This host is no longer in the list.' };
      const unreachable = await this.ensureReady(hostId);
      if (unreachable !== null) return { ...out, problem: `Could not reach the host: ${unreachable}` };
      const result = await this.sessions.refresh(hostId);
      if (result.error || !result.facts) return { ...out, problem: `Could not read the host: ${result.error?.message ?? 'discovery found nothing'}` };
      const hasBond = result.facts.bonds.some((b) => b.name === spec.name);
      const ports = this.bonds.eligibleOn(result.facts, hasBond ? spec.name : null);
      const mapped = { ...spec, members: [...members] };
      const check = checkTarget(mapped, members, result.facts, result.view, ports);
      const known = { ...out, driverLabel: result.view?.driver?.label ?? null, action: check.action, ports: ports.slice(0, 512) };
      if (check.problem !== null || check.action === null) return { ...known, problem: check.problem ?? 'No plan.' };
      const planned = await this.bonds.plan({ hostId, action: check.action, spec: mapped, bondName: check.action === 'update' ? spec.name : null, checkinTimeoutSeconds });
      if (!planned.plan) return { ...known, fieldErrors: planned.fieldErrors, problem: `The plan is refused here: ${planned.fieldErrors.map((e) => e.message).join('; ')}` };
      return { ...known, plan: planned.plan };
    } catch (err) {
      return { ...out, problem: toAppError(err).message };
    }
  }

  /** Null once the host's session is ready; else why it is not, after at most CONNECT_TIMEOUT_MS. */
  private ensureReady(hostId: string): Promise<string | null> {
    const now = this.sessions.states().find((s) => s.hostId === hostId);
    if (now?.state === 'ready') return Promise.resolve(null);
    if (now?.state === 'awaiting-trust') return Promise.resolve(trustText(now));
    return new Promise((resolve) => {
      let done = false;
      const finish = (why: string | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        resolve(why);
      };
      const judge = (s: ConnectionState): void => {
        if (s.state === 'ready') finish(null);
        else if (s.state === 'failed') finish(s.reason?.message ?? 'the connection failed');
        else if (s.state === 'awaiting-trust') finish(trustText(s));
      };
      const timer = setTimeout(() => finish(`it did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`), CONNECT_TIMEOUT_MS);
      const off = this.events.subscribe((event, payload) => {
        if (event === 'session.state' && (payload as ConnectionState).hostId === hostId) judge(payload as ConnectionState);
      });
      this.sessions.connect(hostId).then(judge, (err: unknown) => finish(toAppError(err).message));
    });
  }
}

function trustText(s: ConnectionState): string {
  return s.hostKey?.knownFingerprint ? 'its host key changed; Bondsmith refuses it' : 'its host key waits for your decision; open the host and confirm it first';
}

/** A host's state in the run from its apply's state. */
function fromApply(state: ApplyState, autoKeep: boolean): HostUpdate {
  switch (state.phase) {
    case 'applying':
    case 'verifying':
      return { state: 'applying', applyId: state.applyId, reason: 'Applying with a rollback armed on the box…' };
    case 'awaiting-confirmation':
    case 'confirming':
      return { state: 'countdown', applyId: state.applyId, deadline: state.deadline, reason: autoKeep ? state.message : `${state.message} Press Keep to confirm it; until then the box rolls back on its own at the deadline.` };
    case 'reverting':
      return { state: 'applying', applyId: state.applyId, reason: state.message };
    case 'finished':
      switch (state.result) {
        case 'confirmed':
        case 'kept-unconfirmed':
          return { state: 'kept', applyId: state.applyId, reason: state.message };
        case 'rolled-back':
        case 'reverted':
          return { state: 'rolled-back', applyId: state.applyId, reason: state.message };
        case 'failed':
        case null:
          return { state: 'failed', applyId: state.applyId, reason: state.message };
      }
  }
}
