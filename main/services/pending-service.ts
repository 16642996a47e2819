import type { DiscoveryResult } from '../../preload/contract';
import { driverForFacts } from '../drivers/registry';
import { AppFailure } from '../errors';
import type { HostStore } from '../store/host-store';
import type { InflightRecord, InflightStore } from '../store/inflight-store';
import type { RecoveryService } from './recovery-service';
import type { SessionService } from './session-service';

// A change found waiting on a box without a live apply in this window (the app was restarted, or the
// change came from elsewhere): show it with its time left, and Keep or Revert it (DESIGN.md "Safe
// apply" 4: "a pending change found on a box is shown with its countdown, never silently kept").
// The host's driver knows how its stack keeps or reverts it.

export type PendingDecision = 'keep' | 'revert';

export class PendingService {
  constructor(
    private readonly store: HostStore,
    private readonly sessions: SessionService,
    private readonly inflight: InflightStore,
    private readonly recovery: RecoveryService,
  ) {}

  async resolve(hostId: string, decision: PendingDecision, runId: string | null): Promise<DiscoveryResult> {
    const connection = this.sessions.connection(hostId);
    if (!connection || connection.snapshot().state !== 'ready') throw new AppFailure('NOT_CONNECTED', 'Connect to the host first.');
    const result = await this.sessions.refresh(hostId);
    // Keep or revert only what the box says now, never what an earlier discovery saw.
    const facts = result.error === null ? result.facts : null;
    if (!facts) throw new AppFailure('DISCOVERY_FAILED', `Could not read the host to see its pending change${result.error ? `: ${result.error.message}` : '.'}`);
    const driver = driverForFacts(facts);
    if (!driver) throw new AppFailure('NO_DRIVER', 'Bondsmith has no driver for this host, so it cannot keep or revert its changes.');
    const waiting = driver.pendingOnBox(facts);
    const pending = runId === null ? waiting.find((p) => p.runId === null) : waiting.find((p) => p.runId === runId);
    if (!pending) throw new AppFailure('NOTHING_PENDING', 'That change is no longer waiting on the host (kept, reverted or rolled back).');
    const host = this.store.get(hostId);
    const record = pending.runId !== null && decision === 'keep' ? await this.savedPlan(hostId, pending.runId) : null;
    // The change was this computer's where it kept its plan: the audit log gets the decision, and
    // the saved plan is retired (RecoveryService).
    const after = await this.recovery.recordResolution(hostId, pending, decision, async () => {
      await driver.resolvePending({
        connection,
        facts,
        pending,
        decision,
        sudo: host !== undefined && host.useSudo && host.user !== 'root',
        confirmSteps: record ? record.plan.steps.filter((s) => s.phase === 'confirm') : null,
      });
      return this.sessions.refresh(hostId);
    });
    // Also one this app run applied itself (its apply records it as it ends).
    if (pending.runId !== null) await this.inflight.remove(pending.runId);
    return after;
  }

  /** The plan this computer kept for that change, if it is one Bondsmith wrote for this host; never anything else. */
  private async savedPlan(hostId: string, runId: string): Promise<InflightRecord | null> {
    const saved = await this.inflight.get(runId);
    switch (saved.kind) {
      case 'missing':
        return null;
      case 'refused':
        throw new AppFailure(
          'SAVED_PLAN_REFUSED',
          `The plan this computer kept for that change was not run because ${saved.reason}. ${saved.keptAs ? `It was kept aside as ${saved.keptAs}.` : 'It could not be moved aside.'} Revert the change, or let its timer run out.`,
        );
      case 'found':
        if (saved.record.hostId !== hostId || saved.record.plan.hostId !== hostId) {
          throw new AppFailure('SAVED_PLAN_REFUSED', 'The plan this computer kept under that change\'s id belongs to another host, so it was not run. Revert the change, or let its timer run out.');
        }
        return saved.record;
    }
  }
}
