import { BOND_FIELD_KEYS } from '../../preload/contract/bond-spec';
import { parseProcBonding } from '../bond/proc-bonding';
import type { PlanVerify } from '../plan/plan-types';
import { check, type VerifyCheck } from '../plan/verify-check';
import { KERNEL_FIELDS, type LiveKernelBond } from './kernel-fields';

// Verification against the Linux kernel itself, for every driver whose stack drives the kernel's
// bonding directly (ifupdown, NetworkManager): the read-state step prints /proc/net/bonding/<bond>, a line
// `--bondsmith-ip--`, then `ip -j addr show dev <bond>`; or only the word `absent`.

export const KERNEL_STATE_SEPARATOR = '--bondsmith-ip--';

/** The read-state command for a bond, in the format verifyKernel reads. `bondName` is a checked bond name. */
export function kernelStateCommand(bondName: string): string {
  // A bond that goes while it is read (NetworkManager removes a deleted bond's device a moment after
  // nmcli returns) reads as absent, not as a failed command.
  return `if [ -e /proc/net/bonding/${bondName} ]; then cat /proc/net/bonding/${bondName}; echo ${KERNEL_STATE_SEPARATOR}; ip -j addr show dev ${bondName} || echo absent; else echo absent; fi`;
}

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
  const live: LiveKernelBond = { bond, members: bond.members.map((m) => m.name), addresses: kernelAddresses(ipText), mtu: kernelMtu(ipText) };
  const spec = verify.expected;
  const checks: VerifyCheck[] = [check(`${verify.bondName} exists`, true, `mode ${bond.mode}`)];
  for (const key of BOND_FIELD_KEYS) checks.push(...KERNEL_FIELDS[key].verify(spec, live, verify));
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
