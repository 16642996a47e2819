import type { BondSpec } from '../../preload/contract/bond-spec';
import type { BondStatus, HostFacts, NetInterface } from '../../preload/contract/inventory';

// Inventories for the planner's unit tests: a small box with four ports, eno1 carrying the SSH
// session at 192.0.2.10/24 with the default route via 192.0.2.1 (documentation addresses).

export function nic(name: string, extra: Partial<NetInterface> = {}): NetInterface {
  return {
    name,
    kind: 'physical',
    mac: '52:54:00:00:00:01',
    mtu: 1500,
    operState: 'up',
    carrier: true,
    speedMbps: 1000,
    master: null,
    vlanParent: null,
    addresses: [],
    isManagement: false,
    description: null,
    ...extra,
  };
}

export function bondStatus(name: string, members: string[], extra: Partial<BondStatus> = {}): BondStatus {
  return {
    name,
    mode: '802.3ad',
    protocol: 'LACP',
    xmitHashPolicy: 'layer2+3',
    lacpduRate: 'SLOW',
    miimonMs: 100,
    updelayMs: 0,
    downdelayMs: 0,
    primary: null,
    activeMember: null,
    miiStatus: 'up',
    lacp: null,
    members: members.map((m) => ({
      name: m,
      miiStatus: 'up',
      speedMbps: 1000,
      duplex: 'full',
      linkFailureCount: 0,
      permanentMac: null,
      aggregatorId: 1,
      actorChurnState: null,
      partnerChurnState: null,
      actorChurnedCount: null,
      partnerChurnedCount: null,
      actor: null,
      partner: null,
    })),
    diagnosis: [],
    ...extra,
  };
}

export function linuxFacts(extra: Partial<HostFacts> = {}): HostFacts {
  return {
    collectedAt: '2025-05-01T10:00:00.000Z',
    hostname: 'box1',
    os: { kind: 'linux', pretty: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0', truenasVersion: null },
    interfaces: [
      nic('lo', { kind: 'loopback', mac: null, addresses: [{ family: 'inet', address: '127.0.0.1', prefix: 8, scope: 'host' }] }),
      nic('eno1', {
        isManagement: true,
        addresses: [
          { family: 'inet', address: '192.0.2.10', prefix: 24, scope: 'global' },
          { family: 'inet6', address: 'fe80::1', prefix: 64, scope: 'link' },
        ],
      }),
      nic('eno2'),
      nic('eno3'),
      nic('eno4', { addresses: [{ family: 'inet', address: '198.51.100.4', prefix: 24, scope: 'global' }] }),
    ],
    bonds: [],
    defaultRoutes: [{ family: 'inet', gateway: '192.0.2.1', dev: 'eno1' }],
    management: { nic: 'eno1', address: '192.0.2.10', clientAddress: '192.0.2.200' },
    middleware: null,
    stack: { manager: 'ifupdown', version: null, renderer: null, managedDevices: [], bonding: 'loaded' },
    warnings: [],
    ...extra,
  };
}

/** The same box as TrueNAS at `version`, with eno1's static address stored in the middleware DB. */
export function truenasFacts(version: string, extra: Partial<HostFacts> = {}): HostFacts {
  const base = linuxFacts();
  return {
    ...base,
    os: { kind: 'truenas', pretty: `TrueNAS ${version}`, kernel: '6.6.0', truenasVersion: version },
    stack: { manager: 'truenas-middleware', version: null, renderer: null, managedDevices: [], bonding: 'loaded' },
    middleware: {
      version,
      pendingChanges: false,
      checkinWaitingSeconds: null,
      interfaces: [
        { id: 'eno1', type: 'PHYSICAL', fake: false, lagProtocol: null, lagPorts: [], aliases: ['192.0.2.10/24'], description: '' },
        { id: 'eno2', type: 'PHYSICAL', fake: false, lagProtocol: null, lagPorts: [], aliases: [], description: '' },
        { id: 'eno3', type: 'PHYSICAL', fake: false, lagProtocol: null, lagPorts: [], aliases: [], description: '' },
        { id: 'eno4', type: 'PHYSICAL', fake: false, lagProtocol: null, lagPorts: [], aliases: ['198.51.100.4/24'], description: '' },
      ],
    },
    ...extra,
  };
}

/** Adds bond1 over eno2+eno3 (LACP) carrying 203.0.113.5/24. */
export function withBond(facts: HostFacts, status: Partial<BondStatus> = {}): HostFacts {
  return {
    ...facts,
    interfaces: [
      ...facts.interfaces.map((i) => (i.name === 'eno2' || i.name === 'eno3' ? { ...i, master: 'bond1' } : i)),
      nic('bond1', { kind: 'bond', addresses: [{ family: 'inet', address: '203.0.113.5', prefix: 24, scope: 'global' }] }),
    ],
    bonds: [bondStatus('bond1', ['eno2', 'eno3'], status)],
  };
}

export function spec(extra: Partial<BondSpec> = {}): BondSpec {
  return {
    name: 'bond0',
    description: '',
    protocol: 'LACP',
    xmitHashPolicy: 'LAYER2+3',
    lacpduRate: 'SLOW',
    members: ['eno2', 'eno3'],
    aliases: [{ address: '203.0.113.10', prefix: 24 }],
    dhcp: false,
    mtu: null,
    ...extra,
  };
}

/** The same box run by NetworkManager `version`, managing every port. */
export function nmFacts(version = '1.42.4', extra: Partial<HostFacts> = {}): HostFacts {
  return linuxFacts({
    os: { kind: 'linux', pretty: 'Rocky Linux 9.4 (Blue Onyx)', kernel: '5.14.0', truenasVersion: null },
    stack: { manager: 'networkmanager', version, renderer: null, managedDevices: ['eno1', 'eno2', 'eno3', 'eno4'], bonding: 'loadable', checkpoints: [] },
    ...extra,
  });
}
