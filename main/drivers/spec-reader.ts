import { BOND_FIELD_KEYS, fieldApplies, type BondFieldKey, type BondSpec } from '../../preload/contract/bond-spec';
import type { BondStatus, HostFacts, NetInterface } from '../../preload/contract/inventory';
import { hashPolicyFromKernel } from '../bond/kernel-words';
import { currentMembers, findInterface, routableAddresses } from '../plan/host-view';

// The editor's fields of an existing bond, read back from what discovery found: the kernel's view,
// with what a driver's stack keeps beyond it (TrueNAS's member order and description in its DB, say).
// Each field has its reader: a new field in the table must say where it comes from.

/** What a driver knows better than the kernel about one bond. */
export interface StackReading {
  /** Members in the order the stack keeps them (the kernel lists them in enslave order). */
  readonly members?: readonly string[];
  readonly description?: string;
  readonly dhcp?: boolean;
}

interface Source {
  readonly name: string;
  readonly bond: BondStatus & { protocol: NonNullable<BondStatus['protocol']> };
  readonly iface: NetInterface | undefined;
  readonly facts: HostFacts;
  readonly stack: StackReading;
}

const READERS: { readonly [K in BondFieldKey]: (s: Source) => BondSpec[K] } = {
  name: (s) => s.name,
  description: (s) => (s.stack.description ?? s.iface?.description ?? '').slice(0, 120),
  protocol: (s) => s.bond.protocol,
  xmitHashPolicy: (s) => hashPolicyFromKernel(s.bond.xmitHashPolicy) ?? 'LAYER2+3',
  lacpduRate: (s) => s.bond.lacpduRate ?? 'SLOW',
  members: (s) => {
    const members = s.stack.members && s.stack.members.length > 0 ? [...s.stack.members] : currentMembers(s.facts, s.name);
    // FAILOVER's first member is its primary.
    if (s.bond.protocol === 'FAILOVER' && s.bond.primary) {
      const i = members.indexOf(s.bond.primary);
      if (i > 0) members.unshift(...members.splice(i, 1));
    }
    return members.slice(0, 16);
  },
  aliases: (s) => routableAddresses(s.iface).slice(0, 64).map((a) => ({ address: a.address, prefix: a.prefix })),
  dhcp: (s) => s.stack.dhcp ?? false,
  mtu: (s) => (s.iface?.mtu && s.iface.mtu !== 1500 ? s.iface.mtu : null),
};

/** The bond's editor fields, or null when it runs a mode the editor does not offer. */
export function readBondSpec(facts: HostFacts, bondName: string, stack: StackReading = {}): BondSpec | null {
  const bond = facts.bonds.find((b) => b.name === bondName);
  if (!bond?.protocol) return null;
  const source: Source = { name: bondName, bond: { ...bond, protocol: bond.protocol }, iface: findInterface(facts, bondName), facts, stack };
  const spec = Object.fromEntries(BOND_FIELD_KEYS.map((k) => [k, READERS[k](source)])) as BondSpec;
  for (const key of BOND_FIELD_KEYS) if (!fieldApplies(key, spec.protocol)) (spec as Record<BondFieldKey, unknown>)[key] = null;
  return spec;
}
