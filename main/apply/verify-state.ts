import { canonicalIp } from '../../preload/contract/ip';
import { parseProcBonding } from '../bond/proc-bonding';
import type { PlanVerify, VerifyFormat } from '../plan/plan-types';

// After apply and before confirm: does the box really look like the plan says? The middleware's
// commit can report success while the bond is broken (truenas-middleware.md §4, §8.7), so this
// reads the live state and compares field by field. Pure: it gets the command output as text.

export interface VerifyCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}


/** A remote JSON value as text for a message; objects and arrays are shown as JSON. */
function text(value: unknown, fallback: string): string {
  if (value === null || value === undefined) return fallback;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function check(name: string, ok: boolean, detail: string): VerifyCheck {
  return { name, ok, detail };
}

function sameCidrSet(expected: readonly string[], actual: readonly string[]): { ok: boolean; missing: string[] } {
  const norm = (c: string): string => {
    const [addr = '', prefix = ''] = c.split('/');
    return `${canonicalIp(addr) ?? addr}/${prefix}`;
  };
  const have = new Set(actual.map(norm));
  const missing = expected.filter((e) => !have.has(norm(e)));
  return { ok: missing.length === 0, missing };
}

export function verifyState(verify: PlanVerify, format: VerifyFormat, stdout: string): VerifyCheck[] {
  return format === 'midclt-query-json' ? verifyMiddleware(verify, stdout) : verifyKernel(verify, stdout);
}

function verifyKernel(verify: PlanVerify, stdout: string): VerifyCheck[] {
  const [procText = '', ipText = ''] = stdout.split('--bondsmith-ip--');
  // The read-state command prints only the word `absent` when /proc/net/bonding/<bond> does not exist.
  const absent = stdout.trim() === 'absent' || ipText.trim() === 'absent' || procText.trim() === '' || /No such file/i.test(procText);
  if (verify.mode === 'absent') {
    return [check(`${verify.bondName} is gone`, absent, absent ? 'the kernel has no such bond' : 'the bond still exists')];
  }
  if (absent) return [check(`${verify.bondName} exists`, false, 'the kernel has no such bond')];
  const parsed = parseProcBonding(verify.bondName, procText);
  if (!parsed.ok) return [check(`${verify.bondName} status readable`, false, parsed.error.message)];
  const bond = parsed.value.status;
  const checks: VerifyCheck[] = [check(`${verify.bondName} exists`, true, `mode ${bond.mode}`)];
  if (verify.kernelMode) checks.push(check('Mode', bond.mode === verify.kernelMode, `expected ${verify.kernelMode}, found ${bond.mode}`));
  const members = bond.members.map((m) => m.name);
  const expectedSet = [...verify.members].sort().join(',');
  checks.push(check('Members', [...members].sort().join(',') === expectedSet, `expected ${verify.members.join(', ')}, found ${members.join(', ') || 'none'}`));
  if (verify.primary) checks.push(check('Primary', bond.primary === verify.primary, `expected ${verify.primary}, found ${bond.primary ?? 'none'}`));
  if (verify.xmitHashPolicy) {
    const found = (bond.xmitHashPolicy ?? '').split(' ')[0] ?? '';
    checks.push(check('Transmit hash policy', found === verify.xmitHashPolicy, `expected ${verify.xmitHashPolicy}, found ${found || 'none'}`));
  }
  if (verify.lacpRate) checks.push(check('LACPDU rate', bond.lacpRate === verify.lacpRate, `expected ${verify.lacpRate}, found ${bond.lacpRate ?? 'none'}`));
  if (verify.miimonMs !== null) {
    checks.push(check('Link monitoring', (bond.miimonMs ?? 0) >= verify.miimonMs, `expected miimon ${verify.miimonMs} ms, found ${bond.miimonMs ?? 0}`));
  }
  const up = bond.members.filter((m) => m.miiStatus === 'up').length;
  checks.push(check('Link', bond.miiStatus === 'up' && up > 0, `bond ${bond.miiStatus}, ${up} of ${members.length} member(s) up`));
  const addrs = kernelAddresses(ipText);
  if (verify.aliases.length > 0 || addrs !== null) {
    const { ok, missing } = sameCidrSet(verify.aliases, addrs ?? []);
    checks.push(check('Addresses', ok && addrs !== null, ok ? `${verify.aliases.join(', ') || 'none expected'} present` : `missing ${missing.join(', ')}`));
  }
  if (verify.mtu !== null) {
    const mtu = kernelMtu(ipText);
    checks.push(check('MTU', mtu === verify.mtu, `expected ${verify.mtu}, found ${mtu ?? 'unknown'}`));
  }
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

function verifyMiddleware(verify: PlanVerify, stdout: string): VerifyCheck[] {
  let entries: unknown;
  try {
    entries = JSON.parse(stdout.trim());
  } catch {
    return [check('Middleware answer', false, 'interface.query did not return JSON')];
  }
  if (!Array.isArray(entries)) return [check('Middleware answer', false, 'interface.query did not return a list')];
  const entry = entries[0] as Record<string, unknown> | undefined;
  if (verify.mode === 'absent') {
    return [check(`${verify.bondName} is gone`, entry === undefined, entry === undefined ? 'the middleware no longer lists it' : 'the middleware still lists it')];
  }
  if (!entry || typeof entry !== 'object') return [check(`${verify.bondName} exists`, false, 'the middleware does not list it')];
  const state = (entry.state && typeof entry.state === 'object' ? entry.state : {}) as Record<string, unknown>;
  const checks: VerifyCheck[] = [check(`${verify.bondName} exists`, entry.fake !== true, entry.fake === true ? 'still a fake (uncommitted) entry' : 'committed to the kernel')];
  if (verify.protocol) {
    checks.push(check('Protocol', state.protocol === verify.protocol, `expected ${verify.protocol}, kernel reports ${text(state.protocol, 'none')}`));
  }
  const ports = Array.isArray(state.ports) ? (state.ports as unknown[]).map((p) => (p && typeof p === 'object' ? String((p as Record<string, unknown>).name) : '')) : [];
  checks.push(check('Members', [...ports].sort().join(',') === [...verify.members].sort().join(','), `expected ${verify.members.join(', ')}, kernel has ${ports.join(', ') || 'none'}`));
  if (verify.xmitHashPolicy) {
    checks.push(check('Transmit hash policy', state.xmit_hash_policy === verify.xmitHashPolicy, `expected ${verify.xmitHashPolicy}, kernel has ${text(state.xmit_hash_policy, 'none')}`));
  }
  if (verify.lacpRate) checks.push(check('LACPDU rate', state.lacpdu_rate === verify.lacpRate, `expected ${verify.lacpRate}, kernel has ${text(state.lacpdu_rate, 'none')}`));
  checks.push(check('Link', state.link_state === 'LINK_STATE_UP', `link state ${text(state.link_state, 'unknown')}`));
  const aliases = Array.isArray(state.aliases)
    ? (state.aliases as unknown[])
        .filter((a): a is Record<string, unknown> => Boolean(a) && typeof a === 'object')
        .filter((a) => a.type === 'INET' || a.type === 'INET6')
        .map((a) => `${String(a.address)}/${String(a.netmask)}`)
    : [];
  const { ok, missing } = sameCidrSet(verify.aliases, aliases);
  checks.push(check('Addresses', ok, ok ? `${verify.aliases.join(', ') || 'none expected'} present` : `missing ${missing.join(', ')}`));
  if (verify.mtu !== null) checks.push(check('MTU', state.mtu === verify.mtu, `expected ${verify.mtu}, kernel has ${text(state.mtu, 'unknown')}`));
  return checks;
}

