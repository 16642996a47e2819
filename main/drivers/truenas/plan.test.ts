import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BondSpec } from '../../../preload/contract/bond-spec';
import type { HostFacts } from '../../../preload/contract/inventory';
import { planBondChange, type PlanOptions } from '../plan-change';
import type { Plan, PlanStep } from '../../plan/plan-types';
import { spec, truenasFacts, withBond } from '../../../e2e/kit/host-facts';

// A stand-in `midclt` on PATH records its arguments NUL-separated, so each step's exact command text
// is run through a real POSIX shell and we see what the middleware would receive.
const dir = mkdtempSync(join(tmpdir(), 'bondsmith-plan-'));
const fake = join(dir, 'midclt');
writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$MIDCLT_OUT"\nprintf "%s\\n" null\n');
chmodSync(fake, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
function midcltArgs(command: string): string[] {
  const out = join(dir, `out-${++runs}`);
  execFileSync('sh', ['-c', command], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, MIDCLT_OUT: out } });
  return readFileSync(out, 'utf8').split('\0').slice(0, -1);
}

function plan(facts: HostFacts, action: 'create' | 'update' | 'delete', s: BondSpec | undefined, options: PlanOptions = {}, existing?: string): Plan {
  const r = planBondChange({ hostId: 'h1', facts, action, spec: s, ...(existing ? { existingBondName: existing } : {}), options: { runId: 'run1', ...options } });
  if (!r.ok) throw new Error(`expected a plan, got ${JSON.stringify(r.fieldErrors)}`);
  return r.plan;
}

function stepOf(p: Plan, id: string): PlanStep {
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${p.steps.map((x) => x.id).join(',')}`);
  return s;
}

function payloadOf(p: Plan, id: string): Record<string, unknown> {
  const args = midcltArgs(stepOf(p, id).command);
  return JSON.parse(args[args.length - 1] ?? 'null') as Record<string, unknown>;
}

const F = truenasFacts('25.04.2.6');

describe('TrueNAS create payloads', () => {
  it('LACP sends hash policy and LACPDU rate, members in order', () => {
    const p = plan(F, 'create', spec({ members: ['eno3', 'eno2'], xmitHashPolicy: 'LAYER3+4', lacpduRate: 'FAST' }));
    expect(midcltArgs(stepOf(p, 'create-bond').command).slice(0, 2)).toEqual(['call', 'interface.create']);
    expect(payloadOf(p, 'create-bond')).toEqual({
      type: 'LINK_AGGREGATION',
      name: 'bond0',
      description: '',
      lag_protocol: 'LACP',
      lag_ports: ['eno3', 'eno2'],
      xmit_hash_policy: 'LAYER3+4',
      lacpdu_rate: 'FAST',
      aliases: [{ type: 'INET', address: '203.0.113.10', netmask: 24 }],
      ipv4_dhcp: false,
      mtu: null,
    });
    expect(p.verify).toMatchObject({ kernelMode: '802.3ad', miimonMs: 100, mtu: 1500, expected: { xmitHashPolicy: 'LAYER3+4', lacpduRate: 'FAST', members: ['eno3', 'eno2'] } });
  });

  it('FAILOVER sends neither hash policy nor LACPDU rate; LOADBALANCE only the hash policy', () => {
    const fo = payloadOf(plan(F, 'create', spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null })), 'create-bond');
    expect(fo).not.toHaveProperty('xmit_hash_policy');
    expect(fo).not.toHaveProperty('lacpdu_rate');
    const lb = payloadOf(plan(F, 'create', spec({ protocol: 'LOADBALANCE', xmitHashPolicy: 'LAYER2', lacpduRate: null })), 'create-bond');
    expect(lb).toMatchObject({ lag_protocol: 'LOADBALANCE', xmit_hash_policy: 'LAYER2' });
    expect(lb).not.toHaveProperty('lacpdu_rate');
  });

  it('IPv4 and IPv6 aliases, DHCP and MTU', () => {
    const p = plan(F, 'create', spec({ aliases: [{ address: '203.0.113.10', prefix: 24 }, { address: '2001:db8:1::10', prefix: 64 }], mtu: 9000 }));
    expect(payloadOf(p, 'create-bond')).toMatchObject({
      aliases: [
        { type: 'INET', address: '203.0.113.10', netmask: 24 },
        { type: 'INET6', address: '2001:db8:1::10', netmask: 64 },
      ],
      mtu: 9000,
    });
    expect(p.verify.expected?.aliases).toEqual([{ address: '203.0.113.10', prefix: 24 }, { address: '2001:db8:1::10', prefix: 64 }]);
    const dhcp = payloadOf(plan(F, 'create', spec({ aliases: [], dhcp: true })), 'create-bond');
    expect(dhcp).toMatchObject({ ipv4_dhcp: true, aliases: [] });
  });

  it('a hostile description reaches midclt byte-exact, for create and update', () => {
    const description = `it's "$(rm -rf /)" \`id\` \\ Zürich ☃ 🙂 ${'x'.repeat(10)}`;
    expect(payloadOf(plan(F, 'create', spec({ description })), 'create-bond')['description']).toBe(description);
    const facts = withBond(F);
    const up = plan(facts, 'update', spec({ name: 'bond1', description, aliases: [{ address: '203.0.113.5', prefix: 24 }] }), {}, 'bond1');
    expect(payloadOf(up, 'update-bond')['description']).toBe(description);
  });

  it('the detached commit really runs, with the timeout, and logs its exit status in a directory only its user can read', () => {
    const runId = `t${process.pid}`;
    const p = plan(F, 'create', spec(), { checkinTimeoutSeconds: 45, runId });
    const out = join(dir, 'commit-args');
    const box = `/tmp/bondsmith-truenas-${runId}`;
    const log = `${box}/commit.log`;
    rmSync(box, { recursive: true, force: true });
    try {
      execFileSync('sh', ['-c', stepOf(p, 'commit').command], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, MIDCLT_OUT: out } });
      // The wait step waits on the box until the log has its exit line, then prints the log: one call.
      expect(execFileSync('sh', ['-c', stepOf(p, 'wait-commit').command], { encoding: 'utf8' })).toBe('null\nexit=0\n');
      expect(readFileSync(log, 'utf8')).toBe('null\nexit=0\n');
      expect(statSync(box).mode & 0o777).toBe(0o700);
      expect(statSync(log).mode & 0o777).toBe(0o600);
      expect(readFileSync(out, 'utf8').split('\0').slice(0, -1)).toEqual(['call', 'interface.commit', '{"rollback":true,"checkin_timeout":45}']);
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });

  it('refuses to commit when the log directory is already there (planted by someone else)', () => {
    const runId = `planted${process.pid}`;
    const p = plan(F, 'create', spec(), { runId });
    const box = `/tmp/bondsmith-truenas-${runId}`;
    mkdirSync(box, { mode: 0o777 });
    const out = join(dir, 'planted-args');
    try {
      expect(() => execFileSync('sh', ['-c', stepOf(p, 'commit').command], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, MIDCLT_OUT: out }, stdio: 'pipe' })).toThrow();
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${box}/commit.log`)).toBe(false);
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });

  it.each(['checkin', 'rollback'])('%s removes the log directory, and keeps the exit status of midclt', (id) => {
    const runId = `clean${process.pid}${id}`;
    const p = plan(F, 'create', spec(), { runId });
    const box = `/tmp/bondsmith-truenas-${runId}`;
    mkdirSync(box, { mode: 0o700 });
    try {
      writeFileSync(`${box}/commit.log`, 'null\nexit=0\n');
      expect(midcltArgs(stepOf(p, id).command)).toEqual(['call', `interface.${id}`]);
      expect(existsSync(box)).toBe(false);
      const failing = join(dir, 'failing');
      mkdirSync(failing, { recursive: true });
      writeFileSync(join(failing, 'midclt'), '#!/bin/sh\nexit 3\n');
      chmodSync(join(failing, 'midclt'), 0o755);
      const status = spawnSync('sh', ['-c', stepOf(p, id).command], { env: { ...process.env, PATH: `${failing}:${process.env['PATH'] ?? ''}` } }).status;
      expect(status).toBe(3);
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });
});

describe('TrueNAS step order and checks', () => {
  it('checks for pending changes, edits, saves the gateway, commits, verifies, checks in', () => {
    const p = plan(F, 'create', spec());
    expect(p.steps.map((s) => `${s.phase}:${s.id}`)).toEqual([
      'prepare:pending-check',
      'arm:create-bond',
      'arm:gateway-check',
      'arm:gateway-save',
      'arm:services-report',
      'apply:commit',
      'verify:wait-commit',
      'verify:wait-armed',
      'verify:read-state',
      'confirm:checkin',
      'confirm:confirm-check',
      'rollback:rollback',
    ]);
    expect(stepOf(p, 'pending-check').check).toEqual({ kind: 'stdout-equals', value: 'False' });
    expect(stepOf(p, 'wait-commit').check).toMatchObject({ kind: 'poll', until: 'exit=0$' });
    expect(midcltArgs(stepOf(p, 'read-state').command)).toEqual(['call', 'interface.query', '[["id","=","bond0"]]']);
    expect(p.impact.servicesRestartedStepId).toBe('services-report');
  });

  it('up to 25.04 saves the default route; from 25.10 the network config', () => {
    const old = plan(F, 'create', spec());
    expect(midcltArgs(stepOf(old, 'gateway-check').command)).toEqual(['call', 'interface.default_route_will_be_removed']);
    expect(midcltArgs(stepOf(old, 'gateway-save').command)).toEqual(['call', 'interface.save_default_route', '"192.0.2.1"']);
    expect(stepOf(old, 'gateway-save').when).toEqual({ stepId: 'gateway-check', stdoutMatches: '^True$' });
    const p = plan(truenasFacts('25.10.1'), 'create', spec());
    expect(midcltArgs(stepOf(p, 'gateway-check').command)).toEqual(['call', 'interface.network_config_to_be_removed']);
    expect(midcltArgs(stepOf(p, 'gateway-save').command)).toEqual(['call', 'interface.save_network_config', '{"ipv4gateway":"192.0.2.1"}']);
    expect(new RegExp(stepOf(p, 'gateway-save').when?.stdoutMatches ?? '^$').test('["ipv4gateway"]')).toBe(true);
    expect(new RegExp(stepOf(p, 'gateway-save').when?.stdoutMatches ?? 'x').test('[]')).toBe(false);
  });

  it('refuses a box whose network changes are not saved yet', () => {
    const pending = { ...F, middleware: { ...(F.middleware as NonNullable<HostFacts['middleware']>), pendingChanges: true, checkinWaitingSeconds: 40 } };
    const r = planBondChange({ hostId: 'h1', facts: pending, action: 'create', spec: spec() });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('HOST_CONFLICT');
    if (!r.ok) expect(r.fieldErrors[0]?.message).toMatch(/not saved yet/);
  });

  it('warns about missing link monitoring for FAILOVER/LOADBALANCE before 25.10.2.2 only', () => {
    const fo = spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null });
    const before = plan(truenasFacts('25.10.2.1'), 'create', fo);
    expect(before.warnings.join('\n')).toMatch(/without link monitoring \(miimon 0\)/);
    expect(before.verify.miimonMs).toBeNull();
    expect(before.verify.expected?.members[0]).toBe('eno2');
    const fixed = plan(truenasFacts('25.10.2.2'), 'create', fo);
    expect(fixed.warnings.join('\n')).not.toMatch(/miimon/);
    expect(fixed.verify.miimonMs).toBe(100);
    expect(plan(F, 'create', spec()).warnings.join('\n')).not.toMatch(/miimon/);
  });
});

describe('TrueNAS member configuration and management migration', () => {
  it('23.10.2+ refuses a configured port unless its reset was accepted, then resets it first', () => {
    const s = spec({ members: ['eno2', 'eno4'] });
    const r = planBondChange({ hostId: 'h1', facts: F, action: 'create', spec: s });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors[0]).toMatchObject({ field: 'members.1', message: expect.stringMatching(/currently in use.*Reset eno4.*198\.51\.100\.4\/24/) as unknown });
    const p = plan(F, 'create', s, { resetNicConfig: ['eno4'] });
    expect(p.steps.map((x) => x.id).slice(1, 3)).toEqual(['reset-eno4', 'create-bond']);
    expect(midcltArgs(stepOf(p, 'reset-eno4').command)).toEqual(['call', 'interface.delete', '"eno4"']);
    expect(p.impact.addressesRemoved).toEqual(['198.51.100.4/24']);
  });

  it('before 23.10.2 a configured port is accepted with a warning (the middleware wipes it)', () => {
    const p = plan(truenasFacts('23.10.1'), 'create', spec({ members: ['eno2', 'eno4'] }));
    expect(p.steps.some((x) => x.id.startsWith('reset-'))).toBe(false);
    expect(p.warnings.join('\n')).toMatch(/silently wipes the own configuration of eno4/);
  });

  it('moves the management address: delete eno1 config, create the bond with eno1 first and the same IP', () => {
    const s = spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, members: ['eno1', 'eno2'], aliases: [{ address: '192.0.2.10', prefix: 24 }] });
    const p = plan(F, 'create', s);
    expect(p.steps.map((x) => x.id).slice(1, 3)).toEqual(['reset-eno1', 'create-bond']);
    expect(payloadOf(p, 'create-bond')).toMatchObject({ lag_ports: ['eno1', 'eno2'], aliases: [{ type: 'INET', address: '192.0.2.10', netmask: 24 }] });
    expect(p.impact).toMatchObject({ managementAffected: true, managementMigration: { fromNic: 'eno1', toBond: 'bond0', address: '192.0.2.10' }, gatewayAtRisk: true, addressesRemoved: [] });
    expect(stepOf(p, 'wait-commit').connection).toBe('fresh');
  });

  it('refuses to take the management port without its address, or not as the first member', () => {
    const lost = planBondChange({ hostId: 'h1', facts: F, action: 'create', spec: spec({ members: ['eno2', 'eno1'] }) });
    expect(!lost.ok && lost.fieldErrors[0]).toMatchObject({ field: 'members.1', message: expect.stringMatching(/carries this SSH session/) as unknown });
    const second = planBondChange({ hostId: 'h1', facts: F, action: 'create', spec: spec({ members: ['eno2', 'eno1'], aliases: [{ address: '192.0.2.10', prefix: 24 }] }) });
    expect(!second.ok && second.fieldErrors[0]).toMatchObject({ field: 'members.1', message: expect.stringMatching(/^Put eno1 first/) as unknown });
  });
});

describe('TrueNAS update and delete', () => {
  const facts = withBond(F);
  const current = spec({ name: 'bond1', aliases: [{ address: '203.0.113.5', prefix: 24 }] });

  it('update sends the whole member list (lists replace) and a new hash policy', () => {
    const p = plan(facts, 'update', { ...current, members: ['eno2', 'eno3', 'eno4'], xmitHashPolicy: 'LAYER3+4' }, { resetNicConfig: ['eno4'] }, 'bond1');
    const args = midcltArgs(stepOf(p, 'update-bond').command);
    expect(args.slice(0, 3)).toEqual(['call', 'interface.update', '"bond1"']);
    const payload = JSON.parse(args[3] ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ lag_ports: ['eno2', 'eno3', 'eno4'], xmit_hash_policy: 'LAYER3+4' });
    expect(payload).not.toHaveProperty('type');
    expect(payload).not.toHaveProperty('name');
    expect(p.impact.membersReconfigured).toEqual(['eno4']);
  });

  it('warns when the first member changes (TrueNAS recreates the bond)', () => {
    const p = plan(facts, 'update', { ...current, members: ['eno3', 'eno2'] }, {}, 'bond1');
    expect(p.warnings.join('\n')).toMatch(/first member changes from eno2 to eno3/);
  });

  it('a bond name cannot change on update', () => {
    const r = planBondChange({ hostId: 'h1', facts, action: 'update', spec: { ...current, name: 'bond2' }, existingBondName: 'bond1' });
    expect(!r.ok && r.fieldErrors[0]?.field).toBe('name');
  });

  it('delete removes the bond and expects it gone', () => {
    const p = plan(facts, 'delete', undefined, {}, 'bond1');
    expect(midcltArgs(stepOf(p, 'delete-bond').command)).toEqual(['call', 'interface.delete', '"bond1"']);
    expect(p.verify).toMatchObject({ mode: 'absent', releasedMembers: ['eno2', 'eno3'] });
    expect(p.impact.addressesRemoved).toEqual(['203.0.113.5/24']);
    expect(p.warnings.join('\n')).toMatch(/stay down with no address/);
  });

  it('refuses to delete the bond that carries the session', () => {
    const mgmtOnBond: HostFacts = { ...facts, management: { ...facts.management, nic: 'bond1', address: '203.0.113.5' } };
    const r = planBondChange({ hostId: 'h1', facts: mgmtOnBond, action: 'delete', existingBondName: 'bond1' });
    expect(!r.ok && r.fieldErrors[0]).toMatchObject({ field: 'name', message: expect.stringMatching(/carries this SSH session/) as unknown });
  });
});

describe('TrueNAS DNS servers kept with the gateway (25.10+, §1, §5.8)', () => {
  /** A DHCP-installed box: no interface has addresses of its own in the middleware's DB. */
  const withDns = (version: string, fresh = true): HostFacts => {
    const f = truenasFacts(version);
    const interfaces = (f.middleware?.interfaces ?? []).map((i) => (fresh ? { ...i, aliases: [] } : i));
    return { ...f, middleware: f.middleware ? { ...f.middleware, interfaces, nameservers: ['198.51.100.53', '2001:db8::53'] } : null };
  };

  it('25.10 saves the gateway and the DNS servers in one save_network_config when the middleware says they would go', () => {
    const p = plan(withDns('25.10.6'), 'create', spec());
    expect(midcltArgs(stepOf(p, 'gateway-save').command)).toEqual(['call', 'interface.save_network_config', '{"ipv4gateway":"192.0.2.1","nameserver1":"198.51.100.53","nameserver2":"2001:db8::53"}']);
    expect(stepOf(p, 'gateway-save').title).toBe('Keep the default gateway 192.0.2.1 and the DNS servers 198.51.100.53, 2001:db8::53');
    expect(new RegExp(stepOf(p, 'gateway-save').when?.stdoutMatches ?? 'x').test('["nameserver1"]')).toBe(true);
    expect(p.impact.nameserversKept).toEqual(['198.51.100.53', '2001:db8::53']);
  });

  it('a configured box (addresses in the DB) saves them just the same when asked, and the impact does not alarm', () => {
    const p = plan(withDns('25.10.6', false), 'create', spec());
    expect(midcltArgs(stepOf(p, 'gateway-save').command)[2]).toContain('"nameserver1":"198.51.100.53"');
    expect(p.impact.nameserversKept).toEqual([]);
  });

  it('before 25.10 the middleware has no call that keeps DNS servers: the impact names none', () => {
    const p = plan(withDns('25.04.2.6'), 'create', spec());
    expect(midcltArgs(stepOf(p, 'gateway-save').command)).toEqual(['call', 'interface.save_default_route', '"192.0.2.1"']);
    expect(p.impact.nameserversKept).toEqual([]);
  });
});

describe('TrueNAS ports with their own configuration', () => {
  it('the picker marks a configured port with what it carries, on releases that refuse it', async () => {
    const { truenasDriver } = await import('./index');
    const marks = truenasDriver.eligibleMembers(F, null, { allowVirtualMembers: false });
    expect(marks.find((m) => m.name === 'eno4')?.ownConfiguration).toBe('own TrueNAS configuration (198.51.100.4/24): reset it to join');
    expect(marks.find((m) => m.name === 'eno2')?.ownConfiguration).toBeNull();
    // The management NIC's configuration moves with the migration; it is not offered as a reset.
    expect(marks.find((m) => m.name === 'eno1')?.ownConfiguration).toBeNull();
    const old = truenasDriver.eligibleMembers(truenasFacts('23.10.1'), null, { allowVirtualMembers: false });
    expect(old.find((m) => m.name === 'eno4')?.ownConfiguration).toBeNull();
  });

  it('names the control that resets it, and shows the reset as its own step and in the impact', () => {
    const r = planBondChange({ hostId: 'h1', facts: F, action: 'create', spec: spec({ members: ['eno2', 'eno4'] }) });
    if (r.ok) throw new Error('expected the configured port to be refused');
    expect(r.fieldErrors[0]?.message).toContain('Tick "Reset eno4\'s configuration" under eno4 in the member order');
    const p = plan(F, 'create', spec({ members: ['eno2', 'eno4'] }), { resetNicConfig: ['eno4'] });
    expect(stepOf(p, 'reset-eno4').title).toBe("Reset eno4's own network configuration (it joins the bond)");
    expect(p.impact.nicsReset).toEqual(['eno4']);
  });

  it('resets a port the user agreed to reset even where discovery saw no configuration (a row without addresses)', () => {
    const p = plan(F, 'create', spec({ members: ['eno2', 'eno3'] }), { resetNicConfig: ['eno3'] });
    expect(p.steps.map((x) => x.id).slice(1, 3)).toEqual(['reset-eno3', 'create-bond']);
  });

  it('asks whether the rollback is still armed with checkin_waiting', () => {
    expect(plan(F, 'create', spec()).armedProbe).toEqual({ command: "midclt call interface.checkin_waiting", armedPattern: '^[0-9]+$' });
  });
});

describe('TrueNAS failed steps in plain words', () => {
  it('maps a validation error of interface.create to the member it names, without the schema prefix', async () => {
    const { truenasDriver } = await import('./index');
    const p = plan(F, 'create', spec());
    const failure = truenasDriver.readStepFailure?.(stepOf(p, 'create-bond'), { code: 1, signal: null, stdout: '', stderr: '[EINVAL] interface_create.lag_ports.0: Interface eno2 is currently in use\n' }, 'create');
    expect(failure?.fieldErrors).toEqual([{ field: 'members.0', message: expect.stringMatching(/^Interface eno2 is currently in use \(TrueNAS refuses ports/) as unknown }]);
    expect(failure?.detail).not.toContain('interface_create');
  });

  it('keeps a CallError\'s reason and drops the traceback', async () => {
    const { truenasDriver } = await import('./index');
    const p = plan(F, 'create', spec());
    const stderr = '[EFAULT] There are no pending interface changes.\nTraceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/middlewared/main.py", line 1, in call\n';
    const failure = truenasDriver.readStepFailure?.(stepOf(p, 'gateway-save'), { code: 1, signal: null, stdout: '', stderr }, 'create');
    expect(failure).toEqual({ detail: 'There are no pending interface changes.', fieldErrors: [] });
  });
});
