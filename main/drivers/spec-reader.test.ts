import { describe, expect, it } from 'vitest';
import { linuxFacts, nic, nmFacts, truenasFacts, withBond } from '../../e2e/kit/host-facts';
import type { HostFacts, InterfaceAddress } from '../../preload/contract/inventory';
import { linuxIfupdownDriver } from './linux-ifupdown';
import { networkManagerDriver } from './networkmanager';
import { truenasDriver } from './truenas';

// A bond's editor fields read back from discovery: a bond on DHCP opens as DHCP, and the lease the
// kernel holds is not shown as a static alias (saving it would pin the lease as a fixed address).

const LEASE: InterfaceAddress = { family: 'inet', address: '192.0.2.150', prefix: 24, scope: 'global', dynamic: true };
const STATIC: InterfaceAddress = { family: 'inet', address: '203.0.113.5', prefix: 24, scope: 'global' };

/** bond1 holding a DHCP lease (and, where asked, a static alias beside it). */
function onLease(facts: HostFacts, addresses: InterfaceAddress[] = [LEASE]): HostFacts {
  const f = withBond(facts);
  return { ...f, interfaces: f.interfaces.map((i) => (i.name === 'bond1' ? nic('bond1', { kind: 'bond', addresses }) : i)) };
}

describe('reading a DHCP bond back', () => {
  it('ifupdown: `iface bond1 inet dhcp` opens as DHCP with no alias', () => {
    const facts = onLease(linuxFacts({ stack: { manager: 'ifupdown', version: null, renderer: null, managedDevices: [], bonding: 'loaded', dhcpInterfaces: ['bond1'] } }));
    expect(linuxIfupdownDriver.specOf(facts, 'bond1')).toMatchObject({ dhcp: true, aliases: [] });
  });

  it('ifupdown: a static alias beside the lease is kept', () => {
    const facts = onLease(linuxFacts({ stack: { manager: 'ifupdown', version: null, renderer: null, managedDevices: [], bonding: 'loaded', dhcpInterfaces: ['bond1'] } }), [LEASE, STATIC]);
    expect(linuxIfupdownDriver.specOf(facts, 'bond1')).toMatchObject({ dhcp: true, aliases: [{ address: '203.0.113.5', prefix: 24 }] });
  });

  it('ifupdown: a bond the configuration does not put on DHCP keeps its addresses as aliases', () => {
    const facts = onLease(linuxFacts());
    expect(linuxIfupdownDriver.specOf(facts, 'bond1')).toMatchObject({ dhcp: false, aliases: [{ address: '192.0.2.150', prefix: 24 }] });
  });

  it("NetworkManager: a lease on the bond (NM's own DHCP client) opens it as DHCP, the lease left out", () => {
    expect(networkManagerDriver.specOf(onLease(nmFacts()), 'bond1')).toMatchObject({ dhcp: true, aliases: [] });
    expect(networkManagerDriver.specOf(onLease(nmFacts(), [LEASE, STATIC]), 'bond1')).toMatchObject({ dhcp: true, aliases: [{ address: '203.0.113.5', prefix: 24 }] });
  });

  it('NetworkManager: a bond with static addresses only reads as static', () => {
    expect(networkManagerDriver.specOf(onLease(nmFacts(), [STATIC]), 'bond1')).toMatchObject({ dhcp: false, aliases: [{ address: '203.0.113.5', prefix: 24 }] });
  });

  it("TrueNAS: the middleware's ipv4_dhcp opens the bond as DHCP, the lease left out", () => {
    const base = truenasFacts('25.04.2.6');
    const mw = base.middleware;
    if (!mw) throw new Error('fixture without middleware');
    const facts = onLease({
      ...base,
      middleware: { ...mw, interfaces: [...mw.interfaces, { id: 'bond1', type: 'LINK_AGGREGATION', fake: false, lagProtocol: 'LACP', lagPorts: ['eno3', 'eno2'], aliases: [], description: '', ipv4Dhcp: true }] },
    });
    expect(truenasDriver.specOf(facts, 'bond1')).toMatchObject({ dhcp: true, aliases: [], members: ['eno3', 'eno2'] });
  });

  it('TrueNAS: ipv4_dhcp false reads as static', () => {
    const base = truenasFacts('25.04.2.6');
    const mw = base.middleware;
    if (!mw) throw new Error('fixture without middleware');
    const facts = onLease(
      { ...base, middleware: { ...mw, interfaces: [...mw.interfaces, { id: 'bond1', type: 'LINK_AGGREGATION', fake: false, lagProtocol: 'LACP', lagPorts: ['eno2', 'eno3'], aliases: ['203.0.113.5/24'], description: '', ipv4Dhcp: false }] } },
      [STATIC],
    );
    expect(truenasDriver.specOf(facts, 'bond1')).toMatchObject({ dhcp: false, aliases: [{ address: '203.0.113.5', prefix: 24 }] });
  });
});
