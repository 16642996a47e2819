import { userInfo } from 'node:os';
import type { AuditEntry, AuditResult, DiscoveryResult, HostFacts, PendingOnBox } from '../../preload/contract';
import { recoveredOutcome } from '../apply/recovered-outcome';
import type { AuditLog } from '../store/audit-log';
import type { HostStore } from '../store/host-store';
import type { InflightRecord, InflightStore } from '../store/inflight-store';
import type { EventHub } from './event-sink';

// No change goes unrecorded (issue 13). A change is written to the audit log by the app that
// applied it when it sees it end; when that app was gone first (killed, crashed, closed inside the
// window), its in-flight record is all that is left. On every discovery of a host this service
// looks for such records, reads the outcome from the box (recovered-outcome.ts), writes one audit
// entry with the saved plan and the states before and after, tells the user once
// ('change.recovered'), and retires the record. A change the box still holds armed stays with the
// Keep/Revert banner; PendingService records it when the user chooses (recordResolution).

export class RecoveryService {
  /** Run ids being recorded (or resolved through PendingService) right now: one writer per change. */
  private readonly busy = new Set<string>();
  /** Recorded by this process: never twice, even where the record could not be removed. */
  private readonly recorded = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly store: HostStore,
    private readonly inflight: InflightStore,
    private readonly audit: AuditLog,
    private readonly events: EventHub,
    /** Changes this app run applied itself: it records them when it sees them end. */
    private readonly appliedHere: (runId: string) => boolean,
  ) {}

  /** Reconcile on every discovery result; returns the unsubscribe. */
  start(): () => void {
    return this.events.subscribe((event, payload) => {
      // Every failure of its own is said as app.problem; nothing is left to throw.
      if (event === 'discovery.result') void this.reconcile(payload as DiscoveryResult).catch(() => undefined);
    });
  }

  /**
   * Records the changes of this host whose app was gone before they ended and the box no longer
   * holds armed. One host's discoveries are judged one after the other, each on what it found.
   */
  reconcile(result: DiscoveryResult): Promise<void> {
    return this.inTurn(result.hostId, () => this.reconcileNow(result));
  }

  /** Runs `job` after every earlier job of this host. */
  private inTurn<T>(hostId: string, job: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(hostId) ?? Promise.resolve()).then(job);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(hostId, tail);
    void tail.then(() => {
      if (this.queues.get(hostId) === tail) this.queues.delete(hostId);
    });
    return next;
  }

  private async reconcileNow(result: DiscoveryResult): Promise<void> {
    // Only what the box says now: a failed discovery hands back earlier facts.
    if (result.error !== null || result.facts === null || result.view === null || result.view.driver === null) return;
    const { facts, view } = result;
    for (const record of await this.claim(result.hostId, () => true)) {
      try {
        const bond = view.bonds.find((b) => b.name === record.plan.bondName);
        const outcome = recoveredOutcome({ ...record.plan, reachedCountdown: record.deadline !== null }, { pending: view.pending, bond: bond ? { spec: bond.spec } : null });
        if (outcome.kind === 'still-pending') continue;
        if (!(await this.write(record, { result: outcome.kind, message: outcome.message, recordedBy: 'recovered' }, facts))) continue;
        this.events.emit('change.recovered', {
          hostId: record.hostId,
          action: record.plan.action,
          bondName: record.plan.bondName,
          result: outcome.kind,
          message: outcome.message,
          startedAt: record.startedAt ?? null,
        });
      } finally {
        this.busy.delete(record.plan.runId);
      }
    }
  }

  /**
   * Keep or Revert of a change found waiting on the box (PendingService): the records it stands for
   * are held while `resolve` runs (so no discovery meanwhile takes the change for one the box kept
   * or rolled back on its own), then written with the user's decision.
   */
  async recordResolution(hostId: string, pending: PendingOnBox, decision: 'keep' | 'revert', resolve: () => Promise<DiscoveryResult>): Promise<DiscoveryResult> {
    // In turn: a discovery judged just before (the pending change still armed) lets go of the records first.
    const records = await this.inTurn(hostId, () => this.claim(hostId, (runId) => pending.runId === null || pending.runId === runId));
    try {
      const after = await resolve();
      const facts = after.error === null ? after.facts : null;
      const message =
        decision === 'keep'
          ? 'Kept from the pending change found on the box: the app that applied it was gone before anyone chose.'
          : 'Reverted from the pending change found on the box: the app that applied it was gone before anyone chose.';
      for (const record of records) await this.write(record, { result: decision === 'keep' ? 'confirmed' : 'reverted', message, recordedBy: 'pending-resolved' }, facts);
      return after;
    } finally {
      for (const record of records) this.busy.delete(record.plan.runId);
    }
  }

  /**
   * This host's in-flight records that no one else is handling, marked busy. A record that is not
   * one Bondsmith wrote was moved aside by the store: said once, never run, never recorded.
   */
  private async claim(hostId: string, wanted: (runId: string) => boolean): Promise<InflightRecord[]> {
    const runIds = (await this.inflight.list()).filter((id) => wanted(id) && !this.appliedHere(id) && !this.busy.has(id) && !this.recorded.has(id));
    for (const id of runIds) this.busy.add(id);
    const mine: InflightRecord[] = [];
    for (const runId of runIds) {
      const saved = await this.inflight.get(runId).catch(() => null);
      if (saved?.kind === 'found' && saved.record.hostId === hostId && saved.record.plan.hostId === hostId) {
        mine.push(saved.record);
        continue;
      }
      this.busy.delete(runId);
      if (saved?.kind === 'refused') {
        this.events.emit('app.problem', {
          hostId,
          message: `A saved plan of an unfinished change (${runId}) was not read because ${saved.reason}; ${saved.keptAs ? `it was kept aside as ${saved.keptAs}` : 'it could not be moved aside'}. If that change was made on this host, its outcome is not in the audit log.`,
        });
      }
    }
    return mine;
  }

  /** One audit entry, then the record retired; false (and said) when the entry could not be written. */
  private async write(record: InflightRecord, outcome: { result: AuditResult; message: string; recordedBy: NonNullable<AuditEntry['recordedBy']> }, after: HostFacts | null): Promise<boolean> {
    const host = this.store.get(record.hostId);
    try {
      await this.audit.append({
        time: new Date().toISOString(),
        hostId: record.hostId,
        hostLabel: host?.label ?? record.hostId,
        address: host ? `${host.address}:${host.port}` : '',
        localUser: localUser(),
        remoteUser: host?.user ?? '',
        action: record.plan.action,
        bondName: record.plan.bondName,
        result: outcome.result,
        message: outcome.message,
        plan: record.plan,
        stateBefore: record.stateBefore ?? null,
        stateAfter: after,
        // Which steps ran is not known: the app that ran them is gone (its plan has them all).
        steps: [],
        ...(record.startedAt === undefined ? {} : { startedAt: record.startedAt }),
        ...(record.fleetRunId === undefined ? {} : { runId: record.fleetRunId }),
        recordedBy: outcome.recordedBy,
      });
    } catch (err) {
      this.events.emit('app.problem', { hostId: record.hostId, message: `The outcome of an unfinished change (${record.plan.action} ${record.plan.bondName}) was not written to the audit log (${reason(err)}); Bondsmith tries again on the next connect.` });
      return false;
    }
    this.recorded.add(record.plan.runId);
    await this.inflight.remove(record.plan.runId).catch((err: unknown) => {
      this.events.emit('app.problem', { hostId: record.hostId, message: `A recorded change's saved plan could not be removed from disk (${reason(err)}).` });
    });
    return true;
  }
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}
