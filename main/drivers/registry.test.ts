import { describe, expect, it } from 'vitest';
import { linuxFacts, truenasFacts, withBond } from '../../e2e/kit/host-facts';
import { describeHost, driverForFacts } from './registry';

describe('describeHost', () => {
  it('names the driver, the stack and the bonds as the editor would open them', () => {
    const view = describeHost(withBond(linuxFacts()));
    expect(view.driver).toEqual({ kind: 'linux-ifupdown', label: 'ifupdown + iproute2' });
    expect(view.stack).toBe('ifupdown');
    expect(view.readOnlyReason).toBeNull();
    expect(view.bonds.map((b) => b.name)).toEqual(['bond1']);
    expect(view.bonds[0]?.spec).toMatchObject({ name: 'bond1', protocol: 'LACP', members: ['eno2', 'eno3'] });
  });

  it('picks the TrueNAS driver for a box its middleware manages', () => {
    expect(driverForFacts(truenasFacts('25.10.2.2'))?.kind).toBe('truenas');
  });

  it('shows a NetworkManager host too old for checkpoints read-only: the driver, the reason naming the version, nothing pending offered', () => {
    const facts = withBond(linuxFacts({ stack: { manager: 'networkmanager', version: '1.10.14', renderer: null, managedDevices: ['eno2'], bonding: 'loaded' }, pendingRuns: [{ runId: 'create-x', secondsLeft: 10 }] }));
    const view = describeHost(facts);
    expect(view.driver?.kind).toBe('networkmanager');
    expect(view.stack).toBe('NetworkManager 1.10.14');
    expect(view.readOnlyReason).toMatch(/NetworkManager 1\.10\.14, which is older than 1\.12/);
    expect(view.pending).toEqual([]);
    // Bond health still shows: the bond is listed with its fields as the kernel runs it.
    expect(view.bonds.map((b) => b.name)).toEqual(['bond1']);
  });

  it('shows a netplan host read-only, naming netplan and its renderer', () => {
    const view = describeHost(withBond(linuxFacts({ stack: { manager: 'netplan', version: null, renderer: 'networkd', managedDevices: [], bonding: 'loaded' } })));
    expect(view.driver).toBeNull();
    expect(view.readOnlyReason).toMatch(/managed by netplan \(renderer networkd\)/);
    expect(view.bonds.map((b) => [b.name, b.spec])).toEqual([['bond1', null]]);
  });
});
