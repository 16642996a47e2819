import type { BondStatus, LacpPortInfo } from '../../../../preload/contract';
import { cableStateWords, speedText, type BondPictureLayout, type MemberDrawing, type SwitchGroupDrawing } from './bond-picture-layout';
import { stateSummary } from './lacp-bits';

// The picture in words: the same facts as the drawing, for screen readers and for anyone who
// prefers to read. One sentence for the verdict, then one per switch-side group and per member.

function sideWords(who: string, info: LacpPortInfo | null): string | null {
  if (info === null) return null;
  return `${who} state ${info.state}: ${stateSummary(info.state)}`;
}

export function memberWords(bond: BondStatus, d: MemberDrawing): string {
  const m = d.member;
  const parts = [`${m.name}: ${m.miiStatus === 'up' ? 'link up' : `no link (${m.miiStatus})`}`];
  const speed = speedText(m.speedMbps);
  if (speed !== null) parts.push(speed);
  if (bond.mode === '802.3ad') parts.push(m.aggregatorId === null ? 'no aggregator' : `aggregator ${m.aggregatorId}`);
  if (d.isActive && bond.mode === 'active-backup') parts.push('the active member');
  parts.push(cableStateWords(d.state));
  if (m.partner !== null) parts.push(`partner ${m.partner.systemMac} key ${m.partner.key} port ${m.partner.portNumber}`);
  for (const s of [sideWords('actor', m.actor), sideWords('partner', m.partner)]) if (s !== null) parts.push(s);
  return parts.join(', ');
}

export function groupWords(g: SwitchGroupDrawing): string {
  const who = g.members.length === 0 ? 'no members' : g.members.join(', ');
  return `${g.lines.join(', ')}: ${who}`;
}

/** The one-line verdict shown under the picture and read first. */
export function pictureVerdict(bond: BondStatus, layout: BondPictureLayout): string {
  const n = layout.members.length;
  if (n === 0) return `${bond.name} has no member ports.`;
  const down = layout.members.filter((d) => d.state === 'down').map((d) => d.member.name);
  const carrying = layout.members.filter((d) => d.state === 'carrying').length;
  const notes: string[] = [];
  if (bond.mode === '802.3ad') {
    const aggs = layout.groups.filter((g) => g.aggregatorId !== null);
    const noPartner = layout.members.filter((d) => d.state === 'no-partner').length;
    if (noPartner > 0) notes.push(`the switch does not answer LACP${noPartner < n ? ` on ${noPartner} of ${n} ports` : ''} (partner 00:00:00:00:00:00)`);
    // Without any partner every port sits in an aggregator of its own: that is not a split to fix.
    const withPartner = layout.groups.filter((g) => g.aggregatorId !== null && g.partnerMac !== '00:00:00:00:00:00');
    if (aggs.length > 1 && withPartner.length > 0) notes.push(`members are split over ${aggs.length} aggregators, only one carries traffic`);
    const negotiating = layout.members.filter((d) => d.state === 'negotiating').map((d) => d.member.name);
    if (negotiating.length > 0) notes.push(`${negotiating.join(', ')} still negotiating`);
  }
  if (bond.mode === 'active-backup') notes.push(bond.activeMember ? `${bond.activeMember} is active` : 'no active member');
  if (down.length > 0) notes.push(`no link on ${down.join(', ')}`);
  const head = `${carrying} of ${n} member${n === 1 ? '' : 's'} carrying traffic`;
  return notes.length === 0 ? `${head}.` : `${head}: ${notes.join('; ')}.`;
}
