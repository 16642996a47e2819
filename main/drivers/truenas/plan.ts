import type { BondSpec } from '../../../preload/contract/bond-spec';
import type { HostFacts } from '../../../preload/contract/inventory';
import { cidr, currentMembers, findInterface, managementMove, routableAddresses } from '../../plan/host-view';
import { computeImpact, computeVerify } from '../../plan/impact';
import type { FieldError, PlanAction, PlanStep } from '../../plan/plan-types';
import { shScript, step } from '../../plan/steps';
import { quoteForShell } from '../../shell/quote';
import type { DriverPlanInput, DriverPlanResult } from '../driver';
import { createPayload, midcltCall, updatePayload, type JsonValue } from './payload';
import { BOX_WAIT_SECONDS, waitOnBox } from '../wait-on-box';
import { formatVersion, parseTruenasVersion, truenasBehaviour, type TruenasVersion } from './version';

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
}

export interface TruenasSteps {
  readonly steps: PlanStep[];
  readonly warnings: string[];
  readonly servicesStepId: string | null;
  /** Ports whose own config is deleted before the bond change. */
  readonly resetNics: string[];
}

/** TrueNAS ports with an interfaces-table row: those with aliases in the middleware's DB view. */
export function truenasConfiguredNics(facts: HostFacts): string[] {
  return (facts.middleware?.interfaces ?? []).filter((i) => i.type === 'PHYSICAL' && i.aliases.length > 0).map((i) => i.id);
}

/**
 * For the member picker: what a port's own TrueNAS configuration holds, where 23.10.2+ refuses the
 * port as a member until that configuration is reset (§4 "currently in use"); null otherwise.
 */
export function ownConfigurationOf(facts: HostFacts, nic: string): string | null {
  const version = parseTruenasVersion(facts.os.truenasVersion ?? facts.middleware?.version ?? null);
  if (version === null || !truenasBehaviour(version).rejectsConfiguredMembers) return null;
  const entry = (facts.middleware?.interfaces ?? []).find((i) => i.id === nic && i.type === 'PHYSICAL');
  if (!entry || entry.aliases.length === 0) return null;
  return `own TrueNAS configuration (${entry.aliases.join(', ')}): reset it to join`;
}

/**
 * Where the detached commit writes its log: a directory of this run's own, made by `mkdir` under
 * umask 077, so only the SSH user can read it (the commit's output may name addresses and errors).
 * Not `mkdir -p`: if the name already exists (someone else made it in the sticky /tmp), mkdir fails
 * and the commit never starts. In /tmp, not /var/lib: the TrueNAS admin runs midclt without root.
 * The confirm and rollback steps remove it (commitDirRemoved).
 */
export function commitDir(runId: string): string {
  return `/tmp/bondsmith-truenas-${runId}`;
}

export function commitLogPath(runId: string): string {
  return `${commitDir(runId)}/commit.log`;
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
  return shScript(`umask 077 && mkdir ${commitDir(runId)} && { setsid nohup sh -c ${quoteForShell(inner)} > ${log} 2>&1 < /dev/null & }`, false);
}

/** `command`, then the run's log directory removed; the exit status stays the command's. */
function commitDirRemoved(command: string, runId: string): string {
  return shScript(`${command}; status=$?; rm -rf ${commitDir(runId)}; exit $status`, false);
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
    // Reset what the user agreed to, even where discovery saw no configuration: a row without
    // addresses is invisible in interface.query, and the middleware refuses the port all the same.
    if (rejects && input.resetNicConfig.includes(m)) out.push(m);
  }
  return out;
}

/** The DNS servers 25.10+ can save with the gateway (save_network_config's nameserver1..3, §1). */
function nameserversToKeep(facts: HostFacts, version: TruenasVersion, gateway: string | null): string[] {
  if (gateway === null || !truenasBehaviour(version).networkConfigCalls) return [];
  return [...(facts.middleware?.nameservers ?? [])].slice(0, 3);
}

/**
 * Where the DNS servers are at risk: a box whose interfaces have no addresses of their own in the
 * middleware's DB runs on DHCP (fresh install, §3, §5.8), and its first configuration drops what
 * DHCP gave it. The plan saves them whenever the middleware says so; the impact names them here.
 */
function nameserversAtRisk(facts: HostFacts, version: TruenasVersion): string[] {
  if ((facts.middleware?.interfaces ?? []).some((i) => i.aliases.length > 0)) return [];
  return nameserversToKeep(facts, version, defaultGateway(facts));
}

function defaultGateway(facts: HostFacts): string | null {
  return facts.defaultRoutes.find((r) => r.family === 'inet')?.gateway ?? null;
}

function gatewaySteps(input: TruenasPlanInput): PlanStep[] {
  const gateway = defaultGateway(input.facts);
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
  // 25.10+: network_config_to_be_removed names the gateway and any nameserverN a first
  // configuration would drop (a box set up by DHCP, §5.8); one save keeps them all.
  const nameservers = nameserversToKeep(input.facts, input.version, gateway);
  const config: Record<string, JsonValue> = { ipv4gateway: gateway };
  nameservers.forEach((ns, i) => (config[`nameserver${i + 1}`] = ns));
  return [
    step({ id: 'gateway-check', title: 'Ask TrueNAS whether the change would remove the gateway or DNS servers', phase: 'arm', command: midcltCall('interface.network_config_to_be_removed'), check: { kind: 'report' }, onFailure: 'rollback' }),
    step({
      id: 'gateway-save',
      title: nameservers.length > 0 ? `Keep the default gateway ${gateway} and the DNS servers ${nameservers.join(', ')}` : `Keep the default gateway ${gateway}`,
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
  return out;
}

export function buildTruenasSteps(input: TruenasPlanInput): TruenasSteps {
  const resetNics = nicsToReset(input);
  const steps: PlanStep[] = [];
  steps.push(step({ id: 'pending-check', title: 'Check that the box has no unsaved network changes', phase: 'prepare', command: midcltCall('interface.has_pending_changes'), check: { kind: 'stdout-equals', value: 'False' } }));
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
      command: `${waitOnBox(`grep -q '^exit=' ${commitLogPath(input.runId)} 2>/dev/null`, BOX_WAIT_SECONDS)}; cat ${commitLogPath(input.runId)}`,
      check: { kind: 'poll', until: 'exit=0$', failIf: 'exit=[1-9][0-9]*$', intervalSeconds: 2, timeoutSeconds: 120 },
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({ id: 'wait-armed', title: 'Check that the rollback timer is running', phase: 'verify', command: midcltCall('interface.checkin_waiting'), check: { kind: 'stdout-matches', pattern: '^[0-9]+$' }, onFailure: 'rollback', connection: 'fresh' }),
    step({
      id: 'read-state',
      title: `Read ${input.bondName} as the system now runs it`,
      phase: 'verify',
      command: midcltCall('interface.query', [['id', '=', input.bondName]]),
      check: { kind: 'verify-state' },
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({ id: 'checkin', title: 'Keep the change (check in before the timer runs out)', phase: 'confirm', command: commitDirRemoved(midcltCall('interface.checkin'), input.runId), connection: 'fresh' }),
    step({ id: 'confirm-check', title: 'Check that nothing is left pending', phase: 'confirm', command: midcltCall('interface.has_pending_changes'), check: { kind: 'stdout-equals', value: 'False' }, onFailure: 'continue', connection: 'fresh' }),
    step({ id: 'rollback', title: 'Undo the change now and restore the previous configuration', phase: 'rollback', command: commitDirRemoved(midcltCall('interface.rollback'), input.runId), connection: 'fresh' }),
  );
  return { steps, warnings: warningsFor(input), servicesStepId, resetNics };
}

/** 23.10.2+ refuses ports with their own config row as members ("currently in use"), unless reset. */
function configuredMemberErrors(spec: BondSpec, facts: HostFacts, input: DriverPlanInput<null>, version: TruenasVersion, configuredNics: readonly string[]): FieldError[] {
  if (!truenasBehaviour(version).rejectsConfiguredMembers) return [];
  const already = input.action === 'update' ? currentMembers(facts, input.bondName) : [];
  const move = managementMove(spec, facts);
  const errors: FieldError[] = [];
  spec.members.forEach((name, i) => {
    if (already.includes(name) || move?.nic === name || !configuredNics.includes(name) || input.resetNicConfig.includes(name)) return;
    const addrs = routableAddresses(findInterface(facts, name)).map(cidr);
    errors.push({
      field: `members.${i}`,
      message:
        `${name} has its own network configuration in TrueNAS, and TrueNAS refuses configured ports as bond members ("Interface ${name} is currently in use"). ` +
        `Tick "Reset ${name}'s configuration" under ${name} in the member order to remove it as part of this change` +
        (addrs.length > 0 ? ` (this removes ${addrs.join(', ')})` : ''),
    });
  });
  return errors;
}

const hostError = (code: 'HOST_CONFLICT' | 'MISSING_FACTS', message: string): DriverPlanResult => ({ ok: false, code, fieldErrors: [{ field: 'host', message }] });

/** The TrueNAS driver's plan: middleware calls, impact and checks of one change. */
export function planTruenas(input: DriverPlanInput<null>): DriverPlanResult {
  const { facts, spec, action, bondName } = input;
  const version = parseTruenasVersion(facts.os.truenasVersion ?? facts.middleware?.version ?? null);
  if (version === null) return hostError('MISSING_FACTS', 'The TrueNAS version of this host is not known; discover the host again');
  if (facts.middleware?.pendingChanges) {
    return hostError('HOST_CONFLICT', 'This box has network changes that are not saved yet (made in the TrueNAS web UI or by another tool). Save or revert them there first.');
  }
  const configuredNics = truenasConfiguredNics(facts);
  if (spec !== null && action !== 'delete') {
    const errors = configuredMemberErrors(spec, facts, input, version, configuredNics);
    if (errors.length > 0) return { ok: false, code: 'HOST_CONFLICT', fieldErrors: errors };
  }
  const t = buildTruenasSteps({
    action,
    spec,
    bondName,
    facts,
    version,
    runId: input.runId,
    checkinTimeoutSeconds: input.checkinTimeoutSeconds,
    resetNicConfig: input.resetNicConfig,
    configuredNics,
  });
  const oldFirst = action === 'update' ? currentMembers(facts, bondName)[0] : undefined;
  const behaviour = truenasBehaviour(version);
  return {
    ok: true,
    plan: {
      steps: t.steps,
      warnings: t.warnings,
      // TrueNAS destroys and recreates a bond whose first member changes.
      impact: {
        ...computeImpact({ facts, action, bondName, spec, rebuildsOnUpdate: spec !== null && oldFirst !== spec.members[0], servicesStepId: t.servicesStepId }),
        nameserversKept: action === 'delete' ? [] : nameserversAtRisk(facts, version),
        nicsReset: t.resetNics,
      },
      // The kernel itself sets miimon 100 when a bond becomes 802.3ad (bond_option_mode_set); TrueNAS
      // applies MTU 1500 when none is set.
      verify: computeVerify({ facts, action, bondName, spec, miimonMs: spec?.protocol === 'LACP' || behaviour.forcesMiimon ? 100 : null, defaultMtu: 1500 }),
      rollbackScript: null,
      // A middlewared restart or a reboot drops the pending snapshot and its timer, and the change
      // stays (§5.6): while the window runs, "no timer" means the box kept it on its own.
      armedProbe: { command: midcltCall('interface.checkin_waiting'), armedPattern: '^[0-9]+$' },
    },
  };
}
