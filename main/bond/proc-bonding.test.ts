import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bondStatusSchema } from '../../preload/contract';
import { parseProcBonding, type ProcBonding } from './proc-bonding';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string): string => readFileSync(dir + name, 'utf8');

function parsed(file: string, bond = 'bond0'): ProcBonding {
  const r = parseProcBonding(bond, fixture(file));
  if (!r.ok) throw new Error(`${file}: ${r.error.message}`);
  return r.value;
}

const captures = readdirSync(dir).filter((f) => f.startsWith('k') && f.endsWith('.txt'));

describe('parseProcBonding on every composed capture', () => {
  it('has captures for each kernel generation', () => {
    for (const k of ['k3.10', 'k4.19', 'k5.10', 'k6.1', 'k6.8']) expect(captures.some((f) => f.startsWith(k))).toBe(true);
  });
  it.each(captures)('%s parses cleanly and passes the contract schema', (file) => {
    const { status, warnings } = parsed(file);
    expect(warnings).toEqual([]);
    expect(() => bondStatusSchema.parse(status)).not.toThrow();
    expect(status.diagnosis.length).toBeGreaterThan(0);
  });
});

describe('parseProcBonding field by field', () => {
  it('reads a 3.10 802.3ad bond without churn or pdu details', () => {
    const { status, extras } = parsed('k3.10-802.3ad-ok.txt');
    expect(status.mode).toBe('802.3ad');
    expect(status.protocol).toBe('LACP');
    expect(status.xmitHashPolicy).toBe('layer2');
    expect(status.lacpduRate).toBe('SLOW');
    expect(status.lacp).toEqual({
      systemMac: null,
      systemPriority: null,
      activeAggregator: { id: 2, ports: 2, actorKey: 17, partnerKey: 32791, partnerMac: '00:1c:73:5e:20:c1' },
    });
    expect(extras.driverVersion).toBe('v3.7.1 (April 27, 2011)');
    expect(extras.adSelect).toBe('stable');
    expect(extras.lacpDetailsVisible).toBe(true);
    expect(status.members.map((m) => [m.name, m.aggregatorId, m.linkFailureCount, m.actorChurnState, m.actor])).toEqual([
      ['em1', 2, 0, null, null],
      ['em2', 2, 1, null, null],
    ]);
  });

  it('reads every 802.3ad field a 4.19+ kernel prints', () => {
    const { status, extras } = parsed('k4.19-802.3ad-ok.txt');
    expect(status.miimonMs).toBe(100);
    expect(status.lacp?.systemMac).toBe('52:54:00:8a:10:01');
    expect(status.lacp?.systemPriority).toBe(65535);
    expect(extras.minLinks).toBe(0);
    const m = status.members[1];
    expect(m).toMatchObject({
      name: 'enp2s0', miiStatus: 'up', speedMbps: 1000, duplex: 'full', permanentMac: '52:54:00:8a:10:02', aggregatorId: 1,
      actorChurnState: 'none', partnerChurnState: 'none', actorChurnedCount: 0, partnerChurnedCount: 0,
    });
    expect(m?.actor).toEqual({
      systemPriority: 65535, systemMac: '52:54:00:8a:10:01', key: 9, portPriority: 255, portNumber: 2, state: 63,
      stateFlags: ['lacp_activity', 'lacp_timeout_short', 'aggregation', 'synchronization', 'collecting', 'distributing'],
    });
    expect(m?.partner).toMatchObject({ systemPriority: 32768, systemMac: '00:1e:49:a1:b2:c3', key: 1001, portNumber: 264 });
  });

  it('reads 6.x additions: LACP active, peer notification delay, ad_select bandwidth', () => {
    const { status, extras } = parsed('k6.8-802.3ad-ok.txt');
    expect(extras.lacpActive).toBe(true);
    expect(extras.peerNotifyDelayMs).toBe(0);
    expect(extras.adSelect).toBe('bandwidth');
    expect(extras.minLinks).toBe(1);
    expect(status.xmitHashPolicy).toBe('encap3+4');
    expect(status.members.map((m) => m.name)).toEqual(['enp129s0f0np0', 'enp129s0f1np1']);
    expect(status.members[0]?.speedMbps).toBe(25000);
  });

  it('reads active-backup primary, reselect policy, fail_over_mac and ARP monitoring', () => {
    const { status, extras } = parsed('k6.8-active-backup-arp-failovermac.txt');
    expect(status.mode).toBe('active-backup');
    expect(status.protocol).toBe('FAILOVER');
    expect(status.primary).toBe('eth0');
    expect(status.activeMember).toBe('eth0');
    expect(status.xmitHashPolicy).toBeNull();
    expect(status.lacp).toBeNull();
    expect(extras).toMatchObject({ failOverMac: 'active', primaryReselect: 'better', arpIntervalMs: 500, arpMissedMax: 3, arpTargets: ['10.20.0.1'], nsTargets: ['fd00:20::1'] });
    expect(status.members[1]?.miiStatus).toBe('going back');
  });

  it('reads "None" as no primary and two ARP targets', () => {
    const { status, extras } = parsed('k5.10-active-backup-arp.txt');
    expect(status.primary).toBe('eno1');
    expect(status.activeMember).toBe('eno2');
    expect(extras.arpTargets).toEqual(['192.168.10.1', '192.168.10.2']);
    expect(parsed('k3.10-active-backup-ok.txt').status.primary).toBeNull();
  });

  it.each([
    ['k3.10-balance-rr.txt', 'balance-rr', null],
    ['k4.19-balance-xor-miimon0.txt', 'balance-xor', 'LOADBALANCE'],
    ['k4.19-broadcast.txt', 'broadcast', null],
    ['k5.10-balance-tlb.txt', 'balance-tlb', null],
    ['k6.1-balance-alb.txt', 'balance-alb', null],
  ] as const)('maps the mode wording of %s', (file, mode, protocol) => {
    const { status } = parsed(file);
    expect(status.mode).toBe(mode);
    expect(status.protocol).toBe(protocol);
  });

  it('reads Unknown speed and duplex as null and N/A aggregator as null', () => {
    const { status, extras } = parsed('k3.10-802.3ad-no-active-aggregator.txt');
    expect(status.members[0]).toMatchObject({ speedMbps: null, duplex: null, aggregatorId: null, miiStatus: 'down' });
    expect(status.miiStatus).toBe('down');
    expect(extras.noActiveAggregator).toBe(true);
    expect(status.lacp?.activeAggregator).toBeNull();
  });

  it('knows when a non-root reader was denied the LACP details', () => {
    const { status, extras } = parsed('k6.8-802.3ad-nonroot.txt');
    expect(extras.lacpDetailsVisible).toBe(false);
    expect(status.lacp).toEqual({ systemMac: null, systemPriority: null, activeAggregator: null });
    expect(status.members.every((m) => m.actor === null && m.aggregatorId === 1)).toBe(true);
  });

  it('parses a bond with no members', () => {
    const { status } = parsed('k6.8-balance-rr.txt');
    expect(status.members).toEqual([]);
  });

  it('accepts CRLF line ends and an "Actor details:" style header', () => {
    const text = fixture('k4.19-802.3ad-ok.txt').replaceAll('details actor lacp pdu:', 'Actor details:').replaceAll('\n', '\r\n');
    const r = parseProcBonding('bond0', text);
    expect(r.ok && r.value.status.members[0]?.actor?.portNumber).toBe(1);
    expect(r.ok && r.value.warnings).toEqual([]);
  });
});

describe('parseProcBonding on hostile input', () => {
  it('keeps what it could read from a capture cut short, and says so', () => {
    const { status, warnings } = parsed('malformed-truncated-802.3ad.txt');
    expect(status.lacp?.activeAggregator?.id).toBe(3);
    expect(status.members).toHaveLength(2);
    expect(status.members[0]?.actor).not.toBeNull();
    expect(status.members[1]?.actor).toBeNull();
    expect(warnings.some((w) => w.includes('incomplete LACP details'))).toBe(true);
    expect(() => bondStatusSchema.parse(status)).not.toThrow();
  });

  it('skips odd values and invalid member names with warnings', () => {
    const { status, warnings } = parsed('malformed-odd-values.txt');
    expect(status.members.map((m) => m.name)).toEqual(['eth1']);
    expect(status.members[0]).toMatchObject({ miiStatus: 'unknown', speedMbps: null, permanentMac: null });
    expect(status.miimonMs).toBeNull();
    expect(warnings.join('\n')).toMatch(/Frobnication/);
    expect(warnings.join('\n')).toMatch(/invalid name/);
    expect(() => bondStatusSchema.parse(status)).not.toThrow();
  });

  it('returns a typed error for text that is not a bonding file', () => {
    const r = parseProcBonding('bond0', fixture('malformed-garbage.txt'));
    expect(r).toMatchObject({ ok: false, error: { code: 'PROC_BONDING_UNREADABLE' } });
    expect(parseProcBonding('bond0', '')).toMatchObject({ ok: false });
    const unknown = parseProcBonding('bond0', 'Bonding Mode: something new');
    expect(!unknown.ok && unknown.error.message).toContain('unknown bonding mode');
  });

  it('rejects an invalid bond name', () => {
    expect(parseProcBonding('../etc', fixture('k6.1-802.3ad-ok.txt'))).toMatchObject({ ok: false, error: { code: 'BOND_NAME_INVALID' } });
  });

  it('bounds warnings and members on huge input', () => {
    const many = Array.from({ length: 100 }, (_, i) => `\nSlave Interface: eth${i}\nMII Status: up\nWeird: ${i}`).join('\n');
    const r = parseProcBonding('bond0', `Bonding Mode: load balancing (round-robin)\n${many}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status.members).toHaveLength(64);
    expect(r.value.warnings.length).toBeLessThanOrEqual(20);
    expect(() => bondStatusSchema.parse(r.value.status)).not.toThrow();
  });
});
