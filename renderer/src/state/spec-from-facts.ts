import { defaultBondSpec, type BondSpec, type HostFacts, type LacpduRate, type XmitHashPolicy } from '../../../preload/contract';

const XMIT: Readonly<Record<string, XmitHashPolicy>> = { layer2: 'LAYER2', 'layer2+3': 'LAYER2+3', 'layer3+4': 'LAYER3+4' };

/** The editor's starting point for an existing bond, read from what discovery found. */
export function specFromFacts(facts: HostFacts, bondName: string): BondSpec | null {
  const bond = facts.bonds.find((b) => b.name === bondName);
  if (!bond?.protocol) return null;
  const nic = facts.interfaces.find((i) => i.name === bondName);
  const mw = facts.middleware?.interfaces.find((i) => i.id === bondName);
  const members = mw && mw.lagPorts.length > 0 ? [...mw.lagPorts] : bond.members.map((m) => m.name);
  if (bond.protocol === 'FAILOVER' && bond.primary) {
    const i = members.indexOf(bond.primary);
    if (i > 0) members.unshift(...members.splice(i, 1));
  }
  const xmit = XMIT[(bond.xmitHashPolicy ?? '').split(' ')[0] ?? ''] ?? 'LAYER2+3';
  const rate: LacpduRate = bond.lacpRate === 'fast' ? 'FAST' : 'SLOW';
  return {
    ...defaultBondSpec(bondName),
    description: mw?.description && mw.description !== bondName ? mw.description : (nic?.description ?? ''),
    protocol: bond.protocol,
    xmitHashPolicy: bond.protocol === 'FAILOVER' ? null : xmit,
    lacpduRate: bond.protocol === 'LACP' ? rate : null,
    members,
    aliases: (nic?.addresses ?? []).filter((a) => a.scope !== 'link').map((a) => ({ address: a.address, prefix: a.prefix })),
    mtu: nic?.mtu && nic.mtu !== 1500 ? nic.mtu : null,
  };
}

/** The first free bondN name on the host. */
export function nextBondName(facts: HostFacts): string {
  const taken = new Set(facts.interfaces.map((i) => i.name));
  for (let n = 0; n < 10_000; n++) if (!taken.has(`bond${n}`)) return `bond${n}`;
  return 'bond0';
}
