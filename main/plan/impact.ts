import type { BondSpec } from '../../preload/contract/bond-spec';
import { PROTOCOL_TO_MODE } from '../../preload/contract/bond-spec';
import type { HostFacts } from '../../preload/contract/inventory';
import { cidr, currentMembers, findInterface, managementMove, managementNic, routableAddresses, sameIp, touchedInterfaces } from './host-view';
import { kernelHashPolicy, MIIMON_MS } from './linux-runtime';
import type { PlanAction, PlanDriver, PlanImpact, PlanVerify } from './plan-types';

// What a change does beyond the bond itself, in the terms the plan screen shows (DESIGN.md "A plan
// before every apply"), and what the verifier must find afterwards.

export interface ImpactInput {
  readonly facts: HostFacts;
  readonly driver: PlanDriver;
  readonly action: PlanAction;
  readonly bondName: string;
  readonly spec: BondSpec | null;
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
  // Linux recreates the bond on update, and TrueNAS does when the first member changes.
  const rebuilt = action === 'update' && (input.driver === 'linux-ifupdown' || oldMembers[0] !== newMembers[0]);
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
  readonly driver: PlanDriver;
  readonly action: PlanAction;
  readonly bondName: string;
  readonly spec: BondSpec | null;
  /** TrueNAS before 25.10.2.2 leaves FAILOVER/LOADBALANCE without miimon. */
  readonly truenasForcesMiimon: boolean;
}

export function computeVerify(input: VerifyInput): PlanVerify {
  const { facts, action, bondName, spec, driver } = input;
  const oldMembers = action === 'create' ? [] : currentMembers(facts, bondName);
  if (spec === null || action === 'delete') {
    return {
      mode: 'absent',
      bondName,
      protocol: null,
      kernelMode: null,
      members: [],
      primary: null,
      xmitHashPolicy: null,
      lacpRate: null,
      miimonMs: null,
      aliases: [],
      dhcp: false,
      mtu: null,
      reconnectAddress: null,
      releasedMembers: oldMembers,
    };
  }
  const p = spec.protocol;
  // The kernel itself sets miimon 100 when a bond becomes 802.3ad (bond_option_mode_set).
  const miimonMs = driver === 'linux-ifupdown' || p === 'LACP' || input.truenasForcesMiimon ? MIIMON_MS : null;
  return {
    mode: 'present',
    bondName,
    protocol: p,
    kernelMode: PROTOCOL_TO_MODE[p],
    members: [...spec.members],
    primary: p === 'FAILOVER' ? (spec.members[0] ?? null) : null,
    xmitHashPolicy: p === 'FAILOVER' ? null : (kernelHashPolicy(spec.xmitHashPolicy) ?? 'layer2+3'),
    lacpRate: p === 'LACP' ? (spec.lacpduRate === 'FAST' ? 'fast' : 'slow') : null,
    miimonMs,
    aliases: spec.aliases.map(cidr),
    dhcp: spec.dhcp,
    // TrueNAS applies 1500 when no MTU is set; on Linux an unset MTU is left to the kernel.
    mtu: spec.mtu ?? (driver === 'truenas' ? 1500 : null),
    // The session's address stays the same (it moves with the management NIC); reconnect as usual.
    reconnectAddress: null,
    releasedMembers: oldMembers.filter((m) => !spec.members.includes(m)),
  };
}
