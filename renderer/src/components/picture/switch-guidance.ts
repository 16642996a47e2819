import type { BondStatus } from '../../../../preload/contract';

// What the switch side must be for a bond, and what to check there when the diagnosis points at the
// switch. Keyed on the diagnosis codes of main/bond/diagnose.ts (stable; the wording there may change).
// The example configurations follow the vendors' own command references, named beside each one;
// interface names and channel numbers in them are examples to adapt.

export interface SwitchGuidance {
  /** What the switch ports must be for this protocol. */
  readonly ports: string;
  /** Why one flow uses one link (the hash policy); null where no hash applies. */
  readonly hash: string | null;
  /** Concrete things to check on the switch, from this bond's diagnosis. */
  readonly checks: readonly string[];
  /** Example configuration for common switch families; empty where the switch needs no LAG. */
  readonly examples: readonly SwitchExample[];
}

export interface SwitchExample {
  readonly family: string;
  readonly lines: readonly string[];
  /** The vendor document the syntax comes from. */
  readonly source: string;
}

const CISCO_SOURCE = 'Cisco Catalyst 9300 command reference (IOS XE), "channel-group": mode active/passive = LACP, mode on = static. cisco.com/c/en/us/td/docs/switches/lan/catalyst9300/software/release/16-6/command_reference/b_166_9300_cr/b_166_9300_cr_chapter_0100.html';
const JUNOS_SOURCE = 'Juniper Junos (EX Series) reference, "802.3ad" under ether-options and "lacp" under aggregated-ether-options (LACP is not enabled unless configured). juniper.net/documentation/en_US/junos9.6/topics/reference/configuration-statement/8023ad-interfaces-ex-series.html and lacp-interfaces-ex-series.html';

const EXAMPLES: Readonly<Record<NonNullable<BondStatus['protocol']>, readonly SwitchExample[]>> = {
  LACP: [
    { family: 'Cisco IOS XE (Catalyst)', lines: ['interface range GigabitEthernet1/0/1 - 2', ' channel-group 1 mode active'], source: CISCO_SOURCE },
    { family: 'Juniper Junos (EX)', lines: ['set interfaces ge-0/0/1 ether-options 802.3ad ae0', 'set interfaces ge-0/0/2 ether-options 802.3ad ae0', 'set interfaces ae0 aggregated-ether-options lacp active'], source: JUNOS_SOURCE },
  ],
  LOADBALANCE: [
    { family: 'Cisco IOS XE (Catalyst)', lines: ['interface range GigabitEthernet1/0/1 - 2', ' channel-group 1 mode on'], source: CISCO_SOURCE },
    { family: 'Juniper Junos (EX)', lines: ['set interfaces ge-0/0/1 ether-options 802.3ad ae0', 'set interfaces ge-0/0/2 ether-options 802.3ad ae0', '# no lacp statement under ae0: a static LAG'], source: JUNOS_SOURCE },
  ],
  FAILOVER: [],
};

const SWITCH_CHECKS: Readonly<Record<string, string>> = {
  'lacp-no-partner': 'The switch sends no LACPDUs on these ports. On the switch, put all of them in one port-channel (LAG) with LACP mode active or passive; a static LAG ("mode on") or plain access ports never answer LACP.',
  'lacp-member-no-partner': 'One port gets no LACP answer: on the switch, add that port to the same LACP port-channel as the others (same channel number, LACP enabled).',
  'lacp-partner-differs': 'The ports talk to two different LACP partners: they end on two switches (without MLAG or stacking) or in two port-channels. Put them in one port-channel, or use an MLAG/stack pair that presents one system MAC.',
  'lacp-split-aggregators': 'The ports landed in different aggregators: on the switch they are in different port-channels, or one port differs in speed or duplex. Put them in one port-channel with the same speed and duplex.',
  'lacp-aggregator-partial': 'Not every port with a link joined the active aggregator: check that each switch port is a member of the same port-channel and that the channel is not limited in its number of active links.',
  'lacp-member-not-aggregating': 'A port is not collecting and distributing: check that its switch port is in the same LACP port-channel and not suspended (a port-channel member in "suspended" or "individual" state on the switch).',
  'lacp-churned': 'LACP did not settle within 60 s: check the switch port is in the right port-channel, and that its key (channel) matches the others.',
  'lacp-partner-defaulted': 'LACPDUs do not arrive from the switch: enable LACP on that switch port (in the port-channel), not a static LAG.',
  'lacp-partner-expired': 'LACPDUs stopped arriving: check the switch port is still up and in the port-channel, and the LACP rate (timeout) set on the switch.',
  'lacp-both-passive': 'Both sides are passive: set the switch port-channel to LACP mode active (or this bond\'s side).',
  'mixed-speeds': 'The ports run at different speeds: check the switch ports are configured (and negotiated) at the same speed and duplex.',
  'member-down': 'No link on a member: check the cable, that the switch port is enabled (not shut down or err-disabled) and the transceiver.',
  'bond-down': 'No member has a link: check cables and that the switch ports are enabled.',
};

const PORTS: Readonly<Record<NonNullable<BondStatus['protocol']>, string>> = {
  LACP: 'All member ports in one LACP port-channel (one LAG) on the switch, LACP mode active or passive (at least one side active). Same speed and duplex on every port. Across two switches this needs MLAG or a stack.',
  LOADBALANCE: 'All member ports in one static LAG on the switch (no LACP: "mode on" or a static trunk). Plain ports would see the same MAC on several ports and flap; an LACP port-channel would never come up.',
  FAILOVER: 'Plain switch ports, no LAG: only one member sends at a time. Both ports in the same VLANs, so traffic still flows after a failover.',
};

function hashWords(bond: BondStatus): string | null {
  if (bond.protocol === 'FAILOVER' || bond.protocol === null) return null;
  const policy = (bond.xmitHashPolicy ?? 'layer2').split(/\s+/)[0];
  const by = policy === 'layer3+4' ? 'IP addresses and TCP/UDP ports' : policy === 'layer2+3' ? 'MAC and IP addresses' : 'MAC addresses';
  return `The bond picks the link for each packet from a hash of its ${by} (${policy}), so one flow (one TCP connection, one copy) always uses one link and gets at most one link's speed. Many flows spread over the links; the switch hashes the traffic it sends back by its own policy.`;
}

export function switchGuidance(bond: BondStatus): SwitchGuidance | null {
  if (bond.protocol === null) return null;
  const seen = new Set<string>();
  const checks: string[] = [];
  for (const d of bond.diagnosis) {
    const text = SWITCH_CHECKS[d.code];
    const key = `${d.code}/${d.member ?? ''}`;
    if (text === undefined || seen.has(key)) continue;
    seen.add(key);
    checks.push(d.member ? `${d.member}: ${text}` : text);
  }
  return { ports: PORTS[bond.protocol], hash: hashWords(bond), checks, examples: EXAMPLES[bond.protocol] };
}
