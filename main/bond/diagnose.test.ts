import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnosisSchema, type BondMember, type BondStatus, type NetInterface } from '../../preload/contract';
import { diagnoseBond, diagnosisCodes } from './diagnose';
import { decodeLacpState } from './lacp-state';
import { parseProcBonding } from './proc-bonding';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));

function fromFixture(file: string): BondStatus {
  const r = parseProcBonding('bond0', readFileSync(dir + file, 'utf8'));
  if (!r.ok) throw new Error(r.error.message);
  return r.value.status;
}
const codes = (ds: readonly { code: string }[]): string[] => ds.map((x) => x.code).sort();

describe('diagnosis of the composed captures', () => {
  it.each([
    ['k4.19-802.3ad-ok.txt', ['lacp-ok']],
    ['k6.8-802.3ad-ok.txt', ['lacp-ok']],
    ['k3.10-802.3ad-ok.txt', ['lacp-ok', 'lacp-rate-slow', 'member-link-failures']],
    ['k3.10-802.3ad-no-active-aggregator.txt', ['bond-down', 'lacp-no-active-aggregator', 'lacp-rate-slow', 'member-down']],
    ['k4.19-802.3ad-member-down.txt', ['lacp-rate-slow', 'member-down', 'member-link-failures']],
    ['k5.10-802.3ad-split-aggregators.txt', ['lacp-aggregator-partial', 'lacp-member-not-aggregating', 'lacp-rate-slow', 'lacp-split-aggregators']],
    ['k6.1-802.3ad-no-partner.txt', ['lacp-no-partner', 'lacp-rate-slow']],
    ['k6.1-802.3ad-churned.txt', ['lacp-churned', 'lacp-member-not-aggregating']],
    ['k6.8-802.3ad-mixed-speed.txt', ['lacp-aggregator-partial', 'lacp-member-not-aggregating', 'lacp-split-aggregators', 'mixed-speeds']],
    ['k6.8-802.3ad-nonroot.txt', ['lacp-details-hidden', 'lacp-ok', 'lacp-rate-slow']],
    ['k6.1-active-backup-miimon0.txt', ['no-link-monitoring']],
    ['k4.19-balance-xor-miimon0.txt', ['no-link-monitoring']],
    ['k5.10-active-backup-arp.txt', ['member-down', 'member-link-failures']],
    ['k6.1-balance-xor-ok.txt', ['bond-ok']],
    ['k6.8-balance-rr.txt', ['bond-no-members']],
  ])('%s -> %j', (file, expected) => {
    const diagnosis = fromFixture(file).diagnosis;
    expect(codes(diagnosis)).toEqual([...expected].sort());
    for (const x of diagnosis) {
      expect(diagnosisCodes).toContain(x.code);
      expect(() => diagnosisSchema.parse(x)).not.toThrow();
    }
  });

  it('says what a healthy LACP bond negotiated', () => {
    const [ok] = fromFixture('k6.1-802.3ad-ok.txt').diagnosis;
    expect(ok).toMatchObject({ severity: 'ok', code: 'lacp-ok', member: null });
    expect(ok?.message).toContain('LACP negotiated: 2 port(s) in aggregator 1 with partner MAC f4:8e:38:c2:10:00');
  });

  it('tells the admin to put the switch ports into LACP when the partner MAC is zero', () => {
    const d = fromFixture('k6.1-802.3ad-no-partner.txt').diagnosis.find((x) => x.code === 'lacp-no-partner');
    expect(d?.severity).toBe('error');
    expect(d?.message).toMatch(/LACP port-channel \(mode active or passive\)/);
  });

  it('names the FAILOVER consequence of miimon 0', () => {
    const d = fromFixture('k6.1-active-backup-miimon0.txt').diagnosis[0];
    expect(d?.message).toMatch(/failover will never happen/);
  });
});

function member(name: string, over: Partial<BondMember> = {}): BondMember {
  return {
    name, miiStatus: 'up', speedMbps: 1000, duplex: 'full', linkFailureCount: 0, permanentMac: null, aggregatorId: 1,
    actorChurnState: 'none', partnerChurnState: 'none', actorChurnedCount: 0, partnerChurnedCount: 0, actor: null, partner: null, ...over,
  };
}
function lacpInfo(mac: string, state: number) {
  return { systemPriority: 32768, systemMac: mac, key: 9, portPriority: 255, portNumber: 1, state, stateFlags: decodeLacpState(state) };
}
function lacpBond(members: BondMember[], partnerMac = 'aa:bb:cc:00:00:01'): BondStatus {
  return {
    name: 'bond1', mode: '802.3ad', protocol: 'LACP', xmitHashPolicy: 'layer2+3', lacpduRate: 'FAST', miimonMs: 100, updelayMs: 0, downdelayMs: 0,
    primary: null, activeMember: null, miiStatus: 'up',
    lacp: { systemMac: '02:00:00:00:00:01', systemPriority: 65535, activeAggregator: { id: 1, ports: members.length, actorKey: 9, partnerKey: 5, partnerMac } },
    members, diagnosis: [],
  };
}
function nic(name: string, over: Partial<NetInterface> = {}): NetInterface {
  return { name, kind: 'physical', mac: null, mtu: 1500, operState: 'up', carrier: true, speedMbps: 1000, master: 'bond1', vlanParent: null, addresses: [], isManagement: false, description: null, ...over };
}

describe('diagnoseBond rules', () => {
  it('flags a defaulted and an expired port', () => {
    const b = lacpBond([
      member('eth0', { actor: lacpInfo('02:00:00:00:00:01', 63), partner: lacpInfo('aa:bb:cc:00:00:01', 63) }),
      member('eth1', { actor: lacpInfo('02:00:00:00:00:01', 63 | 64), partner: lacpInfo('aa:bb:cc:00:00:01', 63) }),
      member('eth2', { actor: lacpInfo('02:00:00:00:00:01', 63 | 128), partner: lacpInfo('aa:bb:cc:00:00:01', 63) }),
    ]);
    const ds = diagnoseBond(b);
    expect(ds.find((x) => x.code === 'lacp-partner-defaulted')?.member).toBe('eth1');
    expect(ds.find((x) => x.code === 'lacp-partner-expired')?.member).toBe('eth2');
    expect(ds.some((x) => x.severity === 'ok')).toBe(false);
  });

  it('flags ports that talk to different switches, and a port with no partner', () => {
    const ds = diagnoseBond(lacpBond([
      member('eth0', { actor: lacpInfo('02:00:00:00:00:01', 63), partner: lacpInfo('aa:bb:cc:00:00:01', 63) }),
      member('eth1', { actor: lacpInfo('02:00:00:00:00:01', 63), partner: lacpInfo('aa:bb:cc:00:00:02', 63) }),
      member('eth2', { actor: lacpInfo('02:00:00:00:00:01', 69), partner: lacpInfo('00:00:00:00:00:00', 1) }),
    ]));
    expect(ds.find((x) => x.code === 'lacp-partner-differs')?.message).toContain('aa:bb:cc:00:00:01 and aa:bb:cc:00:00:02');
    expect(ds.find((x) => x.code === 'lacp-member-no-partner')?.member).toBe('eth2');
  });

  it('flags both ends passive', () => {
    const ds = diagnoseBond(lacpBond([member('eth0', { actor: lacpInfo('02:00:00:00:00:01', 60), partner: lacpInfo('aa:bb:cc:00:00:01', 60) })]));
    expect(codes(ds)).toContain('lacp-both-passive');
  });

  it('uses the interface list: missing NIC, no carrier, speed from sysfs', () => {
    const b = lacpBond([member('eth0', { speedMbps: null }), member('eth1', { speedMbps: null }), member('eth9')]);
    const ds = diagnoseBond(b, [nic('eth0', { speedMbps: 1000 }), nic('eth1', { speedMbps: 10000, carrier: false })]);
    expect(ds.find((x) => x.code === 'member-missing')?.member).toBe('eth9');
    expect(ds.find((x) => x.code === 'member-down')?.message).toMatch(/eth1 reports no carrier/);
    const up2 = diagnoseBond(lacpBond([member('eth0', { speedMbps: null }), member('eth1', { speedMbps: null })]), [nic('eth0', { speedMbps: 1000 }), nic('eth1', { speedMbps: 10000 })]);
    expect(codes(up2)).toContain('mixed-speeds');
  });

  it('treats ARP monitoring as link monitoring', () => {
    const b: BondStatus = { ...fromFixture('k6.1-active-backup-miimon0.txt') };
    expect(codes(diagnoseBond(b, undefined, { arpIntervalMs: 1000 }))).toEqual(['bond-ok']);
    expect(codes(diagnoseBond(b))).toEqual(['no-link-monitoring']);
  });

  it('reports FAILOVER with no active member or running off its primary', () => {
    const b = fromFixture('k3.10-active-backup-ok.txt');
    expect(codes(diagnoseBond({ ...b, activeMember: null }))).toContain('failover-no-active-member');
    expect(codes(diagnoseBond({ ...b, primary: 'eth0', activeMember: 'eth1' }))).toEqual(['bond-ok', 'failover-not-on-primary']);
  });

  it('infers hidden LACP details when no context is given', () => {
    const b = lacpBond([member('eth0'), member('eth1')]);
    const hidden: BondStatus = { ...b, lacp: { systemMac: null, systemPriority: null, activeAggregator: null } };
    expect(codes(diagnoseBond(hidden))).toEqual(['lacp-details-hidden', 'lacp-ok']);
    expect(codes(diagnoseBond(hidden, undefined, { lacpDetailsVisible: true }))).toContain('lacp-no-active-aggregator');
  });

  it('never returns more than the schema allows', () => {
    const many = Array.from({ length: 64 }, (_, i) => member(`eth${i}`, { miiStatus: 'down', linkFailureCount: 3 }));
    expect(diagnoseBond(lacpBond(many)).length).toBeLessThanOrEqual(64);
  });
});
