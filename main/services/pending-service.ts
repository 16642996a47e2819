import type { DiscoveryResult } from '../../preload/contract';
import { AppFailure } from '../errors';
import { rollbackNowScript } from '../plan/linux-scripts';
import { shScript } from '../plan/steps';
import { explainSudoRefusal } from '../shell/sudo';
import type { HostStore } from '../store/host-store';
import type { InflightStore } from '../store/inflight-store';
import type { HostConnection } from '../ssh/connection';
import type { SessionService } from './session-service';

// A change found waiting on a box without a live apply in this window (the app was restarted, or the
// change came from elsewhere): show it with its time left, and Keep or Revert it (DESIGN.md "Safe
// apply" 4: "a pending change found on a box is shown with its countdown, never silently kept").

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
    const facts = (await this.sessions.refresh(hostId)).facts;
    if (!facts) throw new AppFailure('DISCOVERY_FAILED', 'Could not read the host to see its pending change.');
    if (facts.os.kind === 'truenas') {
      if (!facts.middleware?.pendingChanges) throw new AppFailure('NOTHING_PENDING', 'The middleware has no pending interface changes any more.');
      await run(connection, decision === 'keep' ? 'midclt call interface.checkin' : 'midclt call interface.rollback', /^null$/);
    } else {
      const pending = facts.pendingRuns ?? [];
      const found = pending.find((r) => r.runId === runId);
      if (!runId || !found) throw new AppFailure('NOTHING_PENDING', 'That change is no longer waiting on the host (kept, reverted or rolled back).');
      const host = this.store.get(hostId);
      const sudo = host !== undefined && host.useSudo && host.user !== 'root';
      if (decision === 'revert') {
        await run(connection, shScript(rollbackNowScript(runId), sudo), /restored/);
      } else {
        const record = await this.inflight.get(runId);
        if (!record) {
          throw new AppFailure('KEEP_NEEDS_PLAN', 'This computer does not have the plan of that change, so it cannot write its configuration. Revert it, or let its timer run out.');
        }
        for (const step of record.plan.steps.filter((s) => s.phase === 'confirm')) await run(connection, step.command, null);
      }
      await this.inflight.remove(runId);
    }
    return this.sessions.refresh(hostId);
  }
}

async function run(connection: HostConnection, command: string, expect: RegExp | null): Promise<void> {
  const r = await connection.exec(command, { timeoutMs: 120_000 });
  const out = r.stdout.trim();
  if (r.code !== 0 || (expect && !expect.test(out))) {
    const why = explainSudoRefusal(r) ?? (r.stderr.trim() || out).split('\n').slice(0, 3).join(' ');
    throw new AppFailure('PENDING_RESOLVE_FAILED', `The host refused: ${why || `exit status ${String(r.code)}`}`);
  }
}
