import type { PendingOnBox } from '../../../preload/contract/host-view';
import type { HostFacts } from '../../../preload/contract/inventory';
import { eligibleMembers } from '../../plan/eligible-members';
import { AppFailure } from '../../errors';
import type { HostDriver, ResolvePendingInput } from '../driver';
import { runResolveCommand } from '../resolve-command';
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
  await runResolveCommand(input.connection, midcltCall(input.decision === 'keep' ? 'interface.checkin' : 'interface.rollback'), /^null$/);
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
      ...(entry?.ipv4Dhcp !== undefined ? { dhcp: entry.ipv4Dhcp } : {}),
    });
  },
  plan: planTruenas,
  verify: verifyMiddleware,
  pendingOnBox,
  resolvePending,
};
