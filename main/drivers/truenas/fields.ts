import { fieldApplies, type BondFieldKey, type BondSpec } from '../../../preload/contract/bond-spec';
import { ipFamily } from '../../../preload/contract/ip';
import { kernelHashPolicy, kernelLacpRate } from '../../bond/kernel-words';
import type { PlanVerify } from '../../plan/plan-types';
import { check, sameCidrSet, sameMembers, text, type VerifyCheck } from '../../plan/verify-check';
import type { JsonValue } from './payload';

// Everything the TrueNAS driver knows about each editor field, in one table: what it sends to the
// middleware and how it checks the result. A new field in the contract's BOND_FIELDS fails to
// compile here until it says both.

export type Payload = Record<string, JsonValue>;
export type Entry = Record<string, unknown>;
const NONE: Payload = {};

interface TruenasField {
  /** The middleware's LINK_AGGREGATION keys for it (§2). */
  readonly payload: (spec: BondSpec) => Payload;
  /** Checked against interface.query's `state` (what the kernel runs), after the commit. */
  readonly verify: (spec: BondSpec, state: Entry, verify: PlanVerify) => VerifyCheck[];
}

export const TRUENAS_FIELDS: { readonly [K in BondFieldKey]: TruenasField } = {
  // Hash policy only for LACP/LOADBALANCE, LACPDU rate only for LACP: 25.10 refuses the keys elsewhere.
  name: { payload: () => NONE /* create only (it cannot change), see createPayload */, verify: () => [] },
  description: {
    payload: (spec) => ({ description: spec.description }),
    verify: () => [], // a DB-only field; the middleware has no kernel state for it
  },
  protocol: {
    payload: (spec) => ({ lag_protocol: spec.protocol }),
    verify: (spec, state) => [check('Protocol', state.protocol === spec.protocol, `expected ${spec.protocol}, kernel reports ${text(state.protocol, 'none')}`)],
  },
  xmitHashPolicy: {
    payload: (spec) => (fieldApplies('xmitHashPolicy', spec.protocol) && spec.xmitHashPolicy !== null ? { xmit_hash_policy: spec.xmitHashPolicy } : NONE),
    verify: (spec, state) => {
      if (!fieldApplies('xmitHashPolicy', spec.protocol)) return [];
      const expected = kernelHashPolicy(spec.xmitHashPolicy ?? 'LAYER2+3');
      return [check('Transmit hash policy', state.xmit_hash_policy === expected, `expected ${expected}, kernel has ${text(state.xmit_hash_policy, 'none')}`)];
    },
  },
  lacpduRate: {
    payload: (spec) => (fieldApplies('lacpduRate', spec.protocol) && spec.lacpduRate !== null ? { lacpdu_rate: spec.lacpduRate } : NONE),
    verify: (spec, state) => {
      if (!fieldApplies('lacpduRate', spec.protocol)) return [];
      const expected = kernelLacpRate(spec.lacpduRate ?? 'SLOW');
      return [check('LACPDU rate', state.lacpdu_rate === expected, `expected ${expected}, kernel has ${text(state.lacpdu_rate, 'none')}`)];
    },
  },
  mtu: {
    payload: (spec) => ({ mtu: spec.mtu }),
    verify: (_spec, state, verify) => (verify.mtu !== null ? [check('MTU', state.mtu === verify.mtu, `expected ${verify.mtu}, kernel has ${text(state.mtu, 'unknown')}`)] : []),
  },
  members: {
    payload: (spec) => ({ lag_ports: [...spec.members] }),
    verify: (spec, state) => {
      const ports = Array.isArray(state.ports) ? (state.ports as unknown[]).map((p) => (p && typeof p === 'object' ? String((p as Entry).name) : '')) : [];
      return [check('Members', sameMembers(spec.members, ports), `expected ${spec.members.join(', ')}, kernel has ${ports.join(', ') || 'none'}`)];
    },
  },
  dhcp: {
    payload: (spec) => ({ ipv4_dhcp: spec.dhcp }),
    verify: () => [], // a lease may come after the window opens; the static aliases are checked below
  },
  aliases: {
    payload: (spec) => ({ aliases: spec.aliases.map((a) => ({ type: ipFamily(a.address) === 'inet6' ? 'INET6' : 'INET', address: a.address, netmask: a.prefix })) }),
    verify: (spec, state) => {
      const expected = spec.aliases.map((a) => `${a.address}/${a.prefix}`);
      const aliases = Array.isArray(state.aliases)
        ? (state.aliases as unknown[])
            .filter((a): a is Entry => Boolean(a) && typeof a === 'object')
            .filter((a) => a.type === 'INET' || a.type === 'INET6')
            .map((a) => `${String(a.address)}/${String(a.netmask)}`)
        : [];
      const { ok, missing } = sameCidrSet(expected, aliases);
      return [check('Addresses', ok, ok ? `${expected.join(', ') || 'none expected'} present` : `missing ${missing.join(', ')}`)];
    },
  },
};
