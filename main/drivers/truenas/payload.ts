import { BOND_FIELD_KEYS, type BondSpec } from '../../../preload/contract/bond-spec';
import { TRUENAS_FIELDS, type Payload } from './fields';
import { quoteForShell } from '../../shell/quote';

// The middleware's LINK_AGGREGATION payloads (reference/truenas-middleware.md §2). Only documented keys
// are sent, as real ints and bools: 25.10's models are strict with extra="forbid".

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `midclt call <method> <arg>...`, each argument one single-quoted JSON value (§6). */
export function midcltCall(method: string, ...args: readonly JsonValue[]): string {
  return ['midclt', 'call', method, ...args.map((a) => quoteForShell(JSON.stringify(a)))].join(' ');
}

function lagFields(spec: BondSpec): Payload {
  return Object.assign({}, ...BOND_FIELD_KEYS.map((k) => TRUENAS_FIELDS[k].payload(spec))) as Payload;
}

export function createPayload(spec: BondSpec): Payload {
  return { type: 'LINK_AGGREGATION', name: spec.name, ...lagFields(spec) };
}

/** Update sends every editor field: lists replace, and omitted fields would silently keep old values. */
export function updatePayload(spec: BondSpec): Payload {
  return lagFields(spec);
}
