import { describe, expect, it } from 'vitest';
import type { BondSpec } from '../../../preload/contract/bond-spec';
import type { HostFacts } from '../../../preload/contract/inventory';
import { linuxFacts, nmFacts, spec, withBond } from '../../../e2e/kit/host-facts';
import { planBondChange, type PlanOptions } from '../plan-change';
import { describeHost, driverForFacts } from '../registry';
import type { Plan, PlanResult, PlanStep } from '../../plan/plan-types';
import { parseProfiles, PROFILES_COMMAND, type NmProfile } from './profiles';
import { runUuid } from './plan';
import { versionRefusal } from './version';

const ENS = 'aaaaaaaa-0000-4000-8000-000000000001';
const BOND = 'bbbbbbbb-0000-4000-8000-000000000002';
const PORT2 = 'cccccccc-0000-4000-8000-000000000003';
const PORT3 = 'dddddddd-0000-4000-8000-000000000004';

const profile = (p: Partial<NmProfile> & Pick<NmProfile, 'id' | 'uuid'>): NmProfile => ({ type: '802-3-ethernet', iface: null, master: null, slaveType: null, active: true, ...p });
/** eno1 carries the session with a profile of its own; eno4 has a static profile. */
const BASE: NmProfile[] = [profile({ id: 'eno1', uuid: ENS, iface: 'eno1' }), profile({ id: 'eno4', uuid: 'eeeeeeee-0000-4000-8000-000000000005', iface: 'eno4' })];
const WITH_BOND: NmProfile[] = [
  ...BASE,
  profile({ id: 'bond1', uuid: BOND, type: 'bond', iface: 'bond1' }),
  profile({ id: 'bond1-port-eno2', uuid: PORT2, iface: 'eno2', master: 'bond1', slaveType: 'bond' }),
  profile({ id: 'bond1-port-eno3', uuid: PORT3, iface: 'eno3', master: BOND, slaveType: 'bond' }),
];

function nmPlanResult(facts: HostFacts, action: 'create' | 'update' | 'delete', s: BondSpec | undefined, profiles: NmProfile[] = BASE, options: PlanOptions = {}): PlanResult {
  return planBondChange({ hostId: 'h1', facts, action, spec: s, ...(action === 'create' ? {} : { existingBondName: s?.name ?? 'bond1' }), options: { runId: 'run1', checkinTimeoutSeconds: 45, extras: { profiles }, ...options } });
}

function nmPlan(...args: Parameters<typeof nmPlanResult>): Plan {
  const r = nmPlanResult(...args);
  if (!r.ok) throw new Error(`expected a plan, got ${JSON.stringify(r.fieldErrors)}`);
  return r.plan;
}

function stepOf(p: Plan, id: string): PlanStep {
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

/** The nmcli commands of the change, as the apply step lists them. */
const commands = (p: Plan): string[] => (stepOf(p, 'apply').detail ?? '').split('\n');

describe('NetworkManager planner', () => {
  it('LACP with every field: one bond profile with bond.options, addresses, MTU, then port profiles activated in member order', () => {
    const p = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', members: ['eno3', 'eno2'], xmitHashPolicy: 'LAYER3+4', lacpduRate: 'FAST', mtu: 9000, aliases: [{ address: '203.0.113.7', prefix: 24 }, { address: '2001:db8::7', prefix: 64 }] }));
    expect(p.driver).toBe('networkmanager');
    const bondUuid = runUuid('run1', 'bond0');
    expect(commands(p)).toEqual([
      `nmcli connection add type bond connection.id bond0 connection.uuid ${bondUuid} connection.interface-name bond0 bond.options 'mode=802.3ad,miimon=100,xmit_hash_policy=layer3+4,lacp_rate=fast' ipv4.method manual ipv4.addresses 203.0.113.7/24 ipv4.gateway '' ipv6.method manual ipv6.addresses 2001:db8::7/64 ipv6.gateway '' 802-3-ethernet.mtu 9000 connection.autoconnect no`,
      `nmcli connection add type ethernet connection.id bond0-port-eno3 connection.uuid ${runUuid('run1', 'port:eno3')} connection.interface-name eno3 connection.master bond0 connection.slave-type bond connection.autoconnect no`,
      `nmcli connection add type ethernet connection.id bond0-port-eno2 connection.uuid ${runUuid('run1', 'port:eno2')} connection.interface-name eno2 connection.master bond0 connection.slave-type bond connection.autoconnect no`,
      `nmcli -w 60 connection up uuid ${bondUuid}`,
      `nmcli -w 60 connection up uuid ${runUuid('run1', 'port:eno3')}`,
      `nmcli -w 60 connection up uuid ${runUuid('run1', 'port:eno2')}`,
      `nmcli connection modify uuid ${bondUuid} connection.autoconnect yes`,
      `nmcli connection modify uuid ${runUuid('run1', 'port:eno3')} connection.autoconnect yes`,
      `nmcli connection modify uuid ${runUuid('run1', 'port:eno2')} connection.autoconnect yes`,
    ]);
    expect(p.verify).toMatchObject({ mode: 'present', kernelMode: '802.3ad', miimonMs: 100, mtu: 9000 });
  });

  it('arms the checkpoint before any change, with the window as timeout and the flags that undo a create; confirm destroys it, rollback rolls it back', () => {
    const p = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', members: ['eno2', 'eno3'] }));
    expect(p.steps.map((s) => [s.id, s.phase])).toEqual([
      ['pending-check', 'prepare'],
      ['write-apply', 'prepare'],
      ['arm', 'arm'],
      ['apply', 'apply'],
      ['wait-apply', 'verify'],
      ['read-state', 'verify'],
      ['confirm', 'confirm'],
      ['rollback', 'rollback'],
    ]);
    const arm = stepOf(p, 'arm').command;
    // busctl: devices (none = all), timeout 45 s, flags 6 = DELETE_NEW_CONNECTIONS | DISCONNECT_NEW_DEVICES.
    expect(arm).toContain('CheckpointCreate aouu 0 45 6');
    expect(arm).toContain('array:objpath: uint32:45 uint32:6');
    expect(stepOf(p, 'confirm').command).toContain('CheckpointDestroy o');
    expect(stepOf(p, 'confirm').connection).toBe('fresh');
    expect(stepOf(p, 'rollback').command).toContain('CheckpointRollback o');
    // The app's window ends about when NM's timeout does: a run's checkpoint NM already rolled back
    // (gone from its Checkpoints, same NM process) counts as restored; the apply script is stopped first.
    const rollback = stepOf(p, 'rollback').command;
    expect(rollback.indexOf('kill -s TERM')).toBeLessThan(rollback.indexOf('Checkpoints'));
    expect(rollback.indexOf('Checkpoints')).toBeLessThan(rollback.indexOf('CheckpointRollback o'));
    expect(rollback).toContain('rolled back on its own');
    expect(arm).toContain('nm.pid');
    // Nothing changes before the arm step: the only nmcli changes are in the detached apply script.
    for (const s of p.steps.filter((x) => (x.phase === 'prepare' || x.phase === 'arm') && x.id !== 'write-apply')) {
      expect(s.command).not.toMatch(/nmcli (-w 60 )?connection (add|modify|delete|up)/);
    }
    expect(stepOf(p, 'write-apply').command).toMatch(/^sh -c 'umask 077 && mkdir -p \/run\/bondsmith && mkdir \/run\/bondsmith\/nm-run1 && printf /);
    expect(stepOf(p, 'write-apply').detail).toContain('set -e');
    // The wait for the detached apply waits on the box (one round trip per few seconds), not from the app every second.
    expect(stepOf(p, 'wait-apply').command).toContain('until [ -s /run/bondsmith/nm-run1/apply.rc ] || [ "$i" -ge 25 ]; do sleep 0.2;');
    expect(stepOf(p, 'wait-apply').check).toMatchObject({ kind: 'poll', timeoutSeconds: 120 });
    // While the change waits the app asks whether this run's checkpoint is still armed: a reboot or an
    // NM restart drops it unrolled, and then the box runs the change with nothing to roll it back.
    expect(p.armedProbe?.armedPattern).toBe('^armed$');
    expect(p.armedProbe?.command).toContain('/run/bondsmith/nm-run1/checkpoint');
    expect(p.armedProbe?.command).toContain('Checkpoints');
  });

  it('FAILOVER: its first member is the primary; LOADBALANCE: balance-xor with its hash policy and no LACP rate', () => {
    const f = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', protocol: 'FAILOVER', members: ['eno3', 'eno2'], xmitHashPolicy: null, lacpduRate: null }));
    expect(commands(f)[0]).toContain("bond.options 'mode=active-backup,miimon=100,primary=eno3' ");
    const l = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', protocol: 'LOADBALANCE', members: ['eno2', 'eno3'], lacpduRate: null }));
    expect(commands(l)[0]).toContain("bond.options 'mode=balance-xor,miimon=100,xmit_hash_policy=layer2+3' ");
  });

  it('DHCP: ipv4.method auto; no addresses at all: IPv4 disabled, IPv6 left to the kernel', () => {
    const d = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', dhcp: true, aliases: [] }));
    expect(commands(d)[0]).toContain("ipv4.method auto ipv4.addresses '' ");
    const none = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', aliases: [] }));
    expect(commands(none)[0]).toContain("ipv4.method disabled ipv4.addresses '' ipv4.gateway '' ipv6.method ignore ");
  });

  it('moving the management NIC into the bond: its address and the default gateway go to the bond, its own profile is deleted, and the plan says so', () => {
    const p = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', protocol: 'FAILOVER', members: ['eno1', 'eno2'], xmitHashPolicy: null, lacpduRate: null, aliases: [{ address: '192.0.2.10', prefix: 24 }] }));
    const c = commands(p);
    expect(c[0]).toContain('ipv4.addresses 192.0.2.10/24 ipv4.gateway 192.0.2.1 ');
    expect(c[1]).toBe(`nmcli connection delete uuid ${ENS}`);
    expect(p.impact.managementMigration).toEqual({ fromNic: 'eno1', toBond: 'bond0', address: '192.0.2.10' });
    expect(p.warnings.join('\n')).toMatch(/profile \("eno1"\) is deleted: eno1 becomes a port of bond0/);
    expect(p.warnings.join('\n')).toMatch(/session drops for a moment/);
  });

  it('edit: modifies the bond profile by UUID, drops the leaving port, adds the joining one', () => {
    const facts = withBond(nmFacts());
    const p = nmPlan(facts, 'update', spec({ name: 'bond1', members: ['eno2', 'eno4'], aliases: [{ address: '203.0.113.5', prefix: 24 }] }), WITH_BOND);
    const c = commands(p);
    expect(c[0]).toMatch(new RegExp(`^nmcli connection modify uuid ${BOND} bond.options 'mode=802.3ad,`));
    // eno3's port profile goes; eno4's own static profile goes too (it would take eno4 back at boot).
    expect(c[1]).toBe(`nmcli connection delete uuid ${PORT3} uuid eeeeeeee-0000-4000-8000-000000000005`);
    expect(c[2]).toContain(`connection.id bond1-port-eno4 connection.uuid ${runUuid('run1', 'port:eno4')} connection.interface-name eno4 connection.master bond1`);
    // Taken down before it is activated again, so NM applies the new bond.options to a bond without ports.
    expect(c.slice(3)).toEqual([`nmcli connection down uuid ${BOND} || true`, `nmcli -w 60 connection up uuid ${BOND}`, `nmcli -w 60 connection up uuid ${PORT2}`, `nmcli -w 60 connection up uuid ${runUuid('run1', 'port:eno4')}`, `nmcli connection modify uuid ${runUuid('run1', 'port:eno4')} connection.autoconnect yes`]);
  });

  it("edit on a box whose NetworkManager runs ifupdown's hooks with ifenslave: the plan warns that the hook may delete the bond", () => {
    const facts = withBond(nmFacts());
    const hooked = { ...facts, stack: { ...facts.stack, ifupdownHooks: true } };
    const edit = spec({ name: 'bond1', members: ['eno2', 'eno3'] });
    expect(nmPlan(hooked, 'update', edit, WITH_BOND).warnings.join('\n')).toMatch(/ifenslave's post-down hook deletes a bond/);
    expect(nmPlan(facts, 'update', edit, WITH_BOND).warnings.join('\n')).not.toMatch(/ifenslave/);
  });

  it('delete: the bond profile and every port profile (by name or by UUID of the controller) in one nmcli call', () => {
    const p = nmPlan(withBond(nmFacts()), 'delete', undefined, WITH_BOND);
    expect(commands(p)).toEqual([
      `nmcli connection delete uuid ${BOND} uuid ${PORT2} uuid ${PORT3}`,
      // Seen on the lab: the device was still there for a moment after nmcli returned.
      'i=0; until [ ! -e /sys/class/net/bond1 ] || [ "$i" -ge 50 ]; do sleep 0.2; i=$((i+1)); done',
    ]);
    expect(p.verify.mode).toBe('absent');
  });

  it('quotes every value: a profile id with shell syntax reaches nmcli as one word', () => {
    const hostile = [...BASE, profile({ id: "x'; reboot; '", uuid: 'ffffffff-0000-4000-8000-000000000006', iface: 'eno2' })];
    const p = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', members: ['eno2', 'eno3'] }), hostile);
    expect(commands(p)[1]).toBe('nmcli connection delete uuid ffffffff-0000-4000-8000-000000000006');
    expect(p.warnings.join('\n')).toContain(`"x'; reboot; '"`);
  });

  it('refuses: a bond without an NM profile, a name NM already has, unmanaged members, an armed checkpoint, profiles not read', () => {
    const noProfile = nmPlanResult(withBond(nmFacts()), 'update', spec({ name: 'bond1' }), BASE);
    expect(!noProfile.ok && noProfile.fieldErrors[0]?.message).toMatch(/bond1 has no NetworkManager profile/);
    const taken = nmPlanResult(nmFacts(), 'create', spec({ name: 'bond1' }), [...BASE, profile({ id: 'bond1', uuid: BOND, type: 'bond', iface: 'bond1', active: false })]);
    expect(!taken.ok && taken.fieldErrors[0]).toMatchObject({ field: 'name', message: expect.stringMatching(/already has a profile for bond1/) as unknown });
    const unmanaged = nmPlanResult(nmFacts('1.42.4', { stack: { manager: 'networkmanager', version: '1.42.4', renderer: null, managedDevices: ['eno1', 'eno2'], bonding: 'loaded' } }), 'create', spec({ name: 'bond0', members: ['eno2', 'eno3'] }));
    expect(!unmanaged.ok && unmanaged.fieldErrors).toEqual([{ field: 'members.1', message: expect.stringMatching(/does not manage eno3/) as unknown }]);
    const armed = nmPlanResult(nmFacts('1.42.4', { stack: { manager: 'networkmanager', version: '1.42.4', renderer: null, managedDevices: ['eno2', 'eno3'], bonding: 'loaded', checkpoints: ['/org/freedesktop/NetworkManager/Checkpoint/3'] } }), 'create', spec({ name: 'bond0' }));
    expect(!armed.ok && armed.fieldErrors[0]?.message).toMatch(/checkpoint armed/);
    const unread = planBondChange({ hostId: 'h1', facts: nmFacts(), action: 'create', spec: spec({ name: 'bond0' }), options: { extras: null } });
    expect(!unread.ok && unread.code).toBe('MISSING_FACTS');
  });

  it('warns that the description is not kept and that a reboot inside the window keeps the new profiles', () => {
    const p = nmPlan(nmFacts(), 'create', spec({ name: 'bond0', description: 'storage' }));
    expect(p.warnings.join('\n')).toMatch(/no description/);
    expect(p.warnings.join('\n')).toMatch(/reboots inside the 45 s window/);
  });
});

describe('NetworkManager detection', () => {
  it('a NetworkManager host gets the driver and can be changed; its checkpoints show as pending changes', () => {
    const facts = nmFacts('1.42.4', { stack: { manager: 'networkmanager', version: '1.42.4', renderer: null, managedDevices: ['eno2'], bonding: 'loaded', checkpoints: ['/org/freedesktop/NetworkManager/Checkpoint/7'] } });
    const view = describeHost(withBond(facts));
    expect(view.driver?.kind).toBe('networkmanager');
    expect(view.stack).toBe('NetworkManager 1.42.4');
    expect(view.readOnlyReason).toBeNull();
    expect(view.pending).toEqual([{ key: 'nm-checkpoint-7', runId: null, text: expect.stringContaining('Checkpoint/7') as unknown, secondsLeft: null }]);
    expect(view.bonds[0]?.spec).toMatchObject({ name: 'bond1', protocol: 'LACP', members: ['eno2', 'eno3'] });
  });

  it('NetworkManager older than 1.12 (or of no known version) is read-only, the version named', () => {
    expect(describeHost(nmFacts('1.10.14')).readOnlyReason).toMatch(/NetworkManager 1\.10\.14, which is older than 1\.12/);
    const r = planBondChange({ hostId: 'h1', facts: nmFacts('1.10.14'), action: 'create', spec: spec({ name: 'bond0' }), options: { extras: { profiles: BASE } } });
    expect(!r.ok && [r.code, r.fieldErrors[0]?.message]).toEqual(['NO_DRIVER', expect.stringMatching(/1\.10\.14/) as unknown]);
    expect(versionRefusal(null)).toMatch(/not known/);
    expect(versionRefusal('1.12.0')).toBeNull();
    expect(versionRefusal('1.46.0-2.el9')).toBeNull();
  });

  it('a netplan host and an unknown one stay refused, with their message', () => {
    const netplan = linuxFacts({ stack: { manager: 'netplan', version: null, renderer: 'NetworkManager', managedDevices: ['eno1', 'eno2'], bonding: 'loaded' } });
    expect(driverForFacts(netplan)).toBeNull();
    const n = planBondChange({ hostId: 'h1', facts: netplan, action: 'create', spec: spec({ name: 'bond0' }) });
    expect(!n.ok && [n.code, n.fieldErrors[0]?.message]).toEqual(['NO_DRIVER', expect.stringMatching(/managed by netplan \(renderer NetworkManager\).*no driver/) as unknown]);
    const unknown = linuxFacts({ stack: { manager: 'unknown', version: null, renderer: null, managedDevices: [], bonding: 'loaded' } });
    const u = planBondChange({ hostId: 'h1', facts: unknown, action: 'create', spec: spec({ name: 'bond0' }) });
    expect(!u.ok && [u.code, u.fieldErrors[0]?.message]).toEqual(['NO_DRIVER', expect.stringMatching(/could not tell which network stack/) as unknown]);
  });
});

describe('NetworkManager profiles from nmcli', () => {
  it('parses terse blocks, unescapes colons, drops a block that does not parse', () => {
    const out = [
      'connection.id:web\\:1',
      `connection.uuid:${ENS}`,
      'connection.type:802-3-ethernet',
      'connection.interface-name:eno1',
      'connection.master:',
      'connection.slave-type:',
      'GENERAL.STATE:activated',
      '--bondsmith-profile--',
      'connection.id:broken',
      'connection.uuid:not-a-uuid',
      '--bondsmith-profile--',
      '',
    ].join('\n');
    expect(parseProfiles(out)).toEqual({ profiles: [{ id: 'web:1', uuid: ENS, type: '802-3-ethernet', iface: 'eno1', master: null, slaveType: null, active: true }], skipped: 1 });
    expect(PROFILES_COMMAND).not.toContain("'");
  });
});
