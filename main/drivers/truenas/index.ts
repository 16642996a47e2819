import type { PendingOnBox } from '../../../preload/contract/host-view';
import type { HostFacts } from '../../../preload/contract/inventory';
import { eligibleMembers } from '../../plan/eligible-members';
import { AppFailure } from '../../errors';
import { HOST_FIELD, type PlanAction, type PlanStep } from '../../plan/plan-types';
import type { ExecResult } from '../../ssh/connection';
import type { HostDriver, ResolvePendingInput, StepFailure } from '../driver';
import { mapMiddlewareError } from './middleware-errors';
import { runResolveCommand } from '../resolve-command';
import { readBondSpec } from '../spec-reader';
import { midcltCall } from './payload';
import { ownConfigurationOf, planTruenas } from './plan';
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

/**
 * A midclt call that failed, in the middleware's own terms (§4 "Error format"): validation lines
 * go to the editor's fields, a CallError keeps its reason and drops the Python traceback after it.
 */
function readStepFailure(step: PlanStep, result: ExecResult, action: PlanAction): StepFailure | null {
  if (!step.command.startsWith('midclt call ')) return null;
  const errors = mapMiddlewareError(result.stderr.trim() !== '' ? result.stderr : result.stdout, action);
  if (errors.length === 0) return null;
  return { detail: errors.map((e) => e.message).join('; '), fieldErrors: errors.filter((e) => e.field !== HOST_FIELD) };
}

export const truenasDriver: HostDriver<null> = {
  kind: 'truenas',
  label: 'TrueNAS middleware (midclt)',
  recognises: (facts) => facts.stack.manager === 'truenas-middleware',
  readExtras: () => Promise.resolve(null),
  eligibleMembers: (facts, editing, options) => eligibleMembers(facts, editing, { ...options, ownConfiguration: (iface) => ownConfigurationOf(facts, iface.name) }),
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
  readStepFailure,
};
