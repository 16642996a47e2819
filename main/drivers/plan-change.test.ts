import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../preload/contract/inventory';
import { planBondChange, planToShellScript } from './plan-change';
import type { Plan } from '../plan/plan-types';
import { linuxFacts, nic, spec, truenasFacts } from '../../e2e/kit/host-facts';

function ok(r: ReturnType<typeof planBondChange>): Plan {
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.plan;
}

describe('planBondChange input checks', () => {
  it('runs the contract schema first: newline, 121 characters, broken Unicode', () => {
    for (const [description, message] of [
      ['two\nlines', 'Description must be a single line without control characters'],
      ['x'.repeat(121), 'Description has at most 120 characters'],
      ['bad \uD800 half', 'Description contains an invalid character'],
    ] as const) {
      const r = planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec({ description }) });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.fieldErrors).toContainEqual({ field: 'description', message });
    }
    expect(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec({ description: 'x'.repeat(120) }) }).ok).toBe(true);
  });

  it('reports schema field paths in editor keys', () => {
    const r = planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: { ...spec(), aliases: [{ address: '300.1.1.1', prefix: 24 }] } });
    expect(!r.ok && r.fieldErrors).toEqual([{ field: 'aliases.0.address', message: '"300.1.1.1" is not an IPv4 or IPv6 address' }]);
  });

  it('bounds the check-in timeout to 10..300 s', () => {
    for (const t of [9, 301, 60.5]) {
      const r = planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec(), options: { checkinTimeoutSeconds: t } });
      expect(!r.ok && r.fieldErrors[0]?.field).toBe('checkinTimeoutSeconds');
    }
    expect(ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec(), options: { checkinTimeoutSeconds: 300 } })).checkinTimeoutSeconds).toBe(300);
  });

  it('picks the driver from the OS and needs the TrueNAS version', () => {
    expect(ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec() })).driver).toBe('linux-ifupdown');
    expect(ok(planBondChange({ hostId: 'h1', facts: truenasFacts('24.10.2.4'), action: 'create', spec: spec() })).driver).toBe('truenas');
    const unknown: HostFacts = { ...truenasFacts('x'), os: { ...truenasFacts('x').os, truenasVersion: null }, middleware: null };
    const r = planBondChange({ hostId: 'h1', facts: unknown, action: 'create', spec: spec() });
    expect(!r.ok && r.code).toBe('MISSING_FACTS');
  });

  it('makes plain JSON: a plan survives a JSON round trip unchanged', () => {
    const p = ok(planBondChange({ hostId: 'h1', facts: truenasFacts('25.04.2.6'), action: 'create', spec: spec({ description: 'é "q"' }) }));
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('derives a safe run id from the discovery time unless given one', () => {
    expect(ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec() })).runId).toBe('create-bond0-20250501T100000000Z');
    const r = planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec(), options: { runId: '../x' } });
    expect(r.ok).toBe(false);
  });
});

describe('impact and warnings', () => {
  it('lists removed addresses, never the moved ones', () => {
    const p = ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec({ members: ['eno1', 'eno4'], aliases: [{ address: '192.0.2.10', prefix: 24 }] }) }));
    expect(p.impact.addressesRemoved).toEqual(['198.51.100.4/24']);
    expect(p.impact.managementAffected).toBe(true);
    expect(p.impact.gatewayAtRisk).toBe(true);
  });

  it('a bond away from the session leaves management and gateway alone', () => {
    const p = ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec() }));
    expect(p.impact).toMatchObject({ managementAffected: false, managementMigration: null, gatewayAtRisk: false, addressesRemoved: [], membersReconfigured: ['eno2', 'eno3'] });
  });

  it('warns about MTU on the session path, LACP there, mixed speeds and dead links', () => {
    const facts = linuxFacts({ interfaces: [...linuxFacts().interfaces.filter((i) => i.name !== 'eno3'), nic('eno3', { speedMbps: 10000, carrier: false, operState: 'down' })] });
    const p = ok(planBondChange({ hostId: 'h1', facts, action: 'create', spec: spec({ members: ['eno1', 'eno3'], aliases: [{ address: '192.0.2.10', prefix: 24 }], mtu: 9000 }) }));
    const text = p.warnings.join('\n');
    expect(text).toMatch(/MTU of this SSH session's path changes to 9000/);
    expect(text).toMatch(/LACP on the management path needs the switch ports set up/);
    expect(text).toMatch(/different speeds \(1000, 10000 Mb\/s\)/);
    expect(text).toMatch(/eno3 has no link/);
  });

  it('warns that a DHCP migration may change the address', () => {
    const p = ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, members: ['eno1', 'eno2'], aliases: [], dhcp: true }) }));
    expect(p.impact.managementMigration).toEqual({ fromNic: 'eno1', toBond: 'bond0', address: '192.0.2.10' });
    expect(p.warnings.join('\n')).toMatch(/gets its address from DHCP/);
  });
});

describe('planToShellScript', () => {
  const hostile = `it's "$(touch /tmp/pwned)" \`id\` ☃`;
  const plans = [
    ok(planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec({ description: hostile }), options: { sudo: true } })),
    ok(planBondChange({ hostId: 'h1', facts: truenasFacts('25.10.1'), action: 'create', spec: spec({ description: hostile }) })),
  ];

  it('is valid POSIX sh with a header, every step titled, and the revert steps commented out', () => {
    for (const p of plans) {
      const script = planToShellScript(p);
      const check = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
      expect(script.startsWith('#!/bin/sh\n# Bondsmith plan: create bond0 on host h1')).toBe(true);
      for (const [i, s] of p.steps.entries()) expect(script).toContain(`# Step ${i + 1} [${s.id}]: ${s.title}`);
      const rollback = p.steps.find((s) => s.phase === 'rollback');
      expect(script).toContain(`# ${rollback?.command.split('\n')[0] ?? 'missing'}`);
      expect(script).not.toMatch(new RegExp(`^${(rollback?.command.split('\n')[0] ?? 'x').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });
});

describe('planBondChange on a host whose stack has no driver', () => {
  const netplan = linuxFacts({ stack: { manager: 'netplan', version: null, renderer: 'NetworkManager', managedDevices: ['eno1', 'eno2'], bonding: 'loaded' } });
  const unknown = linuxFacts({ stack: { manager: 'unknown', version: null, renderer: null, managedDevices: [], bonding: 'loaded' } });
  const nm = linuxFacts({ stack: { manager: 'networkmanager', version: '1.10.14', renderer: null, managedDevices: ['eno1'], bonding: 'loadable' } });

  it('refuses a netplan host, naming netplan and its renderer, and plans nothing', () => {
    const r = planBondChange({ hostId: 'h1', facts: netplan, action: 'create', spec: spec() });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('NO_DRIVER');
      expect(r.fieldErrors[0]?.message).toMatch(/managed by netplan \(renderer NetworkManager\).*no driver/);
    }
  });

  it('refuses a NetworkManager too old for checkpoints, naming its version', () => {
    const r = planBondChange({ hostId: 'h1', facts: nm, action: 'create', spec: spec() });
    expect(!r.ok && r.fieldErrors[0]?.message).toMatch(/NetworkManager 1\.10\.14, which is older than 1\.12/);
  });

  it('refuses a host whose stack it could not tell', () => {
    const r = planBondChange({ hostId: 'h1', facts: unknown, action: 'delete', existingBondName: 'bond1' });
    expect(!r.ok && r.fieldErrors[0]?.message).toMatch(/could not tell which network stack/);
  });

  it('refuses an ifupdown host whose kernel cannot build bonds', () => {
    const noBonding = linuxFacts({ stack: { manager: 'ifupdown', version: null, renderer: null, managedDevices: [], bonding: 'missing' } });
    const r = planBondChange({ hostId: 'h1', facts: noBonding, action: 'create', spec: spec() });
    expect(!r.ok && r.code).toBe('NO_DRIVER');
    expect(!r.ok && r.fieldErrors[0]?.message).toMatch(/no bonding driver/);
  });
});
