import type { BondFieldKey, BondSpec } from '../../preload/contract/bond-spec';
import type { BondStatus, HostFacts, NetInterface } from '../../preload/contract/inventory';
import { hashPolicyFromKernel, kernelHashPolicy } from '../bond/kernel-words';
import { currentMembers, routableAddresses } from '../plan/host-view';
import type { PlanVerify } from '../plan/plan-types';
import { check, sameCidrSet, sameMembers, type VerifyCheck } from '../plan/verify-check';

// Every editor field as the Linux kernel shows it, in one table shared by the drivers: how an
// existing bond's field is read back from discovery (every driver), and how it is checked against
// the running kernel after a change (drivers whose stack drives the kernel's bonding directly).
// A new field in the contract's BOND_FIELDS fails to compile here until it says both.

/** What a driver knows better than the kernel about one bond. */
export interface StackReading {
  /** Members in the order the stack keeps them (the kernel lists them in enslave order). */
  readonly members?: readonly string[];
  readonly description?: string;
  readonly dhcp?: boolean;
}

export interface KernelSource {
  readonly name: string;
  readonly bond: BondStatus & { protocol: NonNullable<BondStatus['protocol']> };
  readonly iface: NetInterface | undefined;
  readonly facts: HostFacts;
  readonly stack: StackReading;
}

export interface LiveKernelBond {
  readonly bond: BondStatus;
  readonly members: readonly string[];
  /** Addresses on the bond, or null when `ip -j` printed nothing readable. */
  readonly addresses: readonly string[] | null;
  readonly mtu: number | null;
}

interface KernelField<K extends BondFieldKey> {
  readonly read: (s: KernelSource) => BondSpec[K];
  readonly verify: (spec: BondSpec, live: LiveKernelBond, verify: PlanVerify) => VerifyCheck[];
}

export const KERNEL_FIELDS: { readonly [K in BondFieldKey]: KernelField<K> } = {
  name: {
    read: (s) => s.name,
    verify: () => [], // the bond was found under its name before any field is checked
  },
  description: {
    read: (s) => (s.stack.description ?? s.iface?.description ?? '').slice(0, 120),
    verify: () => [], // the kernel keeps no description; ifupdown keeps it as a comment in the file written at confirm
  },
  protocol: {
    read: (s) => s.bond.protocol,
    verify: (_spec, live, verify) => (verify.kernelMode ? [check('Mode', live.bond.mode === verify.kernelMode, `expected ${verify.kernelMode}, found ${live.bond.mode}`)] : []),
  },
  xmitHashPolicy: {
    read: (s) => hashPolicyFromKernel(s.bond.xmitHashPolicy) ?? 'LAYER2+3',
    verify: (spec, live) => {
      if (spec.protocol === 'FAILOVER') return [];
      const expected = kernelHashPolicy(spec.xmitHashPolicy ?? 'LAYER2+3');
      const found = (live.bond.xmitHashPolicy ?? '').split(' ')[0] ?? '';
      return [check('Transmit hash policy', found === expected, `expected ${expected}, found ${found || 'none'}`)];
    },
  },
  lacpduRate: {
    read: (s) => s.bond.lacpduRate ?? 'SLOW',
    verify: (spec, live) => {
      if (spec.protocol !== 'LACP') return [];
      const expected = spec.lacpduRate ?? 'SLOW';
      return [check('LACPDU rate', live.bond.lacpduRate === expected, `expected ${expected}, found ${live.bond.lacpduRate ?? 'none'}`)];
    },
  },
  mtu: {
    read: (s) => (s.iface?.mtu && s.iface.mtu !== 1500 ? s.iface.mtu : null),
    verify: (_spec, live, verify) => (verify.mtu !== null ? [check('MTU', live.mtu === verify.mtu, `expected ${verify.mtu}, found ${live.mtu ?? 'unknown'}`)] : []),
  },
  members: {
    read: (s) => {
      const members = s.stack.members && s.stack.members.length > 0 ? [...s.stack.members] : currentMembers(s.facts, s.name);
      // FAILOVER's first member is its primary.
      if (s.bond.protocol === 'FAILOVER' && s.bond.primary) {
        const i = members.indexOf(s.bond.primary);
        if (i > 0) members.unshift(...members.splice(i, 1));
      }
      return members.slice(0, 16);
    },
    verify: (spec, live) => {
      const out = [check('Members', sameMembers(spec.members, live.members), `expected ${spec.members.join(', ')}, found ${live.members.join(', ') || 'none'}`)];
      const primary = spec.protocol === 'FAILOVER' ? (spec.members[0] ?? null) : null;
      if (primary) out.push(check('Primary', live.bond.primary === primary, `expected ${primary}, found ${live.bond.primary ?? 'none'}`));
      return out;
    },
  },
  dhcp: {
    read: (s) => s.stack.dhcp ?? false,
    verify: () => [], // a lease may come after the window opens; the static addresses are checked below
  },
  aliases: {
    // On DHCP the lease (a dynamic address) is the client's, not an alias of the bond's configuration.
    read: (s) =>
      routableAddresses(s.iface)
        .filter((a) => !(s.stack.dhcp === true && a.dynamic === true))
        .slice(0, 64)
        .map((a) => ({ address: a.address, prefix: a.prefix })),
    verify: (spec, live) => {
      const expected = spec.aliases.map((a) => `${a.address}/${a.prefix}`);
      if (expected.length === 0 && live.addresses === null) return [];
      const { ok, missing } = sameCidrSet(expected, live.addresses ?? []);
      return [check('Addresses', ok && live.addresses !== null, ok ? `${expected.join(', ') || 'none expected'} present` : `missing ${missing.join(', ')}`)];
    },
  },
};
