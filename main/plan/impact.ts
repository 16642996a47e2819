import type { BondSpec } from '../../preload/contract/bond-spec';
import { PROTOCOL_TO_MODE } from '../../preload/contract/bond-spec';
import type { HostFacts } from '../../preload/contract/inventory';
import { currentMembers, findInterface, managementMove, managementNic, routableAddresses, cidr, sameIp, touchedInterfaces } from './host-view';
import type { PlanAction, PlanImpact, PlanVerify } from './plan-types';

// What a change does beyond the bond itself, in the terms the plan screen shows (DESIGN.md "A plan
// before every apply"), and what the verifier must find afterwards. Drivers call these with what
// their stack does differently (whether an update rebuilds the bond, the MTU it applies by default).

export interface ImpactInput {
  readonly facts: HostFacts;
  readonly action: PlanAction;
  readonly bondName: string;
  readonly spec: BondSpec | null;
  /** The stack destroys and recreates the bond on this update (all members are reconfigured). */
  readonly rebuildsOnUpdate: boolean;
  readonly servicesStepId: string | null;
}

export function computeImpact(input: ImpactInput): PlanImpact {
  const { facts, action, bondName, spec } = input;
  const oldMembers = action === 'create' ? [] : currentMembers(facts, bondName);
  const newMembers = spec && action !== 'delete' ? spec.members : [];
  const touched = touchedInterfaces(bondName, oldMembers, newMembers);
  const kept = spec && action !== 'delete' ? spec.aliases.map((a) => a.address) : [];
  const addressesRemoved = touched.flatMap((name) => routableAddresses(findInterface(facts, name)).filter((a) => !kept.some((k) => sameIp(k, a.address))).map(cidr));
  const mgmt = managementNic(facts);
  const move = spec && action !== 'delete' ? managementMove(spec, facts) : null;
  const added = newMembers.filter((m) => !oldMembers.includes(m));
  const removed = oldMembers.filter((m) => !newMembers.includes(m));
  const rebuilt = action === 'update' && input.rebuildsOnUpdate;
  const membersReconfigured = action === 'update' && !rebuilt ? [...added, ...removed] : [...new Set([...oldMembers, ...newMembers])];
  return {
    addressesRemoved,
    managementAffected: mgmt !== null && touched.includes(mgmt),
    managementMigration: move && move.carried ? { fromNic: move.nic, toBond: bondName, address: move.address } : null,
    gatewayAtRisk: facts.defaultRoutes.some((r) => touched.includes(r.dev)),
    servicesRestartedStepId: input.servicesStepId,
    membersReconfigured,
  };
}

export interface VerifyInput {
  readonly facts: HostFacts;
  readonly action: PlanAction;
  readonly bondName: string;
  readonly spec: BondSpec | null;
  /** Link monitoring the bond must run with (ms), or null when the stack leaves it off. */
  readonly miimonMs: number | null;
  /** The MTU the stack applies when the spec sets none; null: left to the kernel, not checked. */
  readonly defaultMtu: number | null;
}

export function computeVerify(input: VerifyInput): PlanVerify {
  const { facts, action, bondName, spec } = input;
  const oldMembers = action === 'create' ? [] : currentMembers(facts, bondName);
  if (spec === null || action === 'delete') {
    return { mode: 'absent', bondName, expected: null, kernelMode: null, miimonMs: null, mtu: null, reconnectAddress: null, releasedMembers: oldMembers };
  }
  return {
    mode: 'present',
    bondName,
    expected: spec,
    kernelMode: PROTOCOL_TO_MODE[spec.protocol],
    miimonMs: input.miimonMs,
    mtu: spec.mtu ?? input.defaultMtu,
    // The session's address stays the same (it moves with the management NIC); reconnect as usual.
    reconnectAddress: null,
    releasedMembers: oldMembers.filter((m) => !spec.members.includes(m)),
  };
}
