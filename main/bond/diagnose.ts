import type { BondMember, BondStatus, Diagnosis, NetInterface } from '../../preload/contract';
import { clip, isZeroMac } from './bond-values';
import { hasLacpFlag, isLacpPortAggregating } from './lacp-state';

// Turns a bond's live state into advice an admin can act on. The LACP checks follow the usual causes of
// "LACP doesn't work" (reference/truenas-middleware.md §8.4); the link-monitoring check follows the
// TrueNAS FAILOVER/LOADBALANCE miimon=0 problem (§8.5, NAS-136978).

/** Stable codes; the UI and tests key on them, the wording may change. */
export const diagnosisCodes = [
  'bond-ok',
  'lacp-ok',
  'bond-no-members',
  'bond-down',
  'member-down',
  'member-missing',
  'member-link-failures',
  'mixed-speeds',
  'no-link-monitoring',
  'failover-no-active-member',
  'failover-not-on-primary',
  'lacp-details-hidden',
  'lacp-no-partner',
  'lacp-member-no-partner',
  'lacp-partner-differs',
  'lacp-split-aggregators',
  'lacp-no-active-aggregator',
  'lacp-aggregator-partial',
  'lacp-member-not-aggregating',
  'lacp-churned',
  'lacp-partner-defaulted',
  'lacp-partner-expired',
  'lacp-both-passive',
  'lacp-rate-slow',
] as const;
export type DiagnosisCode = (typeof diagnosisCodes)[number];

/** What /proc/net/bonding shows but BondStatus cannot carry (see ProcBondingExtras). */
export interface DiagnosisContext {
  /** ARP monitoring interval; null or absent means no ARP monitoring. */
  arpIntervalMs?: number | null;
  /** 802.3ad: false when the kernel hid LACP details from a non-root reader. Inferred when absent. */
  lacpDetailsVisible?: boolean | null;
  /** 802.3ad: the kernel said "has no active aggregator". */
  noActiveAggregator?: boolean;
}

const MAX_DIAGNOSES = 64;

function d(severity: Diagnosis['severity'], code: DiagnosisCode, message: string, member: string | null = null): Diagnosis {
  return { severity, code, message: clip(message, 1000), member };
}

function speedOf(m: BondMember, byName: ReadonlyMap<string, NetInterface>): number | null {
  return m.speedMbps ?? byName.get(m.name)?.speedMbps ?? null;
}

function isUp(m: BondMember, byName: ReadonlyMap<string, NetInterface>): boolean {
  const nic = byName.get(m.name);
  return m.miiStatus === 'up' && nic?.carrier !== false;
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function inferDetailsVisible(bond: BondStatus): boolean {
  return bond.lacp?.systemMac != null || bond.lacp?.activeAggregator != null || bond.members.some((m) => m.actor !== null);
}

export function diagnoseBond(bond: BondStatus, interfaces?: readonly NetInterface[], context: DiagnosisContext = {}): Diagnosis[] {
  const byName = new Map((interfaces ?? []).map((i) => [i.name, i] as const));
  const out: Diagnosis[] = [];
  const members = bond.members;
  const up = members.filter((m) => isUp(m, byName));

  if (members.length === 0) {
    out.push(d('error', 'bond-no-members', `${bond.name} has no member ports, so it cannot carry traffic. Add at least one interface to it.`));
  } else if (bond.miiStatus === 'down' || up.length === 0) {
    out.push(d('error', 'bond-down', `${bond.name} is down: none of its ${members.length} member(s) has a link. Check the cables and that the switch ports are enabled.`));
  }
  for (const m of members) {
    const nic = interfaces === undefined ? undefined : byName.get(m.name);
    if (interfaces !== undefined && nic === undefined) {
      out.push(d('warning', 'member-missing', `${m.name} is listed as a member of ${bond.name} but the host has no such interface (NIC removed or renamed?).`, m.name));
    } else if (!isUp(m, byName)) {
      if (m.miiStatus === 'going back') {
        out.push(d('info', 'member-down', `${m.name} is regaining its link; the bond waits out its up delay before using it again.`, m.name));
      } else {
        const why = m.miiStatus === 'up' ? 'reports no carrier' : m.miiStatus === 'going down' ? 'is losing its link' : `has no link (MII status ${m.miiStatus})`;
        out.push(d('warning', 'member-down', `${m.name} ${why}: check its cable, the NIC and that its switch port is enabled.`, m.name));
      }
    }
    if ((m.linkFailureCount ?? 0) > 0) {
      out.push(d('info', 'member-link-failures', `${m.name} has lost its link ${m.linkFailureCount} time(s) since it joined ${bond.name}; if this number grows, suspect the cable, transceiver or switch port.`, m.name));
    }
  }
  const speeds = up.map((m) => [m.name, speedOf(m, byName)] as const).filter((e): e is readonly [string, number] => e[1] !== null);
  if (new Set(speeds.map((e) => e[1])).size > 1) {
    const detail = speeds.map(([n, s]) => `${n} ${s} Mb/s`).join(', ');
    const why = bond.mode === '802.3ad' ? 'LACP only aggregates ports of the same speed, so some ports will sit idle' : 'traffic is spread evenly, so the slow port limits the bond';
    out.push(d('warning', 'mixed-speeds', `Members run at different speeds (${detail}): ${why}. Use ports of the same speed.`));
  }
  const arp = context.arpIntervalMs ?? 0;
  if (bond.mode !== '802.3ad' && bond.miimonMs === 0 && arp <= 0 && members.length > 0) {
    const effect =
      bond.mode === 'active-backup'
        ? 'failover will never happen: if the active link dies, the bond keeps sending on it'
        : 'a member whose link dies keeps getting its share of the traffic, which is then lost';
    out.push(d('error', 'no-link-monitoring', `${bond.name} has no link monitoring (miimon 0, no ARP monitoring): ${effect}. Set miimon to 100. TrueNAS before 25.10.2.2 creates FAILOVER and LOADBALANCE bonds this way and offers no setting for it.`));
  }
  if (bond.mode === 'active-backup' && members.length > 0) {
    if (bond.activeMember === null) {
      out.push(d('error', 'failover-no-active-member', `${bond.name} has no active member, so it carries no traffic. Check that at least one member has a link.`));
    } else if (bond.primary !== null && bond.activeMember !== bond.primary && up.some((m) => m.name === bond.primary)) {
      out.push(d('info', 'failover-not-on-primary', `Traffic runs over ${bond.activeMember}, not the primary ${bond.primary}, although ${bond.primary} has a link (primary_reselect may keep the current one).`));
    }
  }
  if (bond.mode === '802.3ad') out.push(...diagnoseLacp(bond, up, context));

  if (!out.some((x) => x.severity === 'warning' || x.severity === 'error')) out.unshift(okEntry(bond, up.length));
  return out.slice(0, MAX_DIAGNOSES);
}

function diagnoseLacp(bond: BondStatus, up: readonly BondMember[], context: DiagnosisContext): Diagnosis[] {
  const out: Diagnosis[] = [];
  const visible = context.lacpDetailsVisible ?? inferDetailsVisible(bond);
  const agg = bond.lacp?.activeAggregator ?? null;
  if (!visible) {
    out.push(d('info', 'lacp-details-hidden', 'Bondsmith is logged in without root rights, so the kernel hides the LACP partner details (partner MAC, keys, port states). Connect as root, or with sudo, to check the negotiation fully.'));
  } else if (agg === null && bond.members.length > 0) {
    out.push(d('error', 'lacp-no-active-aggregator', `${bond.name} has no active aggregator, so it carries no traffic. Usually no member has a link, or LACP never came up with the switch.`));
  }
  const partnerMacs = up.map((m) => m.partner?.systemMac ?? null).filter((x): x is string => x !== null);
  const allZero = (agg !== null && isZeroMac(agg.partnerMac)) || (partnerMacs.length > 0 && partnerMacs.every(isZeroMac));
  if (visible && allZero && up.length > 0) {
    out.push(d('error', 'lacp-no-partner', 'The switch is not speaking LACP on these ports (partner MAC 00:00:00:00:00:00). Put the switch ports in one LACP port-channel (mode active or passive), not a static LAG or plain access ports.'));
  } else if (visible) {
    for (const m of up) {
      if (m.partner !== null && isZeroMac(m.partner.systemMac)) {
        out.push(d('warning', 'lacp-member-no-partner', `${m.name} gets no LACP answer from the switch (partner MAC all zeros): its switch port is probably not in the LACP port-channel.`, m.name));
      }
    }
    const distinct = [...new Set(partnerMacs.filter((x) => !isZeroMac(x)))];
    if (distinct.length > 1) {
      out.push(d('error', 'lacp-partner-differs', `Members talk LACP to different partners (${listOf(distinct)}): the ports go to different switches (without MLAG/stacking) or to different port-channels. Only one group can carry traffic.`));
    }
  }
  const ids = [...new Set(up.map((m) => m.aggregatorId).filter((x): x is number => x !== null))];
  // With no LACP partner every port sits alone in its own aggregator: lacp-no-partner already says why.
  if (ids.length > 1 && !(allZero && visible)) {
    const detail = up.filter((m) => m.aggregatorId !== null).map((m) => `${m.name} in ${m.aggregatorId}`).join(', ');
    const which = agg === null ? 'only one of them' : `only aggregator ${agg.id}`;
    out.push(d('error', 'lacp-split-aggregators', `Members are in different aggregators (${detail}), and ${which} carries traffic. The switch ports are on different port-channels, on different switches, or differ in speed or duplex.`));
  }
  if (agg !== null && agg.ports < up.length && !(allZero && visible)) {
    out.push(d('warning', 'lacp-aggregator-partial', `Only ${agg.ports} of ${up.length} members with a link are in the active aggregator ${agg.id}; the others carry no traffic.`));
  }
  for (const m of up) {
    const inOther = agg !== null && m.aggregatorId !== null && m.aggregatorId !== agg.id;
    const notFlowing = m.actor !== null && !isLacpPortAggregating(m.actor.state);
    if ((inOther || notFlowing) && !(allZero && visible)) {
      const why = inOther ? `is in aggregator ${m.aggregatorId}, not the active ${agg?.id}` : 'is not in sync, collecting and distributing';
      out.push(d('warning', 'lacp-member-not-aggregating', `${m.name} ${why}, so it carries no traffic. Check that its switch port is in the same LACP port-channel as the others.`, m.name));
    }
    if (m.actorChurnState === 'churned' || m.partnerChurnState === 'churned') {
      const side = m.actorChurnState === 'churned' ? (m.partnerChurnState === 'churned' ? 'both sides' : 'this host') : 'the switch';
      out.push(d('warning', 'lacp-churned', `${m.name}: LACP churn on ${side} (the two ends did not agree within 60 s). Check that the switch port is in the right LACP port-channel and the keys match.`, m.name));
    }
    if (m.actor !== null && !allZero) {
      if (hasLacpFlag(m.actor.state, 'defaulted')) {
        out.push(d('warning', 'lacp-partner-defaulted', `${m.name} receives no LACPDUs from the switch and uses default partner values: the switch port is not in LACP mode or not in the port-channel.`, m.name));
      }
      if (hasLacpFlag(m.actor.state, 'expired')) {
        out.push(d('warning', 'lacp-partner-expired', `${m.name}: the switch's LACP information timed out (LACPDUs stopped arriving). Check the switch port and its LACP rate.`, m.name));
      }
    }
    if (m.actor !== null && m.partner !== null && !isZeroMac(m.partner.systemMac) && !hasLacpFlag(m.actor.state, 'lacp_activity') && !hasLacpFlag(m.partner.state, 'lacp_activity')) {
      out.push(d('error', 'lacp-both-passive', `${m.name}: both this host and the switch are in LACP passive mode, so neither starts the negotiation. Set one side to active.`, m.name));
    }
  }
  if (bond.lacpduRate === 'SLOW') {
    out.push(d('info', 'lacp-rate-slow', 'LACPDU rate is SLOW: a port that fails without losing link (e.g. behind a media converter) is noticed only after 90 s. FAST (3 s) detects it sooner if the switch supports it.'));
  }
  return out;
}

function okEntry(bond: BondStatus, upCount: number): Diagnosis {
  const n = bond.members.length;
  const mon = bond.miimonMs !== null && bond.miimonMs > 0 ? `, link checked every ${bond.miimonMs} ms` : '';
  switch (bond.mode) {
    case '802.3ad': {
      const agg = bond.lacp?.activeAggregator ?? null;
      if (agg === null) return d('ok', 'lacp-ok', `LACP: ${upCount} of ${n} members up (partner details need root to check).`);
      return d('ok', 'lacp-ok', `LACP negotiated: ${agg.ports} port(s) in aggregator ${agg.id} with partner MAC ${agg.partnerMac} (partner key ${agg.partnerKey}).`);
    }
    case 'active-backup':
      return d('ok', 'bond-ok', `FAILOVER: ${bond.activeMember ?? 'no member'} carries the traffic, ${upCount} of ${n} members up${mon}.`);
    case 'balance-xor':
      return d('ok', 'bond-ok', `LOADBALANCE: ${upCount} of ${n} members up, hash ${bond.xmitHashPolicy ?? 'unknown'}${mon}. The switch ports must form a static LAG (not LACP).`);
    case 'balance-rr':
    case 'broadcast':
    case 'balance-tlb':
    case 'balance-alb':
      return d('ok', 'bond-ok', `${bond.mode}: ${upCount} of ${n} members up${mon}.`);
    default: {
      const never: never = bond.mode;
      return never;
    }
  }
}
