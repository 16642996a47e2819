import { BOND_FIELD_KEYS, fieldApplies, type BondFieldKey, type BondSpec } from '../../../preload/contract/bond-spec';
import { ipFamily } from '../../../preload/contract/ip';
import { quoteForShell } from '../../shell/quote';

// The middleware's LINK_AGGREGATION payloads (reference/truenas-middleware.md §2). Only documented keys
// are sent, as real ints and bools: 25.10's models are strict with extra="forbid".

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `midclt call <method> <arg>...`, each argument one single-quoted JSON value (§6). */
export function midcltCall(method: string, ...args: readonly JsonValue[]): string {
  return ['midclt', 'call', method, ...args.map((a) => quoteForShell(JSON.stringify(a)))].join(' ');
}

type Payload = Record<string, JsonValue>;
const NONE: Payload = {};

/**
 * Each editor field as the middleware's LINK_AGGREGATION keys (§2): a new field in the table must
 * say what it sends. Hash policy only for LACP/LOADBALANCE, LACPDU rate only for LACP (25.10 refuses
 * the keys elsewhere).
 */
const FIELD_PAYLOAD: { readonly [K in BondFieldKey]: (spec: BondSpec) => Payload } = {
  name: () => NONE, // create only (it cannot change), see createPayload
  description: (spec) => ({ description: spec.description }),
  protocol: (spec) => ({ lag_protocol: spec.protocol }),
  xmitHashPolicy: (spec) => (fieldApplies('xmitHashPolicy', spec.protocol) && spec.xmitHashPolicy !== null ? { xmit_hash_policy: spec.xmitHashPolicy } : NONE),
  lacpduRate: (spec) => (fieldApplies('lacpduRate', spec.protocol) && spec.lacpduRate !== null ? { lacpdu_rate: spec.lacpduRate } : NONE),
  members: (spec) => ({ lag_ports: [...spec.members] }),
  aliases: (spec) => ({ aliases: spec.aliases.map((a) => ({ type: ipFamily(a.address) === 'inet6' ? 'INET6' : 'INET', address: a.address, netmask: a.prefix })) }),
  dhcp: (spec) => ({ ipv4_dhcp: spec.dhcp }),
  mtu: (spec) => ({ mtu: spec.mtu }),
};

function lagFields(spec: BondSpec): Payload {
  return Object.assign({}, ...BOND_FIELD_KEYS.map((k) => FIELD_PAYLOAD[k](spec))) as Payload;
}

export function createPayload(spec: BondSpec): Payload {
  return { type: 'LINK_AGGREGATION', name: spec.name, ...lagFields(spec) };
}

/** Update sends every editor field: lists replace, and omitted fields would silently keep old values. */
export function updatePayload(spec: BondSpec): Payload {
  return lagFields(spec);
}
