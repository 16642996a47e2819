import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../preload/contract/inventory';
import { linuxFacts, nic, spec, withBond } from '../../e2e/kit/host-facts';
import { eligibleMembers } from './eligible-members';
import { validateAgainstHost, type HostCheckContext } from './validate-against-host';

const LINUX: HostCheckContext = {
  action: 'create',
  existingBondName: null,
  allowVirtualMembers: false,
};

function crowded(): HostFacts {
  const base = withBond(linuxFacts());
  return {
    ...base,
    interfaces: [
      ...base.interfaces,
      nic('eno5', { master: 'br0' }),
      nic('br0', { kind: 'bridge' }),
      nic('eno6'),
      nic('eno6.100', { kind: 'vlan', vlanParent: 'eno6' }),
      nic('veth0', { kind: 'virtual' }),
      nic('tun0', { kind: 'other' }),
    ],
  };
}

describe('validateAgainstHost', () => {
  it('accepts a plain spec on free ports', () => {
    expect(validateAgainstHost(spec(), linuxFacts(), LINUX)).toEqual([]);
  });

  it('refuses a taken name on create', () => {
    expect(validateAgainstHost(spec({ name: 'bond1', members: ['eno4'], aliases: [] }), withBond(linuxFacts()), LINUX)).toEqual([{ field: 'name', message: 'bond1 already exists on this host; choose another number' }]);
  });

  it('names what is wrong with each member', () => {
    const errors = validateAgainstHost(spec({ members: ['eno9', 'eno2', 'eno5', 'eno6', 'bond1', 'lo', 'veth0', 'tun0', 'eno6.100'] }), crowded(), LINUX);
    expect(errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'members.0: eno9 does not exist on this host',
      'members.1: eno2 is already a member of bond bond1; remove it there first',
      'members.2: eno5 is already a member of bridge br0; remove it there first',
      'members.3: eno6 carries VLAN eno6.100; a VLAN parent cannot join a bond',
      'members.4: bond1 is a bond itself; a bond cannot be a member of another bond',
      'members.5: lo is the loopback interface',
      'members.6: veth0 is a virtual interface, not a network port',
      'members.7: tun0 is not an Ethernet port',
      'members.8: eno6.100 is a VLAN interface (on eno6), not a network port',
    ]);
    expect(validateAgainstHost(spec({ members: ['veth0'], aliases: [] }), crowded(), { ...LINUX, allowVirtualMembers: true })).toEqual([]);
  });

  it('keeps the current members of the bond being edited eligible', () => {
    const ctx: HostCheckContext = { ...LINUX, action: 'update', existingBondName: 'bond1' };
    expect(validateAgainstHost(spec({ name: 'bond1', members: ['eno2', 'eno3'], aliases: [{ address: '203.0.113.5', prefix: 24 }] }), withBond(linuxFacts()), ctx)).toEqual([]);
  });

  it('refuses an alias that overlaps another interface, but not a member address being moved', () => {
    const facts = linuxFacts();
    expect(validateAgainstHost(spec({ aliases: [{ address: '198.51.100.77', prefix: 25 }] }), facts, LINUX)).toEqual([
      { field: 'aliases.0.address', message: '198.51.100.77/25 overlaps 198.51.100.4/24 on eno4; one network cannot be on two interfaces' },
    ]);
    expect(validateAgainstHost(spec({ aliases: [{ address: '192.0.2.10', prefix: 24 }] }), facts, LINUX)[0]).toEqual({ field: 'aliases.0.address', message: '192.0.2.10 is already used by eno1' });
    // eno4's own network moves with eno4 into the bond: no clash.
    expect(validateAgainstHost(spec({ members: ['eno2', 'eno4'], aliases: [{ address: '198.51.100.4', prefix: 24 }] }), facts, LINUX)).toEqual([]);
    // Link-local addresses on other ports never clash.
    expect(validateAgainstHost(spec({ aliases: [{ address: 'fe80::99', prefix: 64 }] }), facts, LINUX)).toEqual([]);
  });

  it('needs MTU 1280 or more with IPv6', () => {
    expect(validateAgainstHost(spec({ mtu: 1000, aliases: [{ address: '2001:db8::1', prefix: 64 }] }), linuxFacts(), LINUX)).toEqual([{ field: 'mtu', message: 'IPv6 addresses need an MTU of at least 1280' }]);
  });

  it('the bond carrying the session must keep its address on update', () => {
    const facts: HostFacts = { ...withBond(linuxFacts()), management: { nic: 'bond1', address: '203.0.113.5', clientAddress: null } };
    const ctx: HostCheckContext = { ...LINUX, action: 'update', existingBondName: 'bond1' };
    expect(validateAgainstHost(spec({ name: 'bond1', aliases: [{ address: '203.0.113.6', prefix: 24 }] }), facts, ctx)).toEqual([
      { field: 'aliases', message: 'bond1 carries this SSH session at 203.0.113.5; keep 203.0.113.5 among its addresses so Bondsmith can reconnect' },
    ]);
  });
});

describe('eligibleMembers', () => {
  it('marks every port for the picker: management, addresses, and why not', () => {
    const marks = eligibleMembers(crowded(), null, { joinNote: (iface) => (iface.name === 'eno4' ? 'Has its own TrueNAS configuration, which is reset when it joins the bond' : null) });
    const byName = new Map(marks.map((m) => [m.name, m]));
    expect(byName.has('lo')).toBe(false);
    expect(byName.get('eno1')).toEqual({
      name: 'eno1',
      speedMbps: 1000,
      link: 'up',
      carriesAddresses: ['192.0.2.10/24'],
      carriesManagement: true,
      eligible: true,
      reason: 'Carries this SSH session: its address moves onto the bond, and it must be the first member',
      ownConfiguration: null,
    });
    expect(byName.get('eno4')).toMatchObject({ eligible: true, carriesAddresses: ['198.51.100.4/24'], reason: 'Has its own TrueNAS configuration, which is reset when it joins the bond' });
    expect(byName.get('eno2')).toMatchObject({ eligible: false, reason: 'eno2 is already a member of bond bond1; remove it there first' });
    expect(byName.get('eno6')).toMatchObject({ eligible: false });
    // The driver says which free ports carry a configuration of their own to reset; never the management NIC.
    const owned = eligibleMembers(crowded(), null, { ownConfiguration: () => 'own configuration' });
    expect(owned.find((m) => m.name === 'eno4')?.ownConfiguration).toBe('own configuration');
    expect(owned.find((m) => m.name === 'eno1')?.ownConfiguration).toBeNull();
    expect(owned.find((m) => m.name === 'eno2')?.ownConfiguration).toBeNull();
    expect(byName.get('bond1')).toMatchObject({ eligible: false });
    expect(byName.get('veth0')).toMatchObject({ eligible: false });
  });

  it('offers the edited bond its own members and hides the bond itself', () => {
    const marks = eligibleMembers(withBond(linuxFacts()), 'bond1');
    expect(marks.find((m) => m.name === 'eno2')).toMatchObject({ eligible: true, reason: null });
    expect(marks.some((m) => m.name === 'bond1')).toBe(false);
  });

  it('reports link down from carrier', () => {
    const facts = linuxFacts({ interfaces: [nic('eno2', { operState: 'down', carrier: false }), nic('eno3', { operState: 'unknown', carrier: null })] });
    expect(eligibleMembers(facts).map((m) => m.link)).toEqual(['down', 'unknown']);
  });
});
