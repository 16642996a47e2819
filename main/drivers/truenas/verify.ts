import { BOND_FIELD_KEYS, type BondFieldKey, type BondSpec } from '../../../preload/contract/bond-spec';
import { kernelHashPolicy, kernelLacpRate } from '../../bond/kernel-words';
import type { PlanVerify } from '../../plan/plan-types';
import { check, sameCidrSet, sameMembers, text, type VerifyCheck } from '../../plan/verify-check';

// After the commit and before the check-in: does the middleware's view of the running kernel match
// the plan? The commit can report success while the bond is broken (truenas-middleware.md §4, §8.7),
// so this reads `interface.query`'s `state` (what the kernel runs), not the config DB.

type Entry = Record<string, unknown>;

/** Each editor field, checked against the middleware's `state`: a new field in the table must say how. */
const FIELD_CHECKS: { readonly [K in BondFieldKey]: (spec: BondSpec, state: Entry, verify: PlanVerify) => VerifyCheck[] } = {
  name: () => [],
  description: () => [], // a DB-only field; the middleware has no kernel state for it
  protocol: (spec, state) => [check('Protocol', state.protocol === spec.protocol, `expected ${spec.protocol}, kernel reports ${text(state.protocol, 'none')}`)],
  xmitHashPolicy: (spec, state) => {
    if (spec.protocol === 'FAILOVER') return [];
    const expected = kernelHashPolicy(spec.xmitHashPolicy ?? 'LAYER2+3');
    return [check('Transmit hash policy', state.xmit_hash_policy === expected, `expected ${expected}, kernel has ${text(state.xmit_hash_policy, 'none')}`)];
  },
  lacpduRate: (spec, state) => {
    if (spec.protocol !== 'LACP') return [];
    const expected = kernelLacpRate(spec.lacpduRate ?? 'SLOW');
    return [check('LACPDU rate', state.lacpdu_rate === expected, `expected ${expected}, kernel has ${text(state.lacpdu_rate, 'none')}`)];
  },
  members: (spec, state) => {
    const ports = Array.isArray(state.ports) ? (state.ports as unknown[]).map((p) => (p && typeof p === 'object' ? String((p as Entry).name) : '')) : [];
    return [check('Members', sameMembers(spec.members, ports), `expected ${spec.members.join(', ')}, kernel has ${ports.join(', ') || 'none'}`)];
  },
  aliases: (spec, state) => {
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
  dhcp: () => [], // a lease may come after the window opens; the static aliases are checked above
  mtu: (_spec, state, verify) => (verify.mtu !== null ? [check('MTU', state.mtu === verify.mtu, `expected ${verify.mtu}, kernel has ${text(state.mtu, 'unknown')}`)] : []),
};

/** `interface.query [["id","=",<bond>]]` output: a JSON list with at most one entry. */
export function verifyMiddleware(verify: PlanVerify, stdout: string): VerifyCheck[] {
  let entries: unknown;
  try {
    entries = JSON.parse(stdout.trim());
  } catch {
    return [check('Middleware answer', false, 'interface.query did not return JSON')];
  }
  if (!Array.isArray(entries)) return [check('Middleware answer', false, 'interface.query did not return a list')];
  const entry = entries[0] as Entry | undefined;
  if (verify.mode === 'absent' || verify.expected === null) {
    return [check(`${verify.bondName} is gone`, entry === undefined, entry === undefined ? 'the middleware no longer lists it' : 'the middleware still lists it')];
  }
  if (!entry || typeof entry !== 'object') return [check(`${verify.bondName} exists`, false, 'the middleware does not list it')];
  const state = (entry.state && typeof entry.state === 'object' ? entry.state : {}) as Entry;
  const checks: VerifyCheck[] = [check(`${verify.bondName} exists`, entry.fake !== true, entry.fake === true ? 'still a fake (uncommitted) entry' : 'committed to the kernel')];
  for (const key of BOND_FIELD_KEYS) checks.push(...FIELD_CHECKS[key](verify.expected, state, verify));
  checks.push(check('Link', state.link_state === 'LINK_STATE_UP', `link state ${text(state.link_state, 'unknown')}`));
  return checks;
}
