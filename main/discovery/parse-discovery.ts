import { hostFactsSchema, type BondStatus, type Envelope, type HostFacts, type NetInterface } from '../../preload/contract';
import { clip, firstWord, parseBondMode, parseIfaceName, parseLacpduRate, parseLeadingInt, protocolForMode } from '../bond/bond-values';
import { diagnoseBond } from '../bond/diagnose';
import { parseProcBonding, type ProcBondingExtras } from '../bond/proc-bonding';
import { extractJson, firstLineOf, parseKeyValues, parseOsRelease, splitDiscoveryOutput, type DiscoverySection } from './discovery-sections';
import { parseDefaultRoutes, parseIpAddrJson, type SysfsNic } from './parse-ip';
import { parseMiddleware } from './parse-middleware';
import { parseStack } from './parse-stack';

// Turns the discovery script's stdout (discovery-script.ts) into HostFacts. Never throws for bad
// remote output: each broken section becomes a warning and the rest is still used. Only output with
// nothing usable at all (no markers, or neither interfaces nor bonds nor a host name) is an error.

export interface ParseDiscoveryOptions {
  /** ISO time the command ran; the parser reads no clock. */
  collectedAt: string;
}

const MAX_WARNINGS = 64;
const MAX_BONDS = 128;

type SysfsBond = Map<string, string>;

function parseSysfs(content: string): { nics: Map<string, SysfsNic>; bonds: Map<string, SysfsBond> } {
  const nics = new Map<string, SysfsNic>();
  const bonds = new Map<string, SysfsBond>();
  for (const line of content.split('\n')) {
    const m = /^(\S+) (\S+)(?: (.*))?$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    const name = parseIfaceName(m[1]);
    if (name === null) continue;
    const nic = nics.get(name) ?? { speedMbps: null, hasDevice: false };
    const value = (m[3] ?? '').trim();
    if (m[2] === 'speed') {
      const n = parseLeadingInt(value);
      // -1 (and 4294967295 from some drivers) mean "unknown".
      nic.speedMbps = n !== null && n > 0 && n < 10_000_000 ? n : null;
    } else if (m[2] === 'device') nic.hasDevice = true;
    else if (m[2].startsWith('bond.')) {
      const b = bonds.get(name) ?? new Map<string, string>();
      b.set(m[2].slice(5), value);
      bonds.set(name, b);
    }
    nics.set(name, nic);
  }
  return { nics, bonds };
}

/** A bond seen only in sysfs (its /proc file unreadable): what sysfs alone can say. */
function bondFromSysfs(name: string, s: SysfsBond): BondStatus | null {
  const mode = parseBondMode(s.get('mode'));
  if (mode === null) return null;
  const names = (s.get('slaves') ?? '').split(/\s+/).map((x) => parseIfaceName(x)).filter((x): x is string => x !== null);
  return {
    name, mode, protocol: protocolForMode(mode), xmitHashPolicy: null, lacpduRate: null, miimonMs: null, updelayMs: null, downdelayMs: null,
    primary: null, activeMember: null, miiStatus: 'unknown', lacp: mode === '802.3ad' ? { systemMac: null, systemPriority: null, activeAggregator: null } : null,
    members: names.slice(0, 64).map((n) => ({
      name: n, miiStatus: 'unknown', speedMbps: null, duplex: null, linkFailureCount: null, permanentMac: null, aggregatorId: null,
      actorChurnState: null, partnerChurnState: null, actorChurnedCount: null, partnerChurnedCount: null, actor: null, partner: null,
    })),
    diagnosis: [],
  };
}

/** sysfs fills what /proc left out (and is all there is for a bond whose /proc file was unreadable). */
function mergeSysfs(b: BondStatus, s: SysfsBond | undefined): BondStatus {
  if (s === undefined) return b;
  const hashModes = b.mode === '802.3ad' || b.mode === 'balance-xor';
  const policy = firstWord(s.get('xmit_hash_policy'));
  return {
    ...b,
    xmitHashPolicy: b.xmitHashPolicy ?? (hashModes && policy !== null ? clip(policy, 32) : null),
    lacpduRate: b.lacpduRate ?? (b.mode === '802.3ad' ? parseLacpduRate(s.get('lacp_rate')) : null),
    miimonMs: b.miimonMs ?? parseLeadingInt(s.get('miimon')),
    updelayMs: b.updelayMs ?? parseLeadingInt(s.get('updelay')),
    downdelayMs: b.downdelayMs ?? parseLeadingInt(s.get('downdelay')),
    primary: b.primary ?? parseIfaceName(s.get('primary')),
    activeMember: b.activeMember ?? parseIfaceName(s.get('active_slave')),
  };
}

/** Marks the NIC holding the SSH session and everything under it (VLAN parents, bond members). */
function findManagement(interfaces: NetInterface[], sshConnection: string | undefined): HostFacts['management'] {
  const parts = (sshConnection ?? '').trim().split(/\s+/);
  if (parts.length < 4) return { nic: null, address: null, clientAddress: null };
  const norm = (a: string): string => a.toLowerCase().replace(/%.*$/, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  const client = clip(norm(parts[0] ?? ''), 64);
  const server = clip(norm(parts[2] ?? ''), 64);
  const byName = new Map(interfaces.map((i) => [i.name, i] as const));
  let holder = interfaces.find((i) => i.addresses.some((a) => a.address.toLowerCase() === server)) ?? null;
  // An address left on a bond member still travels through the bond.
  if (holder?.master != null) holder = byName.get(holder.master) ?? holder;
  const mark = (i: NetInterface | undefined, depth: number): void => {
    if (i === undefined || depth > 8 || i.isManagement) return;
    i.isManagement = true;
    if (i.vlanParent !== null) mark(byName.get(i.vlanParent), depth + 1);
    for (const m of interfaces) if (m.master === i.name) mark(m, depth + 1);
  };
  if (holder !== null) mark(holder, 0);
  return { nic: holder?.name ?? null, address: server || null, clientAddress: client || null };
}

export function parseDiscovery(stdout: string, opts: ParseDiscoveryOptions): Envelope<HostFacts> {
  if (stdout.trim() === '') return { ok: false, error: { code: 'DISCOVERY_NO_OUTPUT', message: 'The host sent no discovery output. Check that the account can run /bin/sh commands over SSH.' } };
  const split = splitDiscoveryOutput(stdout);
  if (!split.recognised) {
    return { ok: false, error: { code: 'DISCOVERY_UNRECOGNISED', message: `The host's answer is not discovery output (it starts with "${clip(firstLineOf(stdout), 120)}"). A forced command or a restricted shell may be in the way.` } };
  }
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(clip(m, 1000));
  const sec = (id: string): DiscoverySection | undefined => split.sections.get(id);
  if (!split.complete) warn('Discovery output ended early (connection dropped or a command hung); what arrived is shown.');

  const meta = parseKeyValues(sec('meta')?.content ?? '');
  const sysfs = parseSysfs(sec('sysfs-net')?.content ?? '');

  const ipSec = sec('ip-addr');
  const ipJson = ipSec === undefined ? undefined : extractJson(ipSec.content);
  let interfaces: NetInterface[] = [];
  if (ipJson === undefined) {
    warn(`Could not read the interface list (ip -j -d addr show): ${ipSec === undefined ? 'missing' : clip(firstLineOf(ipSec.content) || `exit status ${ipSec.rc}`, 200)}. iproute2 4.13 or newer is needed for JSON output.`);
  } else {
    const links = parseIpAddrJson(ipJson, sysfs.nics);
    interfaces = links.interfaces;
    links.warnings.forEach(warn);
  }

  const defaultRoutes: HostFacts['defaultRoutes'] = [];
  for (const [id, family] of [['route4', 'inet'], ['route6', 'inet6']] as const) {
    const s = sec(id);
    if (s === undefined) continue;
    const r = parseDefaultRoutes(extractJson(s.content), family);
    defaultRoutes.push(...r.routes);
    r.warnings.forEach(warn);
  }

  const bonds: BondStatus[] = [];
  const extrasByBond = new Map<string, ProcBondingExtras>();
  for (const [id, s] of split.sections) {
    if (!id.startsWith('proc-bonding ')) continue;
    const name = id.slice('proc-bonding '.length);
    const r = parseProcBonding(name, s.content);
    if (!r.ok) {
      warn(r.error.message);
      continue;
    }
    r.value.warnings.forEach(warn);
    extrasByBond.set(r.value.status.name, r.value.extras);
    if (bonds.length < MAX_BONDS) bonds.push(mergeSysfs(r.value.status, sysfs.bonds.get(r.value.status.name)));
  }
  for (const [name, s] of sysfs.bonds) {
    if (bonds.some((b) => b.name === name)) continue;
    const b = bondFromSysfs(name, s);
    if (b !== null && bonds.length < MAX_BONDS) {
      bonds.push(mergeSysfs(b, s));
      warn(`${name}: /proc/net/bonding/${name} was not readable; member link and LACP details are missing.`);
    }
  }
  for (const b of bonds) {
    const x = extrasByBond.get(b.name);
    const arp = x?.arpIntervalMs ?? parseLeadingInt(sysfs.bonds.get(b.name)?.get('arp_interval'));
    b.diagnosis = diagnoseBond(b, interfaces.length > 0 ? interfaces : undefined, {
      arpIntervalMs: arp,
      lacpDetailsVisible: x?.lacpDetailsVisible ?? null,
      noActiveAggregator: x?.noActiveAggregator ?? false,
    });
  }

  const management = findManagement(interfaces, meta.get('ssh_connection'));
  const osRelease = parseOsRelease(sec('os-release')?.content ?? '');
  const etcVersionRaw = sec('etc-version')?.rc === 0 ? firstLineOf(sec('etc-version')?.content ?? '') : '';
  const etcVersion = etcVersionRaw === '' ? null : etcVersionRaw.replace(/^TrueNAS-(SCALE-)?/i, '');
  const hasMidclt = (meta.get('midclt') ?? '') !== '';
  let middleware: HostFacts['middleware'] = null;
  if (hasMidclt) {
    const mw = parseMiddleware({ version: sec('mw-version'), query: sec('mw-query'), pending: sec('mw-pending'), checkin: sec('mw-checkin'), resolv: sec('mw-resolv') }, etcVersion);
    middleware = mw.view;
    mw.warnings.forEach(warn);
  }
  const isTrueNas = hasMidclt && (etcVersion !== null || middleware !== null);
  const truenasVersion = isTrueNas ? clip(middleware?.version ?? etcVersion ?? 'unknown', 64) : null;
  if (middleware !== null) {
    for (const i of interfaces) {
      const e = middleware.interfaces.find((x) => x.id === i.name);
      if (e !== undefined && e.description !== '') i.description = clip(e.description, 200);
      // The box's own word for a port: the middleware lists as PHYSICAL what its UI offers as a NIC,
      // having hidden internal interfaces (lo, tap*, docker*, …; truenas-middleware.md, interface.query).
      if (e?.type === 'PHYSICAL' && (i.kind === 'virtual' || i.kind === 'other')) i.kind = 'physical';
    }
  }
  const hostname = clip(meta.get('hostname') ?? '', 255);
  if (interfaces.length === 0 && bonds.length === 0 && hostname === '') {
    return { ok: false, error: { code: 'DISCOVERY_NOTHING_USABLE', message: 'Discovery ran but returned no interfaces, bonds or host name. The output was cut short or the commands are missing on the host.' } };
  }
  const pretty = isTrueNas ? `TrueNAS ${truenasVersion}` : (osRelease.get('PRETTY_NAME') ?? osRelease.get('NAME') ?? 'Linux');
  const shown = warnings.length > MAX_WARNINGS ? [...warnings.slice(0, MAX_WARNINGS - 1), `${warnings.length - MAX_WARNINGS + 1} more warnings not shown.`] : warnings;
  const facts: HostFacts = {
    collectedAt: clip(opts.collectedAt, 64),
    hostname,
    os: { kind: isTrueNas ? 'truenas' : 'linux', pretty: clip(pretty, 200), kernel: clip(meta.get('kernel') ?? '', 200), truenasVersion },
    interfaces,
    bonds,
    defaultRoutes: defaultRoutes.slice(0, 16),
    management,
    middleware,
    stack: parseStack(sec('stack')?.content, isTrueNas),
    pendingRuns: parsePendingRuns(sec('bondsmith-runs')?.content ?? ''),
    warnings: shown,
  };
  // Last line of defence: everything above is built to fit, so a failure here is a Bondsmith bug.
  const checked = hostFactsSchema.safeParse(facts);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, error: { code: 'DISCOVERY_INTERNAL', message: `Discovery produced an invalid inventory at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}` } };
  }
  return { ok: true, value: checked.data };
}

/**
 * Changes Bondsmith applied on a Linux host that still wait for confirmation: the run's `armed`
 * marker in /run/bondsmith and the timer's `sleep` give the time left (also after an app restart).
 */
function parsePendingRuns(content: string): NonNullable<HostFacts['pendingRuns']> {
  let now: number | null = null;
  const runs: NonNullable<HostFacts['pendingRuns']> = [];
  for (const line of content.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'now' && /^\d+$/.test(words[1] ?? '')) now = Number(words[1]);
    if (words[0] !== 'run' || !/^[A-Za-z0-9_-]{1,64}$/.test(words[1] ?? '')) continue;
    const armedAt = /^\d+$/.test(words[2] ?? '') ? Number(words[2]) : null;
    const wait = /^\d+$/.test(words[3] ?? '') ? Number(words[3]) : null;
    const left = now !== null && armedAt !== null && wait !== null ? Math.max(0, armedAt + wait - now) : null;
    if (runs.length < 16) runs.push({ runId: words[1] ?? '', secondsLeft: left });
  }
  return runs;
}
