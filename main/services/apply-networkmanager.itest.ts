import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labCut, labDown, labReboot, labRestore, labUp, type LabStatus } from '../../e2e/lab/lab';
import { startAppProcess } from '../../e2e/kit/app-process';
import { applyAndKeep, auditFor, bondExists, bondSpec, connectHost, describe as describeApply, eventually, makeKit, onBox, planAndApply, procBonding, reachesSwitch, waitForApply, waitForSession, type Kit } from '../../e2e/kit/apply-kit';

// Safe apply on a NetworkManager lab host, driven through the services like the UI does: bonds of
// each protocol made, edited and deleted as NM profiles and kept after the app verified them; and
// NetworkManager's own checkpoint as the safety net (nobody confirms, Revert, the app gone, a change
// that cuts the SSH path), each checked again on the box over the lab's control path.

const LAB = 'it-apply-nm';
const HOST = 'nas1';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

const activeSlave = (proc: string): string => /Currently Active Slave: (\S+)/.exec(proc)?.[1] ?? 'none';
const slaves = (proc: string): string[] => [...proc.matchAll(/^Slave Interface: (\S+)/gm)].map((m) => m[1] ?? '');
/** Every NM profile's name on the box, in nmcli's order. */
const profileNames = async (): Promise<string[]> => (await onBox(kit, HOST, 'nmcli -g NAME connection show')).split('\n').filter((n) => n !== '');
const bondProfiles = async (bond: string): Promise<string[]> => (await profileNames()).filter((n) => n === bond || n.startsWith(`${bond}-port-`));
/** NetworkManager's armed checkpoints, as busctl prints them ("ao 0" when none). */
const checkpoints = (): Promise<string> => onBox(kit, HOST, 'busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints');
const ens3HasMgmtAddress = async (): Promise<boolean> => (await onBox(kit, HOST, 'ip -o -4 addr show dev ens3')).includes(lab.hosts[0]?.mgmt.address.split('/')[0] ?? '?');

describeLab('safe apply on a NetworkManager host', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 1, flavors: 'networkmanager' });
    kit = await makeKit(LAB);
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('lab has no host');
    hostId = await connectHost(kit, nas1, 'root');
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  it('LACP with every field (LAYER3+4, FAST, MTU 9000, IPv4 and IPv6) negotiates with the switch and is kept as NM profiles', async () => {
    const spec = bondSpec({
      name: 'bond0',
      protocol: 'LACP',
      members: ['eno1', 'eno2'],
      xmitHashPolicy: 'LAYER3+4',
      lacpduRate: 'FAST',
      mtu: 9000,
      aliases: [{ address: '192.0.2.10', prefix: 24 }, { address: '2001:db8::10', prefix: 64 }],
      description: 'storage LAG',
    });
    const { plan } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    expect(plan?.driver).toBe('networkmanager');
    expect(plan?.warnings.join('\n')).toMatch(/no description/);
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    const switchMac = lab.hosts[0]?.switch.mac ?? '';
    const proc = await eventually('LACP partner is the switch', () => procBonding(kit, HOST, 'bond0'), (t) => t.includes(`Partner Mac Address: ${switchMac}`), 30_000);
    expect(proc).toContain('Bonding Mode: IEEE 802.3ad Dynamic link aggregation');
    expect(proc).toContain('Transmit Hash Policy: layer3+4');
    expect(proc).toContain('LACP rate: fast');
    expect(proc).toContain('MII Polling Interval (ms): 100');
    expect(slaves(proc)).toEqual(['eno1', 'eno2']);
    const link = await onBox(kit, HOST, 'ip -o addr show dev bond0; ip -o link show dev bond0');
    expect(link).toContain('192.0.2.10/24');
    expect(link).toContain('2001:db8::10/64');
    expect(link).toContain('mtu 9000');
    expect(await eventually('switch answers through bond0', () => reachesSwitch(kit, HOST), (ok) => ok, 20_000)).toBe(true);
    // Kept means NM's profiles stay and the checkpoint is gone.
    expect(await bondProfiles('bond0')).toEqual(expect.arrayContaining(['bond0', 'bond0-port-eno1', 'bond0-port-eno2']));
    expect(await onBox(kit, HOST, 'nmcli -g connection.autoconnect connection show id bond0-port-eno1')).toBe('yes\n');
    expect(await checkpoints()).toMatch(/^ao 0/);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond0' && e.action === 'create')).result).toBe('confirmed');
  });

  it('LOADBALANCE bond, then an edit that adds a member and changes the hash policy', async () => {
    const spec = bondSpec({ name: 'bond1', protocol: 'LOADBALANCE', members: ['eno3'], xmitHashPolicy: 'LAYER2', aliases: [{ address: '198.18.1.11', prefix: 24 }] });
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    let proc = await procBonding(kit, HOST, 'bond1');
    expect(proc).toContain('Bonding Mode: load balancing (xor)');
    expect(proc).toContain('Transmit Hash Policy: layer2 ');
    expect(slaves(proc)).toEqual(['eno3']);

    const edited = { ...spec, members: ['eno3', 'eno4'], xmitHashPolicy: 'LAYER3+4' as const };
    await applyAndKeep(kit, hostId, { action: 'update', spec: edited, bondName: 'bond1', checkinTimeoutSeconds: 60 });
    proc = await procBonding(kit, HOST, 'bond1');
    expect(proc).toContain('Transmit Hash Policy: layer3+4');
    expect(slaves(proc)).toEqual(['eno3', 'eno4']);
    expect(await onBox(kit, HOST, 'nmcli -g bond.options connection show id bond1')).toMatch(/xmit_hash_policy=layer3\+4/);
    expect((await bondProfiles('bond1')).sort()).toEqual(['bond1', 'bond1-port-eno3', 'bond1-port-eno4']);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1' && e.action === 'update')).result).toBe('confirmed');

    // Only the hash policy changes, the ports stay: NM must still apply it to the kernel's bond.
    await applyAndKeep(kit, hostId, { action: 'update', spec: { ...edited, xmitHashPolicy: 'LAYER2' }, bondName: 'bond1', checkinTimeoutSeconds: 60 });
    proc = await procBonding(kit, HOST, 'bond1');
    expect(proc).toContain('Transmit Hash Policy: layer2 ');
    expect(slaves(proc)).toEqual(['eno3', 'eno4']);
  });

  it('delete removes the bond and its profiles and releases the members', async () => {
    await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond1', checkinTimeoutSeconds: 60 });
    expect(await bondExists(kit, HOST, 'bond1')).toBe(false);
    expect(await bondProfiles('bond1')).toEqual([]);
    expect(await onBox(kit, HOST, 'ip -o link show eno3; ip -o link show eno4')).not.toContain('master');
    // bond0 was not touched.
    expect(slaves(await procBonding(kit, HOST, 'bond0'))).toEqual(['eno1', 'eno2']);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1' && e.action === 'delete')).result).toBe('confirmed');
  });

  it('FAILOVER without an address on eno3+eno4: eno3 is the primary; cutting it makes eno4 the active member', async () => {
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['eno3', 'eno4'] });
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    let proc = await procBonding(kit, HOST, 'bond2');
    expect(proc).toContain('Bonding Mode: fault-tolerance (active-backup)');
    expect(proc).toMatch(/Primary Slave: eno3/);
    expect(slaves(proc)).toEqual(['eno3', 'eno4']);
    expect(activeSlave(proc)).toBe('eno3');
    await labCut(HOST, 'eno3', LAB);
    try {
      proc = await eventually('eno4 takes over', () => procBonding(kit, HOST, 'bond2'), (t) => activeSlave(t) === 'eno4', 20_000);
      expect(proc).toMatch(/Slave Interface: eno3\nMII Status: down/);
    } finally {
      await labRestore(HOST, 'eno3', LAB);
    }
    await eventually('eno3 active again', () => procBonding(kit, HOST, 'bond2'), (t) => activeSlave(t) === 'eno3', 20_000);
    await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond2', checkinTimeoutSeconds: 60 });
    expect(await bondProfiles('bond2')).toEqual([]);
  });

  it('a create left unconfirmed is undone by NetworkManager at the timeout: the bond and its profiles are gone', async () => {
    const spec = bondSpec({ name: 'bond3', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '198.18.3.11', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 20 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(waiting.checks.length).toBeGreaterThan(3);
    expect(waiting.checks.every((c) => c.ok), describeApply(waiting)).toBe(true);
    const done = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 120_000);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/^Not confirmed within 20 s: the box rolled back to its previous configuration on its own\.$/);
    expect(await bondExists(kit, HOST, 'bond3')).toBe(false);
    expect(await bondProfiles('bond3')).toEqual([]);
    expect(await onBox(kit, HOST, 'ip -o link show eno3')).not.toContain('master');
    expect(await checkpoints()).toMatch(/^ao 0/);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond3')).result).toBe('rolled-back');
  });

  it('Revert rolls the checkpoint back at once', async () => {
    const spec = bondSpec({ name: 'bond4', protocol: 'LACP', members: ['eno3', 'eno4'], xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW', aliases: [{ address: '198.18.4.11', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 120 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(await bondExists(kit, HOST, 'bond4')).toBe(true);
    const reverted = await kit.services.bonds.revert(waiting.applyId);
    expect(reverted.result, describeApply(reverted)).toBe('reverted');
    expect(reverted.message).toContain('previous configuration was restored');
    await eventually('bond4 gone', () => bondExists(kit, HOST, 'bond4'), (exists) => !exists, 20_000);
    expect(await bondProfiles('bond4')).toEqual([]);
    expect(await checkpoints()).toMatch(/^ao 0/);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond4')).result).toBe('reverted');
  });

  it('the app killed inside the window (SIGKILL, its sessions cut): NetworkManager rolls back on its own', async () => {
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('lab has no host');
    const spec = bondSpec({ name: 'bond5', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '198.18.5.11', prefix: 24 }] });
    const { child, state } = await startAppProcess({ host: nas1, spec, checkinTimeoutSeconds: 25 });
    try {
      expect(state.phase, describeApply(state)).toBe('awaiting-confirmation');
      expect(await bondExists(kit, HOST, 'bond5')).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await checkpoints()).toMatch(/Checkpoint\/[0-9]+/);
    await eventually('NetworkManager rolled back by itself', () => bondExists(kit, HOST, 'bond5'), (exists) => !exists, 90_000, 1000);
    expect(await bondProfiles('bond5')).toEqual([]);
    expect(await onBox(kit, HOST, 'ip -o link show eno3')).not.toContain('master');
    expect(await checkpoints()).toMatch(/^ao 0/);
  });

  it('a change that cuts the SSH path rolls back by itself within the timeout, and the app says so', async () => {
    // DHCP on a network without a DHCP server: the management address does not come back on the bond.
    const spec = bondSpec({ name: 'bond6', protocol: 'FAILOVER', members: ['ens3'], dhcp: true });
    const { plan } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 20 });
    expect(plan?.impact.managementMigration).toMatchObject({ fromNic: 'ens3', toBond: 'bond6' });
    expect(plan?.warnings.join('\n')).toMatch(/carries this SSH session on ens3/);
    const t0 = Date.now();
    const started = await kit.services.bonds.apply(plan?.planId ?? '', false);
    const done = await waitForApply(kit, started.applyId, (s) => s.phase === 'finished', 180_000);
    console.log(`SSH path cut: finished ${done.result} after ${Date.now() - t0} ms: ${done.message}`);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/rolled back to its previous configuration on its own/);
    await eventually('ens3 has its address again', ens3HasMgmtAddress, (ok) => ok, 30_000);
    expect(await bondExists(kit, HOST, 'bond6')).toBe(false);
    expect(await profileNames()).toContain('ens3');
    expect(await bondProfiles('bond6')).toEqual([]);
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
    expect((await kit.services.sessions.refresh(hostId)).facts?.management.nic).toBe('ens3');
  });

  it('after confirm and a reboot the kept bond is back', async () => {
    // bond0 was kept by the first test.
    await labReboot(HOST, LAB);
    const switchMac = lab.hosts[0]?.switch.mac ?? '';
    const proc = await eventually('bond0 back with LACP to the switch', () => procBonding(kit, HOST, 'bond0'), (t) => t.includes(`Partner Mac Address: ${switchMac}`), 60_000);
    expect(proc).toContain('Transmit Hash Policy: layer3+4');
    expect(proc).toContain('LACP rate: fast');
    expect(slaves(proc)).toEqual(['eno1', 'eno2']);
    expect(await onBox(kit, HOST, 'ip -o -4 addr show dev bond0')).toContain('192.0.2.10/24');
    // The app notices the reboot on its own (keepalives, then a reconnect); until it has, a refresh
    // may still go to the old, dead connection.
    const members = await eventually(
      'discovery to show bond0 after the reboot',
      async () => {
        try {
          return (await kit.services.sessions.refresh(hostId)).facts?.bonds.find((b) => b.name === 'bond0')?.members.map((m) => m.name).join(' ') ?? '';
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        }
      },
      (m) => m === 'eno1 eno2',
      120_000,
    );
    expect(members).toBe('eno1 eno2');
  });
});
