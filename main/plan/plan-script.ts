import type { Plan, PlanStep, StepCheck } from './plan-types';

// A plan as a POSIX sh script a person can save and read (DESIGN.md "A plan before every apply").
// Bondsmith itself runs the steps one at a time and judges each result; the script says in comments
// what it would check, and leaves the revert steps commented out.

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function describeCheck(check: StepCheck): string {
  switch (check.kind) {
    case 'exit-zero':
      return 'must exit with status 0';
    case 'stdout-equals':
      return `output must be "${oneLine(check.value)}"`;
    case 'stdout-matches':
      return `output must match /${oneLine(check.pattern)}/`;
    case 'poll':
      return `repeat every ${check.intervalSeconds} s, up to ${check.timeoutSeconds} s, until the output matches /${oneLine(check.until)}/${check.failIf === null ? '' : ` (failure: /${oneLine(check.failIf)}/)`}`;
    case 'verify-state':
      return 'output is compared with the planned bond (members, mode, addresses, link)';
    case 'report':
      return 'output is shown to you';
    default: {
      const never: never = check;
      return String(never);
    }
  }
}

function stepBlock(s: PlanStep, n: number, commentedOut: boolean): string[] {
  const lines = [`# Step ${n} [${s.id}]: ${oneLine(s.title)}`, `#   Check: ${describeCheck(s.check)}`];
  if (s.when) lines.push(`#   Only if the output of step [${s.when.stepId}] matches /${oneLine(s.when.stdoutMatches)}/`);
  if (s.connection === 'fresh') lines.push('#   Over a new SSH connection.');
  if (commentedOut) lines.push(...s.command.split('\n').map((l) => `# ${l}`));
  else lines.push(s.command);
  return [...lines, ''];
}

const PHASE_TITLES: Record<PlanStep['phase'], string> = {
  prepare: 'Prepare (nothing changes yet)',
  arm: 'Arm the automatic rollback',
  apply: 'Apply',
  verify: 'Verify',
  confirm: 'Confirm (keep the change)',
  rollback: 'Revert by hand (only if something went wrong, before the timer runs out)',
};

export function planToShellScript(plan: Plan): string {
  const out = [
    '#!/bin/sh',
    `# Bondsmith plan: ${plan.action} ${plan.bondName} on host ${plan.hostId} (${plan.driver}), run ${plan.runId}.`,
    '#',
    '# This file is for reading. Bondsmith runs these steps one at a time, checks each result as noted,',
    '# and confirms only after verifying the bond over a fresh connection. Run by hand, nothing is',
    `# checked: the box still rolls back on its own ${plan.checkinTimeoutSeconds} s after the arm step unless the confirm step runs.`,
    '#',
    '# Impact:',
    `#   Addresses removed: ${plan.impact.addressesRemoved.length > 0 ? plan.impact.addressesRemoved.join(', ') : 'none'}`,
    `#   Management path affected: ${plan.impact.managementAffected ? 'yes' : 'no'}`,
  ];
  const m = plan.impact.managementMigration;
  if (m) out.push(`#   Management address ${m.address} moves from ${m.fromNic} to ${m.toBond}`);
  out.push(`#   Default route at risk: ${plan.impact.gatewayAtRisk ? 'yes' : 'no'}`, `#   Members reconfigured: ${plan.impact.membersReconfigured.join(', ') || 'none'}`);
  if (plan.warnings.length > 0) out.push('#', '# Warnings:', ...plan.warnings.map((w) => `#   - ${oneLine(w)}`));
  out.push('');
  let phase: PlanStep['phase'] | null = null;
  plan.steps.forEach((s, i) => {
    if (s.phase !== phase) {
      phase = s.phase;
      out.push(`# ===== ${PHASE_TITLES[s.phase]} =====`, '');
    }
    out.push(...stepBlock(s, i + 1, s.phase === 'rollback'));
  });
  return out.join('\n');
}
