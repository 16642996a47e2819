import { describe, expect, it } from 'vitest';
import type { BondSpec } from '../../../preload/contract/bond-spec';
import type { HostFacts } from '../../../preload/contract/inventory';
import type { LinuxNetworkFiles } from './config';
import { scriptsInPrepareDetail } from './plan';
import { planBondChange, type PlanOptions } from '../plan-change';
import type { Plan, PlanStep } from '../../plan/plan-types';
import { linuxFacts, spec, withBond } from '../../../e2e/kit/host-facts';

const INTERFACES = [
  'source /etc/network/interfaces.d/*',
  '',
  'auto lo',
  'iface lo inet loopback',
  '',
  'auto eno1 eno4',
  'iface eno1 inet static',
  '    address 192.0.2.10/24',
  '    gateway 192.0.2.1',
  '    dns-nameservers 192.0.2.53',
  '',
  'iface eno4 inet static',
  '    address 198.51.100.4/24',
  '',
].join('\n');

const FILES: LinuxNetworkFiles = { interfaces: INTERFACES, interfacesD: {} };

function linuxPlan(facts: HostFacts, action: 'create' | 'update' | 'delete', s: BondSpec | undefined, options: PlanOptions = {}): Plan {
  const r = planBondChange({ hostId: 'h1', facts, action, spec: s, ...(action === 'create' ? {} : { existingBondName: s?.name ?? 'bond1' }), options: { runId: 'run1', extras: { files: FILES }, ...options } });
  if (!r.ok) throw new Error(`expected a plan, got ${JSON.stringify(r.fieldErrors)}`);
  return r.plan;
}

/** The apply script as the prepare step writes it. */
function applyOf(p: Plan): string {
  return scriptsInPrepareDetail(stepOf(p, 'prepare').detail ?? '')['apply.sh'] ?? '';
}

function stepOf(p: Plan, id: string): PlanStep {
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

/** The bond file the confirm step writes, from the diff in its detail (new file: every line is "+"). */
function bondFile(p: Plan): string {
  const detail = stepOf(p, 'confirm').detail ?? '';
  const part = detail.split('--- ').find((x) => x.includes(`b/etc/network/interfaces.d/${p.bondName}`)) ?? '';
  return part
    .split('\n')
    .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
    .map((l) => l.slice(1))
    .join('\n');
}

const F = linuxFacts();

describe('Linux bond file (ifupdown + ifenslave)', () => {
  it('LACP: 802.3ad, miimon 100, hash policy, LACP rate, members in order, address stanza', () => {
    const p = linuxPlan(F, 'create', spec({ xmitHashPolicy: 'LAYER3+4', lacpduRate: 'FAST', mtu: 9000, description: 'storage' }));
    expect(bondFile(p)).toBe(
      [
        '# Written by Bondsmith for bond0. Bondsmith rewrites this file when bond0 changes.',
        '# Description: storage',
        'auto bond0',
        'iface bond0 inet manual',
        '    bond-slaves eno2 eno3',
        '    bond-mode 802.3ad',
        '    bond-miimon 100',
        '    bond-xmit-hash-policy layer3+4',
        '    bond-lacp-rate fast',
        '    mtu 9000',
        '',
        'iface bond0 inet static',
        '    address 203.0.113.10/24',
        '',
        'iface eno2 inet manual',
        '',
        'iface eno3 inet manual',
      ].join('\n'),
    );
  });

  it('FAILOVER: active-backup with the first member as primary; LOADBALANCE: balance-xor', () => {
    const fo = bondFile(linuxPlan(F, 'create', spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, members: ['eno3', 'eno2'] })));
    expect(fo).toContain('    bond-mode active-backup\n    bond-miimon 100\n    bond-primary eno3\n');
    expect(fo).not.toMatch(/xmit-hash|lacp-rate/);
    const lb = bondFile(linuxPlan(F, 'create', spec({ protocol: 'LOADBALANCE', xmitHashPolicy: 'LAYER2', lacpduRate: null })));
    expect(lb).toContain('    bond-mode balance-xor\n    bond-miimon 100\n    bond-xmit-hash-policy layer2\n');
    expect(lb).not.toMatch(/lacp-rate|primary/);
  });

  it('IPv6 addresses get inet6 stanzas, DHCP an inet dhcp stanza', () => {
    const v6 = bondFile(linuxPlan(F, 'create', spec({ aliases: [{ address: '2001:db8:1::10', prefix: 64 }] })));
    expect(v6).toContain('iface bond0 inet6 static\n    address 2001:db8:1::10/64\n');
    const dhcp = linuxPlan(F, 'create', spec({ aliases: [], dhcp: true }));
    expect(bondFile(dhcp)).toContain('iface bond0 inet dhcp\n');
    expect(applyOf(dhcp)).toContain('dhclient -4 -nw -pf /run/dhclient.bond0.pid -lf /var/lib/dhcp/dhclient.bond0.leases bond0 || fail');
    expect(stepOf(dhcp, 'prepare').command).toContain('dhclient');
  });
});

describe('Linux runtime change', () => {
  it('creates the bond with iproute2, enslaves in order, adds addresses; restore removes it', () => {
    const p = linuxPlan(F, 'create', spec({ mtu: 9000 }));
    const apply = applyOf(p);
    const build = apply.split('\n').filter((l) => l.includes('|| fail')).map((l) => l.replace(/ \|\| fail .*$/, ''));
    expect(build).toEqual([
      'ip link add bond0 type bond mode 802.3ad miimon 100 xmit_hash_policy layer2+3 lacp_rate slow',
      'ip link set bond0 mtu 9000',
      'ip link set eno2 down',
      'ip link set eno2 master bond0',
      'ip link set eno3 down',
      'ip link set eno3 master bond0',
      'ip link set bond0 up',
      'ip addr replace 203.0.113.10/24 dev bond0',
    ]);
    expect(p.rollbackScript).toContain('ip link del bond0 2>/dev/null');
    expect(p.rollbackScript).toContain('ip link set eno2 up ||');
    expect(p.verify).toMatchObject({ kernelMode: '802.3ad', miimonMs: 100, mtu: 9000, expected: { xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW' } });
  });

  it('runs every step through sh -c, under sudo -n when asked', () => {
    for (const sudo of [false, true]) {
      const p = linuxPlan(F, 'create', spec(), { sudo });
      for (const s of p.steps) expect(s.command.startsWith(sudo ? "sudo -n sh -c '" : "sh -c '")).toBe(true);
    }
  });

  it('update (add a member, change the hash policy) rebuilds the bond; restore rebuilds the old one', () => {
    const facts = withBond(F);
    const p = linuxPlan(facts, 'update', spec({ name: 'bond1', members: ['eno2', 'eno3', 'eno4'], xmitHashPolicy: 'LAYER3+4', aliases: [{ address: '203.0.113.5', prefix: 24 }] }));
    const apply = applyOf(p);
    expect(apply).toContain('ip link del bond1 2>/dev/null');
    expect(apply).toContain('ip link add bond1 type bond mode 802.3ad miimon 100 xmit_hash_policy layer3+4 lacp_rate slow || fail');
    expect(apply).toContain('ip link set eno4 master bond1 || fail');
    expect(p.rollbackScript).toContain("ip link add bond1 type bond mode 802.3ad miimon 100 xmit_hash_policy layer2+3 lacp_rate slow || echo");
    expect(p.rollbackScript).toContain('ip addr replace 198.51.100.4/24 dev eno4 ||');
    expect(p.rollbackScript).not.toContain('master bond1 || echo \'bondsmith: restore step failed: ip link set eno4');
    expect(p.impact.addressesRemoved).toEqual(['198.51.100.4/24']);
    expect(bondFile(p)).toContain('bond-slaves eno2 eno3 eno4');
    // eno4's own stanza in /etc/network/interfaces is switched off, and eno4 leaves "auto".
    const detail = stepOf(p, 'confirm').detail ?? '';
    expect(detail).toContain('+#bondsmith# auto eno1 eno4');
    expect(detail).toContain('+auto eno1\n');
    expect(detail).toContain('+#bondsmith# iface eno4 inet static');
  });

  it('delete removes the bond and its file; released members stay down', () => {
    const facts = withBond(F);
    const files: LinuxNetworkFiles = { interfaces: INTERFACES, interfacesD: { bond1: 'auto bond1\niface bond1 inet manual\n    bond-slaves eno2 eno3\n' } };
    const p = linuxPlan(facts, 'delete', undefined, { extras: { files } });
    expect(stepOf(p, 'confirm').command).toContain("rm -f /etc/network/interfaces.d/bond1 || exit 1");
    expect(applyOf(p)).not.toContain('ip link add');
    expect(p.rollbackScript).toContain('ip link set eno2 master bond1 ||');
    expect(p.verify).toMatchObject({ mode: 'absent', releasedMembers: ['eno2', 'eno3'] });
  });

  it('refuses update or delete when the bond state was not read', () => {
    const facts = { ...withBond(F), bonds: [] };
    const r = planBondChange({ hostId: 'h1', facts, action: 'delete', existingBondName: 'bond1' });
    expect(!r.ok && r.code).toBe('MISSING_FACTS');
  });
});

describe('Linux management migration', () => {
  const s = spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, members: ['eno1', 'eno2'], aliases: [{ address: '192.0.2.10', prefix: 24 }] });

  it('moves the address and the default route onto the bond, eno1 first and primary', () => {
    const p = linuxPlan(F, 'create', s);
    const apply = applyOf(p);
    const order = ['ip addr flush dev eno1', 'ip link set eno1 master bond0', 'ip link set bond0 type bond primary eno1', 'ip addr replace 192.0.2.10/24 dev bond0', 'ip route replace default via 192.0.2.1 dev bond0'];
    const positions = order.map((c) => apply.indexOf(c));
    expect(positions.every((x) => x >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(p.rollbackScript).toContain('ip addr replace 192.0.2.10/24 dev eno1 ||');
    expect(p.rollbackScript).toContain('ip route replace default via 192.0.2.1 dev eno1 ||');
    expect(p.impact).toMatchObject({ managementMigration: { fromNic: 'eno1', toBond: 'bond0', address: '192.0.2.10' }, addressesRemoved: [] });
  });

  it('persists the gateway and DNS on the bond and switches eno1 stanza off, only on confirm', () => {
    const p = linuxPlan(F, 'create', s);
    expect(bondFile(p)).toContain('iface bond0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n    dns-nameservers 192.0.2.53\n');
    const confirm = stepOf(p, 'confirm').detail ?? '';
    expect(confirm).toContain('+#bondsmith# iface eno1 inet static');
    for (const s2 of p.steps.filter((x) => x.phase !== 'confirm')) expect(s2.command).not.toContain('/etc/network/interfaces.d/bond0');
  });

  it('warns when the route cannot follow', () => {
    const p = linuxPlan(F, 'create', spec({ members: ['eno1', 'eno2'], aliases: [{ address: '192.0.2.10', prefix: 32 }] }));
    expect(p.warnings.join('\n')).toMatch(/default route via 192\.0\.2\.1 \(on eno1\) has no interface on its network/);
  });
});
