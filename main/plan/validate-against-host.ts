import type { BondSpec } from '../../preload/contract/bond-spec';
import type { HostFacts, NetInterface } from '../../preload/contract/inventory';
import { ipFamily, networksOverlap } from '../../preload/contract/ip';
import { cidr, findInterface, managementMove, managementNic, routableAddresses, sameIp } from './host-view';
import type { FieldError } from './plan-types';

// Host-dependent rules of the bond editor (DESIGN.md "The editor") that hold on every kind of host:
// the rules bondSpecSchema cannot check because they need the host's inventory. A driver adds the
// rules of its own stack (e.g. TrueNAS refusing configured ports) after these.

export interface HostCheckContext {
  readonly action: 'create' | 'update';
  /** The bond being edited (update). */
  readonly existingBondName: string | null;
  /** The lab's "physical" ports are veth pairs, which discovery reports as virtual. */
  readonly allowVirtualMembers: boolean;
}

/** Why `name` cannot be a member of `editingBond` (null = it can). Shared with eligibleMembers. */
export function memberProblem(facts: HostFacts, name: string, editingBond: string | null, allowVirtual: boolean): string | null {
  const iface = findInterface(facts, name);
  if (!iface) return `${name} does not exist on this host`;
  switch (iface.kind) {
    case 'physical':
      break;
    case 'virtual':
      if (!allowVirtual) return `${name} is a virtual interface, not a network port`;
      break;
    case 'bond':
      return `${name} is a bond itself; a bond cannot be a member of another bond`;
    case 'bridge':
      return `${name} is a bridge, not a network port`;
    case 'vlan':
      return `${name} is a VLAN interface (on ${iface.vlanParent ?? 'another port'}), not a network port`;
    case 'loopback':
      return `${name} is the loopback interface`;
    case 'other':
      return `${name} is not an Ethernet port`;
    default: {
      const never: never = iface.kind;
      return `${name} has an unknown kind ${String(never)}`;
    }
  }
  if (iface.master !== null && iface.master !== editingBond) {
    const owner = findInterface(facts, iface.master);
    const what = owner?.kind === 'bridge' ? 'bridge' : owner?.kind === 'bond' ? 'bond' : 'interface';
    return `${name} is already a member of ${what} ${iface.master}; remove it there first`;
  }
  const vlans = facts.interfaces.filter((i) => i.vlanParent === name).map((i) => i.name);
  if (vlans.length > 0) return `${name} carries VLAN ${vlans.join(', ')}; a VLAN parent cannot join a bond`;
  return null;
}

function checkName(spec: BondSpec, facts: HostFacts, ctx: HostCheckContext): FieldError[] {
  if (ctx.action === 'create') {
    const taken = findInterface(facts, spec.name) ?? facts.middleware?.interfaces.find((i) => i.id === spec.name);
    return taken ? [{ field: 'name', message: `${spec.name} already exists on this host; choose another number` }] : [];
  }
  const existing = ctx.existingBondName;
  if (existing === null) return [{ field: 'name', message: 'Which bond to change was not given' }];
  if (spec.name !== existing) return [{ field: 'name', message: `A bond's name cannot change after it is created (this is ${existing})` }];
  const iface = findInterface(facts, existing);
  if (!iface || iface.kind !== 'bond') return [{ field: 'name', message: `${existing} is not a bond on this host (discover the host again?)` }];
  return [];
}

function checkMembers(spec: BondSpec, facts: HostFacts, ctx: HostCheckContext): FieldError[] {
  const errors: FieldError[] = [];
  const editing = ctx.action === 'update' ? ctx.existingBondName : null;
  const move = managementMove(spec, facts);
  spec.members.forEach((name, i) => {
    const field = `members.${i}`;
    const problem = memberProblem(facts, name, editing, ctx.allowVirtualMembers);
    if (problem !== null) {
      errors.push({ field, message: problem });
      return;
    }
    if (move && move.nic === name) {
      if (!move.carried) {
        errors.push({
          field,
          message: `${name} carries this SSH session (${move.address}). Keep ${move.address} in the bond's IP addresses (or use DHCP) so Bondsmith can reconnect, or choose another port`,
        });
      } else if (i !== 0) {
        errors.push({
          field,
          message: `Put ${name} first: it carries this SSH session, and the bond takes the first member's MAC address, so the network keeps reaching ${move.address}`,
        });
      }
      return; // the management NIC's own configuration is reset as part of the migration
    }
  });
  return errors;
}

function checkAliases(spec: BondSpec, facts: HostFacts, ctx: HostCheckContext): FieldError[] {
  const errors: FieldError[] = [];
  // Addresses on the bond itself and on its members go away with the change, so they cannot clash.
  const leaving = new Set<string>([spec.name, ...spec.members, ...(ctx.existingBondName ? [ctx.existingBondName] : [])]);
  const others: { iface: NetInterface; address: string; prefix: number }[] = [];
  for (const iface of facts.interfaces) {
    if (leaving.has(iface.name) || iface.kind === 'loopback') continue;
    // A former member of the edited bond shows its master; its addresses are the bond's.
    if (iface.master !== null && leaving.has(iface.master)) continue;
    for (const a of routableAddresses(iface)) others.push({ iface, address: a.address, prefix: a.prefix });
  }
  spec.aliases.forEach((alias, i) => {
    if (ipFamily(alias.address) === null) return; // the schema reports it
    const clash = others.find((o) => sameIp(o.address, alias.address) || networksOverlap(alias.address, alias.prefix, o.address, o.prefix));
    if (clash) {
      const message = sameIp(clash.address, alias.address)
        ? `${alias.address} is already used by ${clash.iface.name}`
        : `${cidr(alias)} overlaps ${cidr(clash)} on ${clash.iface.name}; one network cannot be on two interfaces`;
      errors.push({ field: `aliases.${i}.address`, message });
    }
  });
  if (spec.mtu !== null && spec.mtu < 1280 && spec.aliases.some((a) => ipFamily(a.address) === 'inet6')) {
    errors.push({ field: 'mtu', message: 'IPv6 addresses need an MTU of at least 1280' });
  }
  return errors;
}

/** The session must survive: the bond that carries it must keep the session's address. */
function checkManagementBond(spec: BondSpec, facts: HostFacts, ctx: HostCheckContext): FieldError[] {
  if (ctx.action !== 'update' || managementNic(facts) !== ctx.existingBondName) return [];
  const address = facts.management.address;
  if (address === null || spec.dhcp || spec.aliases.some((a) => sameIp(a.address, address))) return [];
  return [{ field: 'aliases', message: `${spec.name} carries this SSH session at ${address}; keep ${address} among its addresses so Bondsmith can reconnect` }];
}

/** Host checks for create and update; an empty list means the spec fits the host. */
export function validateAgainstHost(spec: BondSpec, facts: HostFacts, ctx: HostCheckContext): FieldError[] {
  return [
    ...checkName(spec, facts, ctx),
    ...checkMembers(spec, facts, ctx),
    ...checkAliases(spec, facts, ctx),
    ...checkManagementBond(spec, facts, ctx),
  ];
}

/** Host checks for deleting a bond. */
export function validateDelete(bondName: string, facts: HostFacts): FieldError[] {
  const iface = findInterface(facts, bondName);
  if (!iface || iface.kind !== 'bond') return [{ field: 'name', message: `${bondName} is not a bond on this host (discover the host again?)` }];
  if (managementNic(facts) === bondName) {
    return [{ field: 'name', message: `${bondName} carries this SSH session; move ${facts.management.address ?? 'its address'} to another interface before deleting it` }];
  }
  const vlans = facts.interfaces.filter((i) => i.vlanParent === bondName).map((i) => i.name);
  if (vlans.length > 0) return [{ field: 'name', message: `${bondName} carries VLAN ${vlans.join(', ')}; delete the VLANs first` }];
  return [];
}

