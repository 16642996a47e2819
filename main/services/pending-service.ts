import type { DiscoveryResult } from '../../preload/contract';
import { driverForFacts } from '../drivers/registry';
import { AppFailure } from '../errors';
import type { HostStore } from '../store/host-store';
import type { InflightStore } from '../store/inflight-store';
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
    const record = pending.runId !== null && decision === 'keep' ? await this.inflight.get(pending.runId) : null;
    await driver.resolvePending({
      connection,
      facts,
      pending,
      decision,
      sudo: host !== undefined && host.useSudo && host.user !== 'root',
      confirmSteps: record ? record.plan.steps.filter((s) => s.phase === 'confirm') : null,
    });
    if (pending.runId !== null) await this.inflight.remove(pending.runId);
    return this.sessions.refresh(hostId);
  }
}
