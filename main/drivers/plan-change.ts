import { bondSpecSchema, fieldKey, type BondSpec } from '../../preload/contract/bond-spec';
import type { HostFacts } from '../../preload/contract/inventory';
import { findInterface, managementMove, managementNic } from '../plan/host-view';
import { changeRefusal, driverForFacts } from './registry';
import { HOST_FIELD, type FieldError, type Plan, type PlanAction, type PlanFailureCode, type PlanResult } from '../plan/plan-types';
import { isSafeRunId } from '../plan/steps';
import { validateAgainstHost, validateDelete } from '../plan/validate-against-host';

export { planToShellScript } from '../plan/plan-script';

// The planner's entry: editor spec + host inventory -> a Plan (or field errors), no I/O. It checks
// what holds on every host, asks the host's driver for its operations, and adds the warnings every
// host shares.

export interface PlanOptions {
  /** 10 to 300, default 60. */
  readonly checkinTimeoutSeconds?: number;
  /** Names the on-box rollback files; unique per apply. Default: action, bond and discovery time. */
  readonly runId?: string;
  /** Run every step through `sudo -n` (a non-root admin whose host is set up for it). */
  readonly sudo?: boolean;
  /** The lab's ports are veth pairs, which discovery reports as virtual. */
  readonly allowVirtualMembers?: boolean;
  /** Ports whose own configuration the user agreed to reset (TrueNAS "currently in use"). */
  readonly resetNicConfig?: readonly string[];
  /** What the host's driver read beyond discovery (its readExtras); null when nothing was read. */
  readonly extras?: unknown;
}

export interface PlanInput {
  readonly hostId: string;
  readonly facts: HostFacts;
  readonly action: PlanAction;
  /** Parsed here with bondSpecSchema; not needed for delete. */
  readonly spec?: unknown;
  readonly existingBondName?: string;
  readonly options?: PlanOptions;
}

function fail(code: PlanFailureCode, fieldErrors: FieldError[]): PlanResult {
  return { ok: false, code, fieldErrors };
}

function hostError(code: PlanFailureCode, message: string): PlanResult {
  return fail(code, [{ field: HOST_FIELD, message }]);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function parseSpec(raw: unknown): { spec: BondSpec } | { errors: FieldError[] } {
  const parsed = bondSpecSchema.safeParse(raw);
  if (!parsed.success) return { errors: parsed.error.issues.map((i) => ({ field: fieldKey(i.path) || HOST_FIELD, message: i.message })) };
  // Broken UTF-16 cannot be stored as text on the box (the middleware's DB, a config file).
  if (LONE_SURROGATE.test(parsed.data.description)) return { errors: [{ field: 'description', message: 'Description contains an invalid character' }] };
  return { spec: parsed.data };
}

function defaultRunId(action: PlanAction, bondName: string, facts: HostFacts): string {
  return `${action}-${bondName}-${facts.collectedAt.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || 'now'}`;
}

function commonWarnings(spec: BondSpec | null, facts: HostFacts, action: PlanAction, bondName: string): string[] {
  if (spec === null || action === 'delete') return [];
  const out: string[] = [];
  const move = managementMove(spec, facts);
  if (move?.carried) {
    out.push(`This SSH session (${move.address} on ${move.nic}) moves onto ${bondName}. If the host cannot be reached afterwards, it returns to its previous configuration when the timer runs out.`);
    if (move.viaDhcp) out.push(`${bondName} gets its address from DHCP: it usually keeps ${move.address} (it takes ${move.nic}'s MAC), but if it does not, Bondsmith cannot reconnect and the change is rolled back.`);
    if (spec.protocol !== 'FAILOVER') out.push(`${spec.protocol} on the management path needs the switch ports set up for it first; FAILOVER works with any switch.`);
  }
  const mgmt = managementNic(facts);
  const onPath = mgmt !== null && (mgmt === bondName || spec.members.includes(mgmt));
  const currentMtu = mgmt !== null ? findInterface(facts, mgmt)?.mtu ?? null : null;
  if (onPath && spec.mtu !== null && spec.mtu !== currentMtu) out.push(`The MTU of this SSH session's path changes to ${spec.mtu}; if the network does not carry that size, the session stalls and the change is rolled back.`);
  const speeds = new Set(spec.members.map((m) => findInterface(facts, m)?.speedMbps).filter((s): s is number => typeof s === 'number' && s > 0));
  if (spec.protocol === 'LACP' && speeds.size > 1) out.push(`The members run at different speeds (${[...speeds].join(', ')} Mb/s); LACP aggregates only ports of the same speed.`);
  for (const m of spec.members) {
    const iface = findInterface(facts, m);
    if (iface && (iface.carrier === false || iface.operState === 'lowerlayerdown')) out.push(`${m} has no link (cable or switch port down).`);
  }
  return out;
}

export function planBondChange(input: PlanInput): PlanResult {
  const { facts, action } = input;
  const o = input.options ?? {};
  const timeout = o.checkinTimeoutSeconds ?? 60;
  if (!Number.isInteger(timeout) || timeout < 10 || timeout > 300) return fail('INVALID_SPEC', [{ field: 'checkinTimeoutSeconds', message: 'Check-in timeout is between 10 and 300 s' }]);
  let spec: BondSpec | null = null;
  if (action !== 'delete' || input.spec !== undefined) {
    const parsed = parseSpec(input.spec);
    if ('errors' in parsed) return fail('INVALID_SPEC', parsed.errors);
    spec = parsed.spec;
  }
  const bondName = action === 'create' ? (spec?.name ?? '') : (input.existingBondName ?? spec?.name ?? '');
  if (!/^bond[0-9]{1,4}$/.test(bondName)) return fail('INVALID_SPEC', [{ field: 'name', message: 'Which bond to change was not given' }]);
  const runId = o.runId ?? defaultRunId(action, bondName, facts);
  if (!isSafeRunId(runId)) return hostError('INVALID_SPEC', 'The run id may use letters, digits, "-" and "_" only');
  const refusal = changeRefusal(facts);
  const driver = driverForFacts(facts);
  if (refusal !== null || driver === null) return hostError('NO_DRIVER', refusal ?? 'Bondsmith cannot change this host.');

  const allowVirtualMembers = o.allowVirtualMembers ?? false;
  const hostErrors =
    spec === null || action === 'delete'
      ? validateDelete(bondName, facts)
      : validateAgainstHost(spec, facts, { action, existingBondName: action === 'update' ? bondName : null, allowVirtualMembers });
  if (hostErrors.length > 0) return fail('HOST_CONFLICT', hostErrors);

  const planned = driver.plan({
    facts,
    extras: o.extras ?? null,
    action,
    spec,
    bondName,
    runId,
    checkinTimeoutSeconds: timeout,
    sudo: o.sudo ?? false,
    allowVirtualMembers,
    resetNicConfig: o.resetNicConfig ?? [],
  });
  if (!planned.ok) return fail(planned.code, [...planned.fieldErrors]);
  const { impact, verify, steps, rollbackScript } = planned.plan;
  let warnings = [...planned.plan.warnings];
  if (impact.gatewayAtRisk && !warnings.some((w) => w.includes('default route'))) {
    warnings = [...warnings, 'The default route leaves through an interface this change reconfigures; Bondsmith keeps it, and the rollback restores it if it is lost.'];
  }
  const plan: Plan = {
    hostId: input.hostId,
    runId,
    driver: driver.kind,
    action,
    bondName,
    steps,
    impact,
    warnings: [...commonWarnings(spec, facts, action, bondName), ...warnings],
    checkinTimeoutSeconds: timeout,
    verify,
    rollbackScript,
    armedProbe: planned.plan.armedProbe ?? null,
  };
  return { ok: true, plan };
}
