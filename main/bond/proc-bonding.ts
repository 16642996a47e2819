import type { AppError, BondMember, BondStatus, LacpPortInfo } from '../../preload/contract';
import { clip, firstWord, parseBondMode, parseIfaceName, parseLacpduRate, parseLeadingInt, parseMac, protocolForMode } from './bond-values';
import { decodeLacpState } from './lacp-state';
import { diagnoseBond } from './diagnose';

// Parser for /proc/net/bonding/<bond>, the only place the kernel shows LACP negotiation (the TrueNAS
// middleware exposes none of it: reference/truenas-middleware.md §8.4). The layout comes from
// drivers/net/bonding/bond_procfs.c; fields appeared over the years (churn ~4.0, system priority/MAC
// ~4.5, lacp pdu details ~4.14, peer notification delay ~5.3, LACP active ~5.15, ARP missed max ~6.0),
// so every field is optional. Without CAP_NET_ADMIN (a non-root admin) the kernel omits system
// priority/MAC, the active aggregator block and the per-port pdu details: `lacpDetailsVisible` says so.

/** Facts /proc/net/bonding shows that the BondStatus contract has no field for. */
export interface ProcBondingExtras {
  driverVersion: string | null;
  failOverMac: string | null;
  primaryReselect: string | null;
  peerNotifyDelayMs: number | null;
  arpIntervalMs: number | null;
  arpMissedMax: number | null;
  arpTargets: string[];
  nsTargets: string[];
  lacpActive: boolean | null;
  minLinks: number | null;
  adSelect: string | null;
  /** 802.3ad only: false when the reader lacked CAP_NET_ADMIN and the kernel hid the LACP details. */
  lacpDetailsVisible: boolean | null;
  /** 802.3ad only: the kernel printed "bond X has no active aggregator". */
  noActiveAggregator: boolean;
}

export interface ProcBonding {
  status: BondStatus;
  extras: ProcBondingExtras;
  warnings: string[];
}

export type ProcBondingResult = { ok: true; value: ProcBonding } | { ok: false; error: AppError };

type PartialLacp = { [K in keyof Omit<LacpPortInfo, 'stateFlags'>]?: LacpPortInfo[K] };
type Block = 'master' | 'ad' | 'aggregator' | 'slave' | 'actor' | 'partner';

const MAX_MEMBERS = 64;
const MAX_WARNINGS = 20;

function emptyMember(name: string): BondMember {
  return {
    name,
    miiStatus: 'unknown',
    speedMbps: null,
    duplex: null,
    linkFailureCount: null,
    permanentMac: null,
    aggregatorId: null,
    actorChurnState: null,
    partnerChurnState: null,
    actorChurnedCount: null,
    partnerChurnedCount: null,
    actor: null,
    partner: null,
  };
}

/** "Aggregator selection policy (ad_select)" -> "aggregator selection policy". */
function normalizeKey(key: string): string {
  return key.replace(/\([^)]*\)/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

function memberMii(v: string): BondMember['miiStatus'] {
  const s = v.trim().toLowerCase();
  return s === 'up' || s === 'down' || s === 'going down' || s === 'going back' ? s : 'unknown';
}

function finishLacp(p: PartialLacp | null, who: string, warn: (m: string) => void): LacpPortInfo | null {
  if (p === null) return null;
  const { systemPriority, systemMac, key, portPriority, portNumber, state } = p;
  if (
    systemPriority === undefined || systemMac === undefined || key === undefined ||
    portPriority === undefined || portNumber === undefined || state === undefined
  ) {
    warn(`${who}: incomplete LACP details (output cut short?)`);
    return null;
  }
  return { systemPriority, systemMac, key, portPriority, portNumber, state, stateFlags: decodeLacpState(state) };
}

export function parseProcBonding(name: string, text: string): ProcBondingResult {
  const bondName = parseIfaceName(name);
  if (bondName === null) return { ok: false, error: { code: 'BOND_NAME_INVALID', message: `"${clip(name, 40)}" is not a valid interface name.` } };
  const warnings: string[] = [];
  const warn = (m: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push(clip(`${bondName}: ${m}`, 300));
  };
  const extras: ProcBondingExtras = {
    driverVersion: null, failOverMac: null, primaryReselect: null, peerNotifyDelayMs: null, arpIntervalMs: null,
    arpMissedMax: null, arpTargets: [], nsTargets: [], lacpActive: null, minLinks: null, adSelect: null,
    lacpDetailsVisible: null, noActiveAggregator: false,
  };
  let modeText: string | undefined;
  let xmit: string | null = null;
  let lacpduRate: BondStatus['lacpduRate'] = null;
  let miimon: number | null = null;
  let updelay: number | null = null;
  let downdelay: number | null = null;
  let primary: string | null = null;
  let active: string | null = null;
  let bondMii: BondStatus['miiStatus'] = 'unknown';
  let sysMac: string | null = null;
  let sysPrio: number | null = null;
  const agg: Partial<Record<'id' | 'ports' | 'actorKey' | 'partnerKey', number>> & { partnerMac?: string } = {};
  let sawAggregatorBlock = false;
  let sawDetails = false;
  const members: BondMember[] = [];
  let member: BondMember | null = null;
  let actor: PartialLacp | null = null;
  let partner: PartialLacp | null = null;
  let block: Block = 'master';

  const closeMember = (): void => {
    if (member === null) return;
    member.actor = finishLacp(actor, `${member.name} actor`, warn);
    member.partner = finishLacp(partner, `${member.name} partner`, warn);
    if (members.length < MAX_MEMBERS) members.push(member);
    else warn(`more than ${MAX_MEMBERS} members; the rest are not shown`);
    member = null; actor = null; partner = null;
  };
  const int = (v: string, what: string): number | null => {
    const n = parseLeadingInt(v);
    if (n === null) warn(`unreadable ${what}: "${clip(v, 40)}"`);
    return n;
  };
  const mac = (v: string, what: string): string | null => {
    const m = parseMac(v);
    if (m === null) warn(`unreadable ${what}: "${clip(v, 40)}"`);
    return m;
  };

  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') continue;
    const indented = /^\s/.test(line);
    const trimmed = line.trim();
    if (!indented && (block === 'actor' || block === 'partner')) block = 'slave';
    if (!indented && block === 'aggregator') block = 'ad';
    if (/^802\.3ad info$/i.test(trimmed)) { block = 'ad'; continue; }
    if (/^bond \S+ has no active aggregator$/i.test(trimmed)) { extras.noActiveAggregator = true; sawAggregatorBlock = true; continue; }
    const details = /^(?:details (actor|partner)(?: lacp pdu)?|(actor|partner)(?: lacp pdu)? details):$/i.exec(trimmed);
    if (details && member !== null) {
      const who = (details[1] ?? details[2] ?? '').toLowerCase();
      block = who === 'actor' ? 'actor' : 'partner';
      if (block === 'actor') actor = {}; else partner = {};
      sawDetails = true;
      continue;
    }
    // The key may hold a colon inside parentheses: "NS IPv6 target/s (xx::xx form): ...".
    const kv = /^((?:[^:(]|\([^)]*\))+):\s*(.*)$/.exec(trimmed);
    if (!kv || kv[1] === undefined || kv[2] === undefined) { warn(`unrecognised line "${clip(trimmed, 80)}"`); continue; }
    const key = normalizeKey(kv[1]);
    const value = kv[2].trim();

    if (key === 'slave interface' || key === 'link interface' || key === 'port interface') {
      closeMember();
      const memberName = parseIfaceName(value);
      if (memberName === null) warn(`member with an invalid name "${clip(value, 40)}" skipped`);
      else member = emptyMember(memberName);
      block = 'slave';
      continue;
    }
    if (block === 'actor' || block === 'partner') {
      const target = block === 'actor' ? actor : partner;
      if (target === null) continue;
      if (key === 'system priority') target.systemPriority = int(value, 'system priority') ?? undefined;
      else if (key === 'system mac address') target.systemMac = mac(value, 'system MAC') ?? undefined;
      else if (key === 'port key' || key === 'oper key' || key === 'key') target.key = int(value, 'port key') ?? undefined;
      else if (key === 'port priority') target.portPriority = int(value, 'port priority') ?? undefined;
      else if (key === 'port number') target.portNumber = int(value, 'port number') ?? undefined;
      else if (key === 'port state') {
        const s = int(value, 'port state');
        target.state = s !== null && s >= 0 && s <= 255 ? s : undefined;
      } else warn(`unknown LACP detail "${clip(trimmed, 80)}"`);
      continue;
    }
    if (block === 'slave') {
      // A slave section is open (possibly one whose name was invalid): its keys never reach the bond.
      if (member === null) continue;
      switch (key) {
        case 'mii status': member.miiStatus = memberMii(value); break;
        case 'speed': member.speedMbps = /^unknown$/i.test(value) ? null : int(value, 'speed'); break;
        case 'duplex': member.duplex = /^unknown$/i.test(value) || value === '' ? null : clip(value.toLowerCase(), 16); break;
        case 'link failure count': member.linkFailureCount = int(value, 'link failure count'); break;
        case 'permanent hw addr': member.permanentMac = parseMac(value); break;
        case 'slave queue id': break;
        case 'aggregator id': member.aggregatorId = /^n\/a$/i.test(value) ? null : int(value, 'aggregator ID'); break;
        case 'actor churn state': member.actorChurnState = clip(value.toLowerCase(), 32); break;
        case 'partner churn state': member.partnerChurnState = clip(value.toLowerCase(), 32); break;
        case 'actor churned count': member.actorChurnedCount = int(value, 'actor churned count'); break;
        case 'partner churned count': member.partnerChurnedCount = int(value, 'partner churned count'); break;
        default: warn(`unknown member line "${clip(trimmed, 80)}"`);
      }
      continue;
    }
    if (key === 'active aggregator info') { block = 'aggregator'; sawAggregatorBlock = true; continue; }
    if (block === 'aggregator') {
      if (key === 'aggregator id') agg.id = int(value, 'aggregator ID') ?? undefined;
      else if (key === 'number of ports') agg.ports = int(value, 'number of ports') ?? undefined;
      else if (key === 'actor key') agg.actorKey = int(value, 'actor key') ?? undefined;
      else if (key === 'partner key') agg.partnerKey = int(value, 'partner key') ?? undefined;
      else if (key === 'partner mac address') agg.partnerMac = mac(value, 'partner MAC') ?? undefined;
      else warn(`unknown aggregator line "${clip(trimmed, 80)}"`);
      continue;
    }
    switch (key) {
      case 'ethernet channel bonding driver': extras.driverVersion = clip(value, 100); break;
      case 'bonding mode': {
        modeText = value;
        const fom = /\(fail_over_mac (\w+)\)/.exec(value);
        if (fom?.[1] !== undefined) extras.failOverMac = fom[1];
        break;
      }
      case 'transmit hash policy': xmit = firstWord(value) === null ? null : clip(firstWord(value) ?? '', 32); break;
      case 'primary slave': {
        const m = /^(\S+)(?:\s+\(primary_reselect (\w+)\))?/.exec(value);
        primary = m?.[1] === undefined || m[1] === 'None' ? null : parseIfaceName(m[1]);
        if (m?.[2] !== undefined) extras.primaryReselect = m[2];
        break;
      }
      case 'currently active slave': active = value === 'None' ? null : parseIfaceName(value); break;
      case 'mii status': bondMii = value === 'up' ? 'up' : value === 'down' ? 'down' : 'unknown'; break;
      case 'mii polling interval': miimon = int(value, 'MII polling interval'); break;
      case 'up delay': updelay = int(value, 'up delay'); break;
      case 'down delay': downdelay = int(value, 'down delay'); break;
      case 'peer notification delay': extras.peerNotifyDelayMs = int(value, 'peer notification delay'); break;
      case 'arp polling interval': extras.arpIntervalMs = int(value, 'ARP polling interval'); break;
      case 'arp missed max': extras.arpMissedMax = int(value, 'ARP missed max'); break;
      case 'arp ip target/s': extras.arpTargets = value.split(',').map((s) => s.trim()).filter((s) => s !== '').slice(0, 16); break;
      case 'ns ipv6 target/s': extras.nsTargets = value.split(',').map((s) => s.trim()).filter((s) => s !== '').slice(0, 16); break;
      case 'lacp active': extras.lacpActive = value === 'on' ? true : value === 'off' ? false : null; break;
      case 'lacp rate': lacpduRate = parseLacpduRate(value); break;
      case 'min links': extras.minLinks = int(value, 'min links'); break;
      case 'aggregator selection policy': extras.adSelect = firstWord(value); break;
      case 'system priority': sysPrio = int(value, 'system priority'); break;
      case 'system mac address': sysMac = mac(value, 'system MAC'); break;
      default: warn(`unknown line "${clip(trimmed, 80)}"`);
    }
  }
  closeMember();

  const mode = parseBondMode(modeText);
  if (mode === null) {
    return {
      ok: false,
      error: {
        code: 'PROC_BONDING_UNREADABLE',
        message: modeText === undefined
          ? `/proc/net/bonding/${bondName} has no "Bonding Mode" line (empty or cut short).`
          : `/proc/net/bonding/${bondName} names an unknown bonding mode "${clip(modeText, 80)}".`,
      },
    };
  }
  let activeAggregator: NonNullable<BondStatus['lacp']>['activeAggregator'] = null;
  if (agg.id !== undefined && agg.ports !== undefined && agg.actorKey !== undefined && agg.partnerKey !== undefined && agg.partnerMac !== undefined) {
    activeAggregator = { id: agg.id, ports: agg.ports, actorKey: agg.actorKey, partnerKey: agg.partnerKey, partnerMac: agg.partnerMac };
  } else if (Object.keys(agg).length > 0) warn('incomplete "Active Aggregator Info" (output cut short?)');
  if (mode === '802.3ad') extras.lacpDetailsVisible = sysMac !== null || sawAggregatorBlock || sawDetails;

  const status: BondStatus = {
    name: bondName,
    mode,
    protocol: protocolForMode(mode),
    xmitHashPolicy: xmit,
    lacpduRate: mode === '802.3ad' ? lacpduRate : null,
    miimonMs: miimon,
    updelayMs: updelay,
    downdelayMs: downdelay,
    primary,
    activeMember: active,
    miiStatus: bondMii,
    lacp: mode === '802.3ad' ? { systemMac: sysMac, systemPriority: sysPrio, activeAggregator } : null,
    members,
    diagnosis: [],
  };
  status.diagnosis = diagnoseBond(status, undefined, {
    arpIntervalMs: extras.arpIntervalMs,
    lacpDetailsVisible: extras.lacpDetailsVisible,
    noActiveAggregator: extras.noActiveAggregator,
  });
  return { ok: true, value: { status, extras, warnings } };
}
