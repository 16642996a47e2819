import type { PendingOnBox } from '../../../preload/contract/host-view';
import type { HostFacts } from '../../../preload/contract/inventory';
import { eligibleMembers } from '../../plan/eligible-members';
import { AppFailure } from '../../errors';
import { explainSudoRefusal } from '../../shell/sudo';
import type { HostDriver, ResolvePendingInput } from '../driver';
import { readBondSpec } from '../spec-reader';
import { midcltCall } from './payload';
import { planTruenas } from './plan';
import { verifyMiddleware } from './verify';

// TrueNAS SCALE: every change goes through the middleware (midclt), which keeps the config DB and
// arms its own rollback (interface.commit with rollback + checkin). reference/truenas-middleware.md.

function pendingOnBox(facts: HostFacts): PendingOnBox[] {
  const mw = facts.middleware;
  if (!mw?.pendingChanges) return [];
  return [{ key: 'middleware', runId: null, text: 'The TrueNAS middleware has interface changes that are not checked in.', secondsLeft: mw.checkinWaitingSeconds }];
}

async function resolvePending(input: ResolvePendingInput): Promise<void> {
  if (!input.facts.middleware?.pendingChanges) throw new AppFailure('NOTHING_PENDING', 'The middleware has no pending interface changes any more.');
  const r = await input.connection.exec(midcltCall(input.decision === 'keep' ? 'interface.checkin' : 'interface.rollback'), { timeoutMs: 120_000 });
  if (r.code !== 0 || r.stdout.trim() !== 'null') {
    const why = explainSudoRefusal(r) ?? (r.stderr.trim() || r.stdout.trim()).split('\n').slice(0, 3).join(' ');
    throw new AppFailure('PENDING_RESOLVE_FAILED', `The host refused: ${why || `exit status ${String(r.code)}`}`);
  }
}

export const truenasDriver: HostDriver<null> = {
  kind: 'truenas',
  label: 'TrueNAS middleware (midclt)',
  recognises: (facts) => facts.stack.manager === 'truenas-middleware',
  readExtras: () => Promise.resolve(null),
  eligibleMembers: (facts, editing, options) => eligibleMembers(facts, editing, options),
  specOf: (facts, bondName) => {
    const entry = facts.middleware?.interfaces.find((i) => i.id === bondName);
    return readBondSpec(facts, bondName, {
      ...(entry ? { members: entry.lagPorts } : {}),
      ...(entry?.description && entry.description !== bondName ? { description: entry.description } : {}),
    });
  },
  plan: planTruenas,
  verify: verifyMiddleware,
  pendingOnBox,
  resolvePending,
};
