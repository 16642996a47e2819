import { BOND_FIELD_KEYS, type BondFieldKey, type BondSpec } from '../../preload/contract/bond-spec';
import type { BondStatus } from '../../preload/contract/inventory';
import { kernelHashPolicy } from '../bond/kernel-words';
import { parseProcBonding } from '../bond/proc-bonding';
import type { PlanVerify } from '../plan/plan-types';
import { check, sameCidrSet, sameMembers, type VerifyCheck } from '../plan/verify-check';

// Verification against the Linux kernel itself, for every driver whose stack drives the kernel's
// bonding directly (ifupdown today): the read-state step prints /proc/net/bonding/<bond>, a line
// `--bondsmith-ip--`, then `ip -j addr show dev <bond>`; or only the word `absent`.

export const KERNEL_STATE_SEPARATOR = '--bondsmith-ip--';

/** The read-state command for a bond, in the format verifyKernel reads. `bondName` is a checked bond name. */
export function kernelStateCommand(bondName: string): string {
  return `if [ -e /proc/net/bonding/${bondName} ]; then cat /proc/net/bonding/${bondName}; echo ${KERNEL_STATE_SEPARATOR}; ip -j addr show dev ${bondName}; else echo absent; fi`;
}

interface Live {
  readonly bond: BondStatus;
  readonly members: readonly string[];
  /** Addresses on the bond, or null when `ip -j` printed nothing readable. */
  readonly addresses: readonly string[] | null;
  readonly mtu: number | null;
}

/** Each editor field, checked against the running kernel: a new field in the table must say how. */
const FIELD_CHECKS: { readonly [K in BondFieldKey]: (spec: BondSpec, live: Live, verify: PlanVerify) => VerifyCheck[] } = {
  name: () => [], // the bond was found under its name before any field is checked
  description: () => [], // the kernel keeps no description; ifupdown keeps it as a comment in the file written at confirm
  protocol: (_spec, live, verify) => (verify.kernelMode ? [check('Mode', live.bond.mode === verify.kernelMode, `expected ${verify.kernelMode}, found ${live.bond.mode}`)] : []),
  xmitHashPolicy: (spec, live) => {
    if (spec.protocol === 'FAILOVER') return [];
    const expected = kernelHashPolicy(spec.xmitHashPolicy ?? 'LAYER2+3');
    const found = (live.bond.xmitHashPolicy ?? '').split(' ')[0] ?? '';
    return [check('Transmit hash policy', found === expected, `expected ${expected}, found ${found || 'none'}`)];
  },
  lacpduRate: (spec, live) => {
    if (spec.protocol !== 'LACP') return [];
    const expected = spec.lacpduRate ?? 'SLOW';
    return [check('LACPDU rate', live.bond.lacpduRate === expected, `expected ${expected}, found ${live.bond.lacpduRate ?? 'none'}`)];
  },
  members: (spec, live) => {
    const out = [check('Members', sameMembers(spec.members, live.members), `expected ${spec.members.join(', ')}, found ${live.members.join(', ') || 'none'}`)];
    const primary = spec.protocol === 'FAILOVER' ? (spec.members[0] ?? null) : null;
    if (primary) out.push(check('Primary', live.bond.primary === primary, `expected ${primary}, found ${live.bond.primary ?? 'none'}`));
    return out;
  },
  aliases: (spec, live) => {
    const expected = spec.aliases.map((a) => `${a.address}/${a.prefix}`);
    if (expected.length === 0 && live.addresses === null) return [];
    const { ok, missing } = sameCidrSet(expected, live.addresses ?? []);
    return [check('Addresses', ok && live.addresses !== null, ok ? `${expected.join(', ') || 'none expected'} present` : `missing ${missing.join(', ')}`)];
  },
  dhcp: () => [], // a lease may come after the window opens; the static addresses are checked above
  mtu: (_spec, live, verify) => (verify.mtu !== null ? [check('MTU', live.mtu === verify.mtu, `expected ${verify.mtu}, found ${live.mtu ?? 'unknown'}`)] : []),
};

export function verifyKernel(verify: PlanVerify, stdout: string): VerifyCheck[] {
  const [procText = '', ipText = ''] = stdout.split(KERNEL_STATE_SEPARATOR);
  const absent = stdout.trim() === 'absent' || ipText.trim() === 'absent' || procText.trim() === '' || /No such file/i.test(procText);
  if (verify.mode === 'absent' || verify.expected === null) {
    return [check(`${verify.bondName} is gone`, absent, absent ? 'the kernel has no such bond' : 'the bond still exists')];
  }
  if (absent) return [check(`${verify.bondName} exists`, false, 'the kernel has no such bond')];
  const parsed = parseProcBonding(verify.bondName, procText);
  if (!parsed.ok) return [check(`${verify.bondName} status readable`, false, parsed.error.message)];
  const bond = parsed.value.status;
  const live: Live = { bond, members: bond.members.map((m) => m.name), addresses: kernelAddresses(ipText), mtu: kernelMtu(ipText) };
  const spec = verify.expected;
  const checks: VerifyCheck[] = [check(`${verify.bondName} exists`, true, `mode ${bond.mode}`)];
  for (const key of BOND_FIELD_KEYS) checks.push(...FIELD_CHECKS[key](spec, live, verify));
  if (verify.miimonMs !== null) {
    checks.push(check('Link monitoring', (bond.miimonMs ?? 0) >= verify.miimonMs, `expected miimon ${verify.miimonMs} ms, found ${bond.miimonMs ?? 0}`));
  }
  const up = bond.members.filter((m) => m.miiStatus === 'up').length;
  checks.push(check('Link', bond.miiStatus === 'up' && up > 0, `bond ${bond.miiStatus}, ${up} of ${live.members.length} member(s) up`));
  return checks;
}

function ipJson(ipText: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(ipText.trim()) as unknown;
    const first = Array.isArray(parsed) ? (parsed[0] as unknown) : null;
    return first && typeof first === 'object' ? (first as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function kernelAddresses(ipText: string): string[] | null {
  const link = ipJson(ipText);
  if (!link) return null;
  const infos = Array.isArray(link.addr_info) ? (link.addr_info as unknown[]) : [];
  const out: string[] = [];
  for (const info of infos) {
    if (!info || typeof info !== 'object') continue;
    const a = info as Record<string, unknown>;
    if (a.scope === 'link') continue;
    if (typeof a.local === 'string' && typeof a.prefixlen === 'number') out.push(`${a.local}/${a.prefixlen}`);
  }
  return out;
}

function kernelMtu(ipText: string): number | null {
  const link = ipJson(ipText);
  return link && typeof link.mtu === 'number' ? link.mtu : null;
}
