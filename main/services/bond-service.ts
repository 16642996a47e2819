import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { ApplyState, ChannelRequest, EligibleMember, FieldError, HostFacts, PlanView, RestorePlanResponse, RestoreSide } from '../../preload/contract';
import { ApplyRun, type ApplyIo, type RemoteShell } from '../apply/apply-run';
import type { HostDriver } from '../drivers/driver';
import { changeRefusal, driverByKind, driverForFacts } from '../drivers/registry';
import { AppFailure } from '../errors';
import { planBondChange, planToShellScript } from '../drivers/plan-change';
import type { Plan, PlanStep } from '../plan/plan-types';
import type { ExecResult } from '../ssh/exec';
import { planRestore } from '../history/restore-plan';
import type { RecordedBond } from '../history/recorded-bond';
import type { AuditLog } from '../store/audit-log';
import type { HostStore } from '../store/host-store';
import type { InflightStore } from '../store/inflight-store';
import type { EventSink } from './event-sink';
import type { HostConnection } from '../ssh/connection';
import type { SessionService } from './session-service';

interface StoredPlan {
  readonly planId: string;
  readonly plan: Plan;
  readonly factsBefore: HostFacts;
  readonly createdAt: number;
  /** The history entry this plan puts back, where it is a restore. */
  readonly restoreOf?: { readonly entryId: string; readonly side: RestoreSide };
}

/** A restore as history asks for it: the entry's bond on one side, to put back on today's host. */
export interface RestoreRequest {
  readonly hostId: string;
  readonly bondName: string;
  readonly entryId: string;
  readonly side: RestoreSide;
  readonly recorded: RecordedBond;
  readonly checkinTimeoutSeconds: number;
}

const PLAN_TTL_MS = 30 * 60_000;
const MAX_PLANS = 200;

/** An id safe for the contract's idSchema. */
const newId = (): string => randomUUID().replace(/-/g, '').slice(0, 20);

/**
 * Bond changes: plans made from the host's latest discovered state, kept here by id (the renderer
 * can only ask to apply a plan main made), applied with confirm-or-rollback, written to the audit log.
 */
export class BondService {
  private readonly plans = new Map<string, StoredPlan>();
  private readonly runs = new Map<string, ApplyRun>();
  /** The plan (and the facts it was made from) of every apply of this app run, by apply id. */
  private readonly applied = new Map<string, StoredPlan>();
  /** The run ids of every change this app run applied: their in-flight records are this process's own. */
  private readonly runIds = new Set<string>();

  constructor(
    private readonly store: HostStore,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly events: EventSink,
    private readonly inflight: InflightStore,
    /** The lab's ports are veth pairs; real hosts' veths are container plumbing and are not offered. */
    private readonly allowVirtualMembers: boolean,
  ) {}

  async eligible(hostId: string, bondName: string | null): Promise<{ members: EligibleMember[] }> {
    const facts = await this.freshFacts(hostId);
    const driver = requireDriver(facts);
    return { members: driver.eligibleMembers(facts, bondName, { allowVirtualMembers: this.allowVirtualMembers }).map((m) => ({ ...m, carriesAddresses: [...m.carriesAddresses] })) };
  }

  /** The member picker's ports on facts just discovered (the fleet preview reads each host once). */
  eligibleOn(facts: HostFacts, bondName: string | null): EligibleMember[] {
    const driver = driverForFacts(facts);
    if (!driver || changeRefusal(facts) !== null) return [];
    return driver.eligibleMembers(facts, bondName, { allowVirtualMembers: this.allowVirtualMembers }).map((m) => ({ ...m, carriesAddresses: [...m.carriesAddresses] }));
  }

  async plan(req: ChannelRequest<'bonds.plan'>): Promise<{ plan: PlanView | null; fieldErrors: FieldError[] }> {
    if (this.hasActiveRun(req.hostId)) throw new AppFailure('APPLY_IN_PROGRESS', 'A change is still being applied to this host; finish it first.');
    const facts = await this.freshFacts(req.hostId);
    const host = this.store.get(req.hostId);
    const driver = requireDriver(facts);
    const extras = await driver.readExtras(this.readyConnection(req.hostId), facts);
    const result = planBondChange({
      hostId: req.hostId,
      facts,
      action: req.action,
      spec: req.spec ?? undefined,
      existingBondName: req.bondName ?? undefined,
      options: {
        checkinTimeoutSeconds: req.checkinTimeoutSeconds,
        allowVirtualMembers: this.allowVirtualMembers,
        sudo: host !== undefined && host.useSudo && host.user !== 'root',
        extras,
        resetNicConfig: req.resetNicConfig ?? [],
        runId: `${req.action}-${newId()}`,
      },
    });
    if (!result.ok) return { plan: null, fieldErrors: result.fieldErrors.map((e) => ({ field: e.field, message: e.message })) };
    return { plan: this.keepPlan(result.plan, facts, driver), fieldErrors: [] };
  }

  /**
   * Put a bond back as a history entry recorded it: planned from the host's facts of now by its
   * driver of now, kept like any plan, so the same preview, apply, verification and Keep/Revert follow.
   */
  async planRestore(req: RestoreRequest): Promise<RestorePlanResponse> {
    if (this.hasActiveRun(req.hostId)) throw new AppFailure('APPLY_IN_PROGRESS', 'A change is still being applied to this host; finish it first.');
    const facts = await this.freshFacts(req.hostId);
    const host = this.store.get(req.hostId);
    const driver = requireDriver(facts);
    const extras = await driver.readExtras(this.readyConnection(req.hostId), facts);
    const result = planRestore({
      hostId: req.hostId,
      bondName: req.bondName,
      side: req.side,
      recorded: req.recorded,
      today: facts,
      options: {
        checkinTimeoutSeconds: req.checkinTimeoutSeconds,
        allowVirtualMembers: this.allowVirtualMembers,
        sudo: host !== undefined && host.useSudo && host.user !== 'root',
        extras,
        runId: `restore-${newId()}`,
      },
    });
    const base = { hostId: req.hostId, bondName: req.bondName, notes: [...result.notes] };
    if (!result.ok) return { ...base, plan: null, refusal: result.refusal, fieldErrors: result.fieldErrors.map((e) => ({ field: e.field, message: e.message })) };
    return { ...base, plan: this.keepPlan(result.plan, facts, driver, { entryId: req.entryId, side: req.side }), refusal: null, fieldErrors: [] };
  }

  private keepPlan(plan: Plan, factsBefore: HostFacts, driver: HostDriver, restoreOf?: StoredPlan['restoreOf']): PlanView {
    this.prunePlans();
    const planId = newId();
    this.plans.set(planId, { planId, plan, factsBefore, createdAt: Date.now(), ...(restoreOf ? { restoreOf } : {}) });
    return toView(planId, plan, driver);
  }

  planScript(planId: string): { script: string; fileName: string } {
    const stored = this.storedPlan(planId);
    return { script: planToShellScript(stored.plan), fileName: `bondsmith-${stored.plan.action}-${stored.plan.bondName}.sh` };
  }

  /** `fleetRunId` ties the change to a fleet rollout in the audit log. */
  apply(planId: string, autoKeep: boolean, fleetRunId?: string): Promise<ApplyState> {
    const stored = this.storedPlan(planId);
    const { plan } = stored;
    if (this.hasActiveRun(plan.hostId)) throw new AppFailure('APPLY_IN_PROGRESS', 'A change is already being applied to this host.');
    const connection = this.readyConnection(plan.hostId);
    const driver = driverByKind(plan.driver);
    if (!driver) throw new AppFailure('NO_DRIVER', `This Bondsmith has no driver "${plan.driver}" for that plan.`);
    this.plans.delete(planId);
    const applyId = newId();
    const startedAt = new Date().toISOString();
    this.runIds.add(plan.runId);
    const readFailure = driver.readStepFailure ? (step: PlanStep, result: ExecResult) => driver.readStepFailure?.(step, result, plan.action) ?? null : null;
    const record = (deadline: string | null) => ({ hostId: plan.hostId, applyId, plan, deadline, stateBefore: stored.factsBefore, startedAt, ...(fleetRunId === undefined ? {} : { fleetRunId }) });
    let saveFailed = false;
    const save = (deadline: string | null): Promise<void> =>
      this.inflight.save(record(deadline)).catch((err: unknown) => {
        if (saveFailed) return;
        saveFailed = true;
        this.reportProblem(plan.hostId, `The plan of this change could not be kept on disk (${reason(err)}); if Bondsmith stops before the change ends, it will not be recorded, Keep will not be possible, and the box rolls back on its own.`);
      });
    // On disk before anything runs on the box: an app that dies at any point of the change leaves it
    // for the next connect to record (RecoveryService). Saved again with the deadline while the box
    // waits, so that Keep still works after an app restart.
    let recorded = save(null);
    let countdownSaved = false;
    const run = new ApplyRun(plan, { applyId, planId }, ioFor(connection), (verify, stdout) => driver.verify(verify, stdout), autoKeep, (state) => {
      this.events.emit('apply.state', state);
      if (state.phase === 'awaiting-confirmation' && !countdownSaved) {
        countdownSaved = true;
        recorded = recorded.then(() => save(state.deadline));
      }
      if (state.phase === 'finished') void recorded.then(() => this.finished(stored, state, run, fleetRunId, startedAt));
    }, readFailure);
    this.runs.set(applyId, run);
    this.applied.set(applyId, stored);
    void recorded.then(() => run.start());
    return Promise.resolve(run.snapshot());
  }

  async keep(applyId: string): Promise<ApplyState> {
    const run = this.run(applyId);
    await run.keep();
    return run.snapshot();
  }

  async revert(applyId: string): Promise<ApplyState> {
    const run = this.run(applyId);
    await run.revert();
    return run.snapshot();
  }

  /**
   * A new plan that takes back what a finished apply left on the box: delete what it created,
   * recreate what it deleted, or put an updated bond back as it was. It goes through the same
   * safe apply as any change (used when the box kept a change without confirmation).
   */
  async planUndo(applyId: string, checkinTimeoutSeconds: number): Promise<{ plan: PlanView | null; fieldErrors: FieldError[] }> {
    const run = this.run(applyId);
    const stored = this.applied.get(applyId);
    if (!stored || run.snapshot().result === null) throw new AppFailure('APPLY_IN_PROGRESS', 'That change is still running; Keep or Revert it instead.');
    const { plan, factsBefore } = stored;
    if (plan.action === 'create') return this.plan({ hostId: plan.hostId, action: 'delete', spec: null, bondName: plan.bondName, checkinTimeoutSeconds });
    const driver = driverByKind(plan.driver);
    const before = driver?.specOf(factsBefore, plan.bondName) ?? null;
    if (before === null) throw new AppFailure('NOT_FOUND', `Bondsmith cannot tell how ${plan.bondName} was before this change, so it cannot plan taking it back.`);
    return this.plan({ hostId: plan.hostId, action: plan.action === 'delete' ? 'create' : 'update', spec: before, bondName: plan.action === 'delete' ? null : plan.bondName, checkinTimeoutSeconds });
  }

  /** Did this app run apply the change with that run id (then it sees it end and records it)? */
  appliedHere(runId: string): boolean {
    return this.runIds.has(runId);
  }

  /** Every apply of this app run; changes waiting on a box are in each host's discovery view. */
  applies(): { applies: ApplyState[] } {
    return { applies: [...this.runs.values()].map((r) => r.snapshot()) };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.dispose()));
  }

  private async finished(stored: StoredPlan, state: ApplyState, run: ApplyRun, fleetRunId: string | undefined, startedAt: string): Promise<void> {
    await run.dispose();
    await this.inflight.remove(stored.plan.runId).catch((err: unknown) => {
      this.reportProblem(stored.plan.hostId, `The finished change's saved plan could not be removed from disk (${reason(err)}).`);
    });
    const host = this.store.get(stored.plan.hostId);
    const refreshed = await this.sessions.refresh(stored.plan.hostId).catch(() => null);
    // A failed discovery hands back the previous facts: those are the state before, not after.
    const after = refreshed && refreshed.error === null ? refreshed : null;
    await this.audit
      .append({
        time: new Date().toISOString(),
        hostId: stored.plan.hostId,
        hostLabel: host?.label ?? stored.plan.hostId,
        address: host ? `${host.address}:${host.port}` : '',
        localUser: safeLocalUser(),
        remoteUser: host?.user ?? '',
        action: stored.plan.action,
        bondName: stored.plan.bondName,
        result: state.result ?? 'failed',
        message: state.message,
        plan: stored.plan,
        stateBefore: stored.factsBefore,
        stateAfter: after?.facts ?? null,
        steps: state.steps,
        startedAt,
        checks: state.checks,
        ...(fleetRunId === undefined ? {} : { runId: fleetRunId }),
        ...(stored.restoreOf ? { restoreOf: stored.restoreOf } : {}),
      })
      .catch((err: unknown) => {
        // The change itself is done (kept or rolled back on the box); the record of it is what failed.
        this.reportProblem(stored.plan.hostId, `This change was not written to the audit log (${reason(err)}).`);
      });
  }

  /** A problem of Bondsmith's own files during an apply: the user sees it with the apply's outcome. */
  private reportProblem(hostId: string, message: string): void {
    this.events.emit('app.problem', { hostId, message });
  }

  /** A plan this service made, while it is fresh (older plans were made from facts that may be stale). */
  private storedPlan(planId: string): StoredPlan {
    const stored = this.plans.get(planId);
    if (!stored || Date.now() - stored.createdAt > PLAN_TTL_MS) {
      this.plans.delete(planId);
      throw new AppFailure('PLAN_EXPIRED', 'That plan is no longer available; save the editor again to make a new one.');
    }
    return stored;
  }

  private run(applyId: string): ApplyRun {
    const run = this.runs.get(applyId);
    if (!run) throw new AppFailure('NOT_FOUND', 'That apply is not known (was the app restarted?).');
    return run;
  }

  private hasActiveRun(hostId: string): boolean {
    return [...this.runs.values()].some((r) => r.snapshot().hostId === hostId && r.snapshot().result === null);
  }

  private readyConnection(hostId: string): HostConnection {
    const connection = this.sessions.connection(hostId);
    if (!connection || connection.snapshot().state !== 'ready') throw new AppFailure('NOT_CONNECTED', 'Connect to the host first.');
    return connection;
  }

  private async freshFacts(hostId: string): Promise<HostFacts> {
    this.readyConnection(hostId);
    const result = await this.sessions.refresh(hostId);
    // Never plan from the facts of an earlier discovery: the box may have changed since.
    if (result.error || !result.facts) {
      throw new AppFailure(result.error?.code ?? 'DISCOVERY_FAILED', `Bondsmith could not read the host's current state, so it makes no plan: ${result.error?.message ?? 'discovery found nothing'}`);
    }
    return result.facts;
  }

  private prunePlans(): void {
    const now = Date.now();
    for (const [id, p] of this.plans) if (now - p.createdAt > PLAN_TTL_MS) this.plans.delete(id);
    while (this.plans.size >= MAX_PLANS) {
      const oldest = this.plans.keys().next().value;
      if (oldest === undefined) break;
      this.plans.delete(oldest);
    }
  }
}

function requireDriver(facts: HostFacts): HostDriver {
  const refusal = changeRefusal(facts);
  const driver = driverForFacts(facts);
  if (refusal !== null || !driver) throw new AppFailure('NO_DRIVER', refusal ?? 'Bondsmith cannot change this host.');
  return driver;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}

function toView(planId: string, plan: Plan, driver: HostDriver): PlanView {
  return {
    planId,
    hostId: plan.hostId,
    driver: plan.driver,
    driverLabel: driver.label,
    action: plan.action,
    bondName: plan.bondName,
    steps: plan.steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, command: s.command, detail: s.detail, phase: s.phase })),
    impact: {
      addressesRemoved: [...plan.impact.addressesRemoved],
      managementAffected: plan.impact.managementAffected,
      managementMigration: plan.impact.managementMigration,
      gatewayAtRisk: plan.impact.gatewayAtRisk,
      membersReconfigured: [...plan.impact.membersReconfigured],
      nameserversKept: [...(plan.impact.nameserversKept ?? [])],
      nicsReset: [...(plan.impact.nicsReset ?? [])],
    },
    warnings: [...plan.warnings],
    checkinTimeoutSeconds: plan.checkinTimeoutSeconds,
  };
}

function ioFor(connection: HostConnection): ApplyIo {
  const shell = (c: HostConnection, owned: boolean): RemoteShell => ({
    exec: (command, options) => c.exec(command, options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    close: () => (owned ? c.close() : Promise.resolve()),
  });
  return {
    current: shell(connection, false),
    openFresh: async (address) => {
      const fresh = await connection.openFresh(address === null ? {} : { address });
      return shell(fresh, true);
    },
    pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

function safeLocalUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
