import type { BondSpec } from '../../preload/contract/bond-spec';
import type { HostFacts } from '../../preload/contract/inventory';
import { currentMembers, managementMove } from './host-view';
import type { PlanAction, PlanStep } from './plan-types';
import { quoteForShell } from '../shell/quote';
import { shScript, step } from './steps';
import { createPayload, midcltCall, updatePayload, type JsonValue } from './truenas-payload';
import { formatVersion, truenasBehaviour, type TruenasVersion } from './truenas-version';

// TrueNAS: every change goes through the middleware (never raw `ip`, which its sync would undo):
// edit the config DB, save the gateway, commit detached with rollback armed, verify, check in.
// Sources: reference/truenas-middleware.md §1, §2, §5, §6, §8.

export interface TruenasPlanInput {
  readonly action: PlanAction;
  /** Null for delete. */
  readonly spec: BondSpec | null;
  readonly bondName: string;
  readonly facts: HostFacts;
  readonly version: TruenasVersion;
  readonly runId: string;
  readonly checkinTimeoutSeconds: number;
  /** Ports with their own config row the user agreed to reset (23.10.2+ refuses them otherwise). */
  readonly resetNicConfig: readonly string[];
  readonly configuredNics: readonly string[];
  /** The box's pending changes are an earlier Bondsmith apply of this session (cancel its timer first). */
  readonly pendingChangesAreOurs: boolean;
  /** DNS servers to keep when 25.10+ reports they would be removed (network.configuration.config). */
  readonly nameservers: readonly string[] | null;
}

export interface TruenasSteps {
  readonly steps: PlanStep[];
  readonly warnings: string[];
  readonly servicesStepId: string | null;
  /** Ports whose own config is deleted before the bond change. */
  readonly resetNics: string[];
}

/** TrueNAS ports with an interfaces-table row: an explicit list from discovery, else those with DB aliases. */
export function truenasConfiguredNics(facts: HostFacts, explicit: readonly string[] | null): string[] {
  if (explicit !== null) return [...explicit];
  return (facts.middleware?.interfaces ?? []).filter((i) => i.type === 'PHYSICAL' && i.aliases.length > 0).map((i) => i.id);
}

export function commitLogPath(runId: string): string {
  return `/tmp/bondsmith-${runId}-commit.log`;
}

/**
 * The commit runs detached on the box (§5.10): from 26.0 the server cancels in-flight calls when the
 * client goes away, and moving the management address can drop this SSH session mid-commit.
 * The log ends with "exit=<status>" so a later session can tell success from failure.
 */
export function detachedCommitCommand(runId: string, checkinTimeoutSeconds: number): string {
  const commit = midcltCall('interface.commit', { rollback: true, checkin_timeout: checkinTimeoutSeconds });
  const inner = `${commit}; echo "exit=$?"`;
  const log = commitLogPath(runId);
  return shScript(`rm -f ${log}; setsid nohup sh -c ${quoteForShell(inner)} > ${log} 2>&1 < /dev/null &`, false);
}

function nicsToReset(input: TruenasPlanInput): string[] {
  const { spec, facts, action, bondName } = input;
  if (spec === null || action === 'delete') return [];
  const out: string[] = [];
  const move = managementMove(spec, facts);
  if (move && move.carried) out.push(move.nic); // §8.1: delete the management NIC's config, then create the bond
  const already = action === 'update' ? currentMembers(facts, bondName) : [];
  const rejects = truenasBehaviour(input.version).rejectsConfiguredMembers;
  for (const m of spec.members) {
    if (out.includes(m) || already.includes(m)) continue;
    if (rejects && input.configuredNics.includes(m) && input.resetNicConfig.includes(m)) out.push(m);
  }
  return out;
}

function gatewaySteps(input: TruenasPlanInput): PlanStep[] {
  const gateway = input.facts.defaultRoutes.find((r) => r.family === 'inet')?.gateway ?? null;
  if (gateway === null) return [];
  if (!truenasBehaviour(input.version).networkConfigCalls) {
    return [
      step({ id: 'gateway-check', title: 'Ask TrueNAS whether the change would remove the default route', phase: 'arm', command: midcltCall('interface.default_route_will_be_removed'), check: { kind: 'report' }, onFailure: 'rollback' }),
      step({
        id: 'gateway-save',
        title: `Keep the default gateway ${gateway}`,
        phase: 'arm',
        command: midcltCall('interface.save_default_route', gateway),
        when: { stepId: 'gateway-check', stdoutMatches: '^True$' },
        onFailure: 'rollback',
      }),
    ];
  }
  const config: Record<string, JsonValue> = { ipv4gateway: gateway };
  (input.nameservers ?? []).slice(0, 3).forEach((ns, i) => (config[`nameserver${i + 1}`] = ns));
  return [
    step({ id: 'gateway-check', title: 'Ask TrueNAS whether the change would remove the gateway or DNS servers', phase: 'arm', command: midcltCall('interface.network_config_to_be_removed'), check: { kind: 'report' }, onFailure: 'rollback' }),
    step({
      id: 'gateway-save',
      title: `Keep the default gateway ${gateway}${input.nameservers && input.nameservers.length > 0 ? ' and the DNS servers' : ''}`,
      phase: 'arm',
      command: midcltCall('interface.save_network_config', config),
      detail: JSON.stringify(config, null, 2),
      when: { stepId: 'gateway-check', stdoutMatches: '(ipv4gateway|nameserver)' },
      onFailure: 'rollback',
    }),
  ];
}

function changeSteps(input: TruenasPlanInput, resetNics: readonly string[]): PlanStep[] {
  const out: PlanStep[] = resetNics.map((nic) =>
    step({ id: `reset-${nic}`, title: `Reset ${nic}'s own network configuration (it joins the bond)`, phase: 'arm', command: midcltCall('interface.delete', nic), onFailure: 'rollback' }),
  );
  const { spec, bondName } = input;
  if (input.action === 'delete' || spec === null) {
    out.push(step({ id: 'delete-bond', title: `Delete ${bondName} from the TrueNAS configuration`, phase: 'arm', command: midcltCall('interface.delete', bondName), onFailure: 'rollback' }));
  } else if (input.action === 'create') {
    const payload = createPayload(spec);
    out.push(step({ id: 'create-bond', title: `Add ${bondName} to the TrueNAS configuration`, phase: 'arm', command: midcltCall('interface.create', payload), detail: JSON.stringify(payload, null, 2), onFailure: 'rollback' }));
  } else {
    const payload = updatePayload(spec);
    out.push(step({ id: 'update-bond', title: `Change ${bondName} in the TrueNAS configuration`, phase: 'arm', command: midcltCall('interface.update', bondName, payload), detail: JSON.stringify(payload, null, 2), onFailure: 'rollback' }));
  }
  return out;
}

function warningsFor(input: TruenasPlanInput): string[] {
  const { spec, facts, action, bondName, version } = input;
  const b = truenasBehaviour(version);
  const out: string[] = [];
  if (spec && spec.protocol !== 'LACP' && !b.forcesMiimon) {
    out.push(
      `TrueNAS ${formatVersion(version)} creates ${spec.protocol} bonds without link monitoring (miimon 0), so a dead link is not detected and ${spec.protocol === 'FAILOVER' ? 'traffic does not move to the next member' : 'traffic keeps being sent to it'}. TrueNAS 25.10.2.2 fixes this; the middleware offers no setting for it.`,
    );
  }
  if (spec && action === 'update') {
    const old = currentMembers(facts, bondName);
    if (old[0] !== undefined && spec.members[0] !== old[0]) out.push(`The first member changes from ${old[0]} to ${spec.members[0] ?? '?'}: TrueNAS destroys and recreates ${bondName}, so its traffic stops briefly and its MAC address changes.`);
  }
  if (action === 'delete') out.push(`After ${bondName} is deleted its former members stay down with no address until they are configured again.`);
  if (spec && !b.rejectsConfiguredMembers) {
    const wiped = spec.members.filter((m) => input.configuredNics.includes(m));
    if (wiped.length > 0) out.push(`TrueNAS ${formatVersion(version)} silently wipes the own configuration of ${wiped.join(', ')} when it joins the bond.`);
  }
  if (input.pendingChangesAreOurs) out.push('Earlier changes are still pending on this box: a rollback also undoes them, back to the state before the first pending change.');
  return out;
}

export function buildTruenasSteps(input: TruenasPlanInput): TruenasSteps {
  const resetNics = nicsToReset(input);
  const steps: PlanStep[] = [];
  if (input.pendingChangesAreOurs) {
    // §5.7: a second commit does not cancel the first timer, which would later undo this change.
    steps.push(step({ id: 'cancel-rollback', title: 'Stop the timer of the earlier pending change (its edits stay pending)', phase: 'prepare', command: midcltCall('interface.cancel_rollback') }));
  } else {
    steps.push(step({ id: 'pending-check', title: 'Check that the box has no unsaved network changes', phase: 'prepare', command: midcltCall('interface.has_pending_changes'), check: { kind: 'stdout-equals', value: 'False' } }));
  }
  steps.push(...changeSteps(input, resetNics));
  steps.push(...gatewaySteps(input));
  const servicesStepId = 'services-report';
  steps.push(step({ id: servicesStepId, title: 'List services that restart because an address they use goes away', phase: 'arm', command: midcltCall('interface.services_restarted_on_sync'), check: { kind: 'report' }, onFailure: 'continue' }));
  steps.push(
    step({
      id: 'commit',
      title: `Apply the change with automatic rollback after ${input.checkinTimeoutSeconds} s unless confirmed`,
      phase: 'apply',
      command: detachedCommitCommand(input.runId, input.checkinTimeoutSeconds),
      detail: `Runs detached on the box; output and exit status go to ${commitLogPath(input.runId)}`,
      onFailure: 'rollback',
    }),
    step({
      id: 'wait-commit',
      title: 'Wait for TrueNAS to finish applying',
      phase: 'verify',
      command: `cat ${commitLogPath(input.runId)}`,
      check: { kind: 'poll', until: 'exit=0$', failIf: 'exit=[1-9][0-9]*$', intervalSeconds: 2, timeoutSeconds: 120 },
      detail: 'On failure, map the log with mapMiddlewareError.',
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({ id: 'wait-armed', title: 'Check that the rollback timer is running', phase: 'verify', command: midcltCall('interface.checkin_waiting'), check: { kind: 'stdout-matches', pattern: '^[0-9]+$' }, onFailure: 'rollback', connection: 'fresh' }),
    step({
      id: 'read-state',
      title: `Read ${input.bondName} as the system now runs it`,
      phase: 'verify',
      command: midcltCall('interface.query', [['id', '=', input.bondName]]),
      check: { kind: 'verify-state', format: 'midclt-query-json' },
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({ id: 'checkin', title: 'Keep the change (check in before the timer runs out)', phase: 'confirm', command: midcltCall('interface.checkin'), connection: 'fresh' }),
    step({ id: 'confirm-check', title: 'Check that nothing is left pending', phase: 'confirm', command: midcltCall('interface.has_pending_changes'), check: { kind: 'stdout-equals', value: 'False' }, onFailure: 'continue', connection: 'fresh' }),
    step({ id: 'rollback', title: 'Undo the change now and restore the previous configuration', phase: 'rollback', command: midcltCall('interface.rollback'), connection: 'fresh' }),
  );
  return { steps, warnings: warningsFor(input), servicesStepId, resetNics };
}
