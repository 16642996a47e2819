import { describe, expect, it } from 'vitest';
import type { HostFacts, NetInterface } from '../../../preload/contract';
import { firstBondNameFreeOnAll, nextBondName } from './next-bond-name';

function nic(name: string, kind: NetInterface['kind']): NetInterface {
  return { name, kind, mac: null, mtu: 1500, operState: 'up', carrier: true, speedMbps: null, master: null, vlanParent: null, addresses: [], isManagement: false, description: null };
}

function hostWith(...names: string[]): HostFacts {
  return {
    collectedAt: '2024-05-01T10:00:00.000Z',
    hostname: 'nas',
    os: { kind: 'linux', pretty: 'Debian GNU/Linux 12', kernel: '6.1.0-21-amd64', truenasVersion: null },
    interfaces: [nic('eno1', 'physical'), ...names.map((n) => nic(n, 'bond'))],
    bonds: [],
    defaultRoutes: [],
    management: { nic: null, address: null, clientAddress: null },
    middleware: null,
    stack: { manager: 'ifupdown', version: null, renderer: null, managedDevices: [], bonding: 'loaded' },
    warnings: [],
  };
}

describe('bond names for a new bond', () => {
  it('one host: the first bondN it does not have', () => {
    expect(nextBondName(hostWith())).toBe('bond0');
    expect(nextBondName(hostWith('bond0', 'bond2'))).toBe('bond1');
  });

  it('a rollout: the first bondN that no target has, so a new bond never lands on an existing one', () => {
    expect(firstBondNameFreeOnAll([hostWith('bond0'), hostWith('bond1'), hostWith()])).toBe('bond2');
    expect(firstBondNameFreeOnAll([hostWith('bond1'), hostWith('bond1'), hostWith('bond1')])).toBe('bond0');
    expect(firstBondNameFreeOnAll([])).toBe('bond0');
  });
});
