import type { BondSpec } from '../../preload/contract/bond-spec';
import { ipFamily } from '../../preload/contract/ip';
import { quoteForShell } from '../shell/quote';

// The middleware's LINK_AGGREGATION payloads (reference/truenas-middleware.md §2). Only documented keys
// are sent, as real ints and bools: 25.10's models are strict with extra="forbid".

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `midclt call <method> <arg>...`, each argument one single-quoted JSON value (§6). */
export function midcltCall(method: string, ...args: readonly JsonValue[]): string {
  return ['midclt', 'call', method, ...args.map((a) => quoteForShell(JSON.stringify(a)))].join(' ');
}

function aliasesPayload(spec: BondSpec): JsonValue {
  return spec.aliases.map((a) => ({ type: ipFamily(a.address) === 'inet6' ? 'INET6' : 'INET', address: a.address, netmask: a.prefix }));
}

/** Fields shared by create and update; hash policy only for LACP/LOADBALANCE, LACPDU rate only for LACP. */
function lagFields(spec: BondSpec): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {
    description: spec.description,
    lag_protocol: spec.protocol,
    lag_ports: [...spec.members],
  };
  if (spec.protocol !== 'FAILOVER' && spec.xmitHashPolicy !== null) out['xmit_hash_policy'] = spec.xmitHashPolicy;
  if (spec.protocol === 'LACP' && spec.lacpduRate !== null) out['lacpdu_rate'] = spec.lacpduRate;
  out['aliases'] = aliasesPayload(spec);
  out['ipv4_dhcp'] = spec.dhcp;
  out['mtu'] = spec.mtu;
  return out;
}

export function createPayload(spec: BondSpec): Record<string, JsonValue> {
  return { type: 'LINK_AGGREGATION', name: spec.name, ...lagFields(spec) };
}

/** Update sends every editor field: lists replace, and omitted fields would silently keep old values. */
export function updatePayload(spec: BondSpec): Record<string, JsonValue> {
  return lagFields(spec);
}
