import type { PendingOnBox } from '../../../preload/contract/host-view';
import type { HostFacts } from '../../../preload/contract/inventory';
import { AppFailure } from '../../errors';
import { eligibleMembers } from '../../plan/eligible-members';
import { shScript } from '../../plan/steps';
import type { HostConnection } from '../../ssh/connection';
import type { PlanStep } from '../../plan/plan-types';
import type { HostDriver, ResolvePendingInput } from '../driver';
import { verifyKernel } from '../kernel-verify';
import { runResolveCommand } from '../resolve-command';
import { readBondSpec } from '../spec-reader';
import { linuxFilesCommand, parseLinuxFiles } from './files';
import { planLinuxIfupdown, type LinuxExtras } from './plan';
import { rollbackNowScript } from './scripts';

// Plain Linux with ifupdown + ifenslave (Debian family): Bondsmith arms its own rollback timer on the
// box, applies with iproute2, and writes /etc/network/interfaces.d only on confirm.

function pendingOnBox(facts: HostFacts): PendingOnBox[] {
  return (facts.pendingRuns ?? []).map((r) => ({ key: r.runId, runId: r.runId, text: `A change applied by Bondsmith (${r.runId}) waits for confirmation.`, secondsLeft: r.secondsLeft }));
}

/** The pattern a step's check wants in its output, where it asks for one. */
function expectedOutput(step: PlanStep): RegExp | null {
  const c = step.check;
  return c.kind === 'stdout-matches' ? new RegExp(c.pattern) : c.kind === 'stdout-equals' ? new RegExp(`^${c.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : null;
}

async function resolvePending(input: ResolvePendingInput): Promise<void> {
  const runId = input.pending.runId;
  if (runId === null || !(input.facts.pendingRuns ?? []).some((r) => r.runId === runId)) {
    throw new AppFailure('NOTHING_PENDING', 'That change is no longer waiting on the host (kept, reverted or rolled back).');
  }
  if (input.decision === 'revert') return runResolveCommand(input.connection, shScript(rollbackNowScript(runId), input.sudo), /restored/);
  if (input.confirmSteps === null) {
    throw new AppFailure('KEEP_NEEDS_PLAN', 'This computer does not have the plan of that change, so it cannot write its configuration. Revert it, or let its timer run out.');
  }
  for (const step of input.confirmSteps) await runResolveCommand(input.connection, step.command, expectedOutput(step));
}

async function readExtras(connection: HostConnection): Promise<LinuxExtras> {
  const nonce = globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 20);
  const result = await connection.exec(linuxFilesCommand(nonce), { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 });
  return { files: parseLinuxFiles(result.stdout, nonce) };
}

export const linuxIfupdownDriver: HostDriver<LinuxExtras | null> = {
  kind: 'linux-ifupdown',
  label: 'ifupdown + iproute2',
  recognises: (facts) => facts.stack.manager === 'ifupdown',
  readExtras,
  eligibleMembers: (facts, editing, options) => eligibleMembers(facts, editing, options),
  // The kernel shows a DHCP bond's lease like any address; ifupdown's `inet dhcp` says what it is.
  specOf: (facts, bondName) => readBondSpec(facts, bondName, { dhcp: facts.stack.dhcpInterfaces?.includes(bondName) ?? false }),
  plan: planLinuxIfupdown,
  verify: verifyKernel,
  pendingOnBox,
  resolvePending,
};
