import type { BondSpec } from '../../preload/contract/bond-spec';
import type { HostFacts, InterfaceAddress, NetInterface } from '../../preload/contract/inventory';
import { canonicalIp } from '../../preload/contract/ip';

// Small read-only questions the planner asks of a host's inventory.

export function findInterface(facts: HostFacts, name: string): NetInterface | undefined {
  return facts.interfaces.find((i) => i.name === name);
}

/** Addresses that mean something to other hosts: link-local and host scope are recreated by the kernel. */
export function routableAddresses(iface: NetInterface | undefined): InterfaceAddress[] {
  if (!iface) return [];
  return iface.addresses.filter((a) => a.scope !== 'link' && a.scope !== 'host');
}

export function cidr(a: { address: string; prefix: number }): string {
  return `${a.address}/${a.prefix}`;
}

export function sameIp(a: string, b: string): boolean {
  return (canonicalIp(a) ?? a) === (canonicalIp(b) ?? b);
}

/** The NIC carrying the SSH session, from discovery's $SSH_CONNECTION analysis. */
export function managementNic(facts: HostFacts): string | null {
  return facts.management.nic ?? facts.interfaces.find((i) => i.isManagement)?.name ?? null;
}

/** Current members of a bond, in enslave order when /proc/net/bonding was read. */
export function currentMembers(facts: HostFacts, bondName: string): string[] {
  const status = facts.bonds.find((b) => b.name === bondName);
  if (status && status.members.length > 0) return status.members.map((m) => m.name);
  return facts.interfaces.filter((i) => i.master === bondName).map((i) => i.name);
}

export interface ManagementMove {
  readonly nic: string;
  readonly address: string;
  readonly memberIndex: number;
  /** The session address is carried over to the bond (static alias or DHCP). */
  readonly carried: boolean;
  readonly viaDhcp: boolean;
}

/** When the spec pulls the management NIC into the bond: where, and whether its address comes along. */
export function managementMove(spec: BondSpec, facts: HostFacts): ManagementMove | null {
  const nic = managementNic(facts);
  const address = facts.management.address;
  if (nic === null || address === null) return null;
  const memberIndex = spec.members.indexOf(nic);
  if (memberIndex < 0) return null;
  const asAlias = spec.aliases.some((a) => sameIp(a.address, address));
  return { nic, address, memberIndex, carried: asAlias || spec.dhcp, viaDhcp: !asAlias && spec.dhcp };
}

/** Interfaces whose configuration a change rewrites: the bond and every old and new member. */
export function touchedInterfaces(bondName: string, oldMembers: readonly string[], newMembers: readonly string[]): string[] {
  return [...new Set([bondName, ...oldMembers, ...newMembers])];
}
