import type { BondMember, BondStatus } from '../../../../preload/contract';
import { isAggregating } from './lacp-bits';

// The bond picture as a pure function of discovered facts: the host's bond with its member ports on
// the left, one cable per member, and on the right the switch side, members grouped by the aggregator
// they are in (LACP) so a split, a missing partner or a port still negotiating stands out. The SVG
// component only draws what this returns; the unit tests run it on every /proc/net/bonding fixture.

/** What a member's cable is doing, the picture's main message. */
export type CableState =
  | 'carrying' // link up and in use
  | 'standby' // FAILOVER backup, link up, waiting
  | 'negotiating' // LACP: not yet in sync, collecting and distributing
  | 'other-aggregator' // LACP: in an aggregator that is not the active one
  | 'no-partner' // LACP: the switch does not answer (partner MAC all zeros)
  | 'down'; // no link: cable pulled, port off

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface MemberDrawing {
  readonly member: BondMember;
  readonly state: CableState;
  readonly port: Rect;
  readonly switchPort: Rect;
  /** The cable from port to switch port, at this height. */
  readonly cableY: number;
  /** "up · 10 Gb/s" above the cable, and its estimated extent. */
  readonly cableLabel: string;
  readonly cableLabelBox: Rect;
  /** "carrying traffic", "negotiating", ... below the cable. */
  readonly stateLabel: string;
  readonly stateLabelBox: Rect;
  readonly isActive: boolean;
}

export interface SwitchGroupDrawing {
  readonly key: string;
  readonly box: Rect;
  /** Up to three lines: what the group is, the partner and its key. */
  readonly lines: readonly string[];
  readonly labelBox: Rect;
  readonly tone: 'ok' | 'warning' | 'error' | 'neutral';
  readonly aggregatorId: number | null;
  readonly partnerMac: string | null;
  readonly partnerKey: number | null;
  readonly members: readonly string[];
}

export interface BondPictureLayout {
  readonly width: number;
  readonly height: number;
  readonly host: Rect;
  readonly hostLines: readonly string[];
  readonly members: readonly MemberDrawing[];
  readonly groups: readonly SwitchGroupDrawing[];
}

export const PICTURE = {
  width: 760,
  margin: 8,
  hostX: 8,
  portX: 132,
  portW: 108,
  portH: 36,
  switchX: 456,
  switchPortW: 84,
  groupW: 296,
  rowPitch: 52,
  groupPad: 10,
  groupGap: 14,
  lineHeight: 16,
  /** Estimated width of one character at the picture's 12 px label font (monospace for MACs). */
  charWidth: 7.3,
  minGroupLabelRows: 3,
} as const;

const ZERO_MAC = '00:00:00:00:00:00';

export function speedText(mbps: number | null): string | null {
  if (mbps === null || mbps <= 0) return null;
  return mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
}

function linkUp(m: BondMember): boolean {
  return m.miiStatus === 'up';
}

/** What each member's cable is doing, from the bond's facts alone. */
export function cableState(bond: BondStatus, m: BondMember): CableState {
  if (!linkUp(m)) return 'down';
  switch (bond.mode) {
    case '802.3ad': {
      const agg = bond.lacp?.activeAggregator ?? null;
      if (m.partner !== null && m.partner.systemMac === ZERO_MAC) return 'no-partner';
      if (agg !== null && m.aggregatorId === agg.id && agg.partnerMac === ZERO_MAC) return 'no-partner';
      // Either end not yet in sync, collecting and distributing: the port carries nothing yet (the
      // switch's side is the partner state of its last LACPDU).
      if (m.actor !== null && !isAggregating(m.actor.state)) return 'negotiating';
      if (m.partner !== null && !isAggregating(m.partner.state)) return 'negotiating';
      if (agg !== null && m.aggregatorId !== null && m.aggregatorId !== agg.id) return 'other-aggregator';
      if (agg === null && m.actor === null && bond.lacp?.systemMac != null) return 'negotiating';
      return 'carrying';
    }
    case 'active-backup':
      return bond.activeMember === m.name ? 'carrying' : 'standby';
    case 'balance-rr':
    case 'balance-xor':
    case 'broadcast':
    case 'balance-tlb':
    case 'balance-alb':
      return 'carrying';
    default: {
      const never: never = bond.mode;
      return never;
    }
  }
}

const STATE_WORD: Readonly<Record<CableState, string>> = {
  carrying: 'carrying traffic',
  standby: 'standby',
  negotiating: 'negotiating',
  'other-aggregator': 'idle: other aggregator',
  'no-partner': 'no LACP partner',
  down: 'cable pulled or port off',
};

export function cableStateWords(state: CableState): string {
  return STATE_WORD[state];
}

function cableLabelOf(m: BondMember, state: CableState): string {
  if (state === 'down') return m.miiStatus === 'going back' ? 'regaining link' : m.miiStatus === 'going down' ? 'losing link' : 'no link';
  const speed = speedText(m.speedMbps);
  return speed === null ? 'link up' : `link up · ${speed}`;
}

interface GroupFacts {
  readonly key: string;
  readonly members: readonly BondMember[];
  readonly aggregatorId: number | null;
}

/** LACP: one group per aggregator, the active one first; any other mode: one group, the switch. */
function groupMembers(bond: BondStatus): GroupFacts[] {
  if (bond.mode !== '802.3ad') return [{ key: 'switch', members: bond.members, aggregatorId: null }];
  const activeId = bond.lacp?.activeAggregator?.id ?? null;
  const byId = new Map<string, GroupFacts & { members: BondMember[] }>();
  for (const m of bond.members) {
    const key = m.aggregatorId === null ? 'agg-none' : `agg-${m.aggregatorId}`;
    const g = byId.get(key) ?? { key, members: [], aggregatorId: m.aggregatorId };
    g.members.push(m);
    byId.set(key, g);
  }
  const rank = (g: GroupFacts): number => (g.aggregatorId === activeId && activeId !== null ? 0 : g.aggregatorId === null ? 2 : 1);
  return [...byId.values()].sort((a, b) => rank(a) - rank(b) || (a.aggregatorId ?? 0) - (b.aggregatorId ?? 0));
}

function groupPartner(bond: BondStatus, g: GroupFacts): { mac: string | null; key: number | null } {
  const agg = bond.lacp?.activeAggregator ?? null;
  const withPartner = g.members.find((m) => m.partner !== null);
  if (withPartner?.partner) return { mac: withPartner.partner.systemMac, key: withPartner.partner.key };
  if (agg !== null && g.aggregatorId === agg.id) return { mac: agg.partnerMac, key: agg.partnerKey };
  return { mac: null, key: null };
}

function groupText(bond: BondStatus, g: GroupFacts, states: readonly CableState[]): { lines: string[]; tone: SwitchGroupDrawing['tone']; mac: string | null; key: number | null } {
  if (bond.mode === 'active-backup') return { lines: ['Switch', 'plain ports (no LAG)'], tone: 'neutral', mac: null, key: null };
  if (bond.mode === 'balance-xor') return { lines: ['Switch', 'static LAG (no LACP)'], tone: 'neutral', mac: null, key: null };
  if (bond.mode !== '802.3ad') return { lines: ['Switch', `ports for ${bond.mode}`], tone: 'neutral', mac: null, key: null };
  const agg = bond.lacp?.activeAggregator ?? null;
  const { mac, key } = groupPartner(bond, g);
  const active = agg !== null && g.aggregatorId === agg.id;
  const title = g.aggregatorId === null ? 'No aggregator' : `Aggregator ${g.aggregatorId}${active ? ' · active' : agg !== null ? ' · not active' : ''}`;
  const lines = [title];
  if (mac === ZERO_MAC) lines.push('No LACP partner', `partner ${ZERO_MAC}`);
  else if (mac !== null) lines.push(`partner ${mac}`, `partner key ${key ?? '?'}`);
  else lines.push('partner not shown', '(needs root)');
  const anyUp = states.some((s) => s !== 'down');
  const tone = mac === ZERO_MAC && anyUp ? 'error' : !active && agg !== null && anyUp ? 'error' : states.every((s) => s === 'carrying') ? 'ok' : anyUp ? 'warning' : 'error';
  return { lines, tone, mac, key };
}

function labelBox(x: number, yTop: number, lines: readonly string[]): Rect {
  const w = Math.max(0, ...lines.map((l) => l.length)) * PICTURE.charWidth;
  return { x, y: yTop, w, h: lines.length * PICTURE.lineHeight };
}

/** The whole picture; heights grow with the members, the width is fixed (the SVG scales it). */
export function layoutBondPicture(bond: BondStatus): BondPictureLayout {
  const P = PICTURE;
  const groups = groupMembers(bond);
  const members: MemberDrawing[] = [];
  const groupDrawings: SwitchGroupDrawing[] = [];
  let y = P.margin;
  for (const g of groups) {
    const states = g.members.map((m) => cableState(bond, m));
    const text = groupText(bond, g, states);
    const rows = Math.max(g.members.length, 1);
    const labelRows = Math.max(text.lines.length, P.minGroupLabelRows);
    const inner = Math.max(rows * P.rowPitch - (P.rowPitch - P.portH), labelRows * P.lineHeight);
    const box: Rect = { x: P.switchX, y, w: P.groupW, h: inner + 2 * P.groupPad };
    const labelX = P.switchX + P.switchPortW + 12;
    groupDrawings.push({
      key: g.key,
      box,
      lines: text.lines,
      labelBox: labelBox(labelX, y + P.groupPad, text.lines),
      tone: text.tone,
      aggregatorId: g.aggregatorId,
      partnerMac: text.mac,
      partnerKey: text.key,
      members: g.members.map((m) => m.name),
    });
    g.members.forEach((m, i) => {
      const top = y + P.groupPad + i * P.rowPitch;
      const state = states[i] ?? 'down';
      const label = cableLabelOf(m, state);
      const cableY = top + P.portH / 2;
      const labelW = label.length * P.charWidth;
      const stateLabel = STATE_WORD[state];
      const stateW = stateLabel.length * P.charWidth;
      const cableX1 = P.portX + P.portW;
      const mid = (cableX1 + P.switchX) / 2;
      members.push({
        member: m,
        state,
        port: { x: P.portX, y: top, w: P.portW, h: P.portH },
        switchPort: { x: P.switchX, y: top, w: P.switchPortW, h: P.portH },
        cableY,
        cableLabel: label,
        cableLabelBox: { x: mid - labelW / 2, y: cableY - 4 - P.lineHeight, w: labelW, h: P.lineHeight },
        stateLabel,
        stateLabelBox: { x: mid - stateW / 2, y: cableY + 4, w: stateW, h: P.lineHeight },
        isActive: bond.activeMember === m.name,
      });
    });
    y += box.h + P.groupGap;
  }
  const contentBottom = groups.length === 0 ? P.margin + P.portH + 2 * P.groupPad : y - P.groupGap;
  const hostLines = hostText(bond);
  const hostH = Math.max(contentBottom - P.margin, hostLines.length * P.lineHeight + 2 * P.groupPad);
  return {
    width: P.width,
    height: P.margin + hostH + P.margin,
    host: { x: P.hostX, y: P.margin, w: P.portX + P.portW - P.hostX, h: hostH },
    hostLines,
    members,
    groups: groupDrawings,
  };
}

const PROTOCOL_WORD = { LACP: 'LACP', FAILOVER: 'FAILOVER', LOADBALANCE: 'LOADBALANCE' } as const;

function hostText(bond: BondStatus): string[] {
  const up = bond.members.filter(linkUp).length;
  return [bond.name, bond.protocol ? PROTOCOL_WORD[bond.protocol] : bond.mode, bond.members.length === 0 ? 'no members' : `${up} of ${bond.members.length} up`];
}
