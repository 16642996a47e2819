import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labCut, labDown, labRestore, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, auditEntries, auditFor, bondExists, bondSpec, connectHost, eventually, makeKit, onBox, procBonding, reachesSwitch, type Kit } from '../../e2e/kit/apply-kit';

// Safe apply on a plain Linux (ifupdown) lab host, driven through the services like the UI does:
// create, edit and delete bonds of each protocol, each kept after the app verified it, and checked
// again on the box over the lab's control path.

const LAB = 'it-apply-linux';
const HOST = 'nas1';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

const activeSlave = (proc: string): string => /Currently Active Slave: (\S+)/.exec(proc)?.[1] ?? 'none';
const slaves = (proc: string): string[] => [...proc.matchAll(/^Slave Interface: (\S+)/gm)].map((m) => m[1] ?? '');

describeLab('safe apply on a Linux host', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 1, flavors: 'linux' });
    kit = await makeKit(LAB);
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('lab has no host');
    hostId = await connectHost(kit, nas1, 'root');
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  it('LACP bond on eno1+eno2 with LAYER3+4, FAST and an alias negotiates with the switch', async () => {
    const spec = bondSpec({ name: 'bond0', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER3+4', lacpduRate: 'FAST', aliases: [{ address: '192.0.2.10', prefix: 24 }], description: 'storage LAG' });
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    const switchMac = lab.hosts[0]?.switch.mac ?? '';
    const proc = await eventually('LACP partner is the switch', () => procBonding(kit, HOST, 'bond0'), (t) => t.includes(`Partner Mac Address: ${switchMac}`), 30_000);
    expect(proc).toContain('Bonding Mode: IEEE 802.3ad Dynamic link aggregation');
    expect(proc).toContain('Transmit Hash Policy: layer3+4');
    expect(proc).toContain('LACP rate: fast');
    expect(slaves(proc)).toEqual(['eno1', 'eno2']);
    expect(await eventually('switch answers through bond0', () => reachesSwitch(kit, HOST), (ok) => ok, 20_000)).toBe(true);
    // Kept means persisted: ifupdown brings the same bond up at boot.
    const file = await onBox(kit, HOST, 'cat /etc/network/interfaces.d/bond0');
    expect(file).toMatch(/bond-slaves eno1 eno2/);
    expect(file).toMatch(/bond-lacp-rate fast/);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond0' && e.action === 'create')).result).toBe('confirmed');
  });

  it('LOADBALANCE bond, then an edit that adds a member and changes the hash policy', async () => {
    const spec = bondSpec({ name: 'bond1', protocol: 'LOADBALANCE', members: ['eno3'], xmitHashPolicy: 'LAYER2' });
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
    expect(await onBox(kit, HOST, 'cat /etc/network/interfaces.d/bond1')).toMatch(/bond-slaves eno3 eno4[\s\S]*bond-xmit-hash-policy layer3\+4/);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1' && e.action === 'update')).result).toBe('confirmed');
  });

  it('delete removes the bond and its configuration and releases the members', async () => {
    await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond1', checkinTimeoutSeconds: 60 });
    expect(await bondExists(kit, HOST, 'bond1')).toBe(false);
    expect(await onBox(kit, HOST, 'ip -o link show eno3; ip -o link show eno4')).not.toContain('master');
    expect(await onBox(kit, HOST, 'ls /etc/network/interfaces.d/')).not.toMatch(/bond1/);
    // bond0 was not touched.
    expect(slaves(await procBonding(kit, HOST, 'bond0'))).toEqual(['eno1', 'eno2']);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1' && e.action === 'delete')).result).toBe('confirmed');
  });

  it('FAILOVER on eno3+eno4: cutting eno3 makes eno4 the active member', async () => {
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['eno3', 'eno4'] });
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    let proc = await procBonding(kit, HOST, 'bond2');
    expect(proc).toContain('Bonding Mode: fault-tolerance (active-backup)');
    expect(proc).toMatch(/Primary Slave: eno3/);
    expect(activeSlave(proc)).toBe('eno3');
    await labCut(HOST, 'eno3', LAB);
    try {
      proc = await eventually('eno4 takes over', () => procBonding(kit, HOST, 'bond2'), (t) => activeSlave(t) === 'eno4', 20_000);
      expect(proc).toMatch(/Slave Interface: eno3\nMII Status: down/);
    } finally {
      await labRestore(HOST, 'eno3', LAB);
    }
    // The primary comes back into service when its link returns.
    await eventually('eno3 active again', () => procBonding(kit, HOST, 'bond2'), (t) => activeSlave(t) === 'eno3', 20_000);
  });

  it('the audit log has one entry per change, with its result and the plan', async () => {
    // Each entry is written once its apply finished and the host was read again.
    const entries = await eventually('five audit entries', () => auditEntries(kit, hostId), (es) => es.length >= 5, 60_000);
    const summary = entries.map((e) => `${e.action} ${e.bondName} ${e.result}`).reverse();
    expect(summary).toEqual(['create bond0 confirmed', 'create bond1 confirmed', 'update bond1 confirmed', 'delete bond1 confirmed', 'create bond2 confirmed']);
    for (const e of entries) {
      expect(e.plan).toMatchObject({ hostId, driver: 'linux-ifupdown' });
      expect(e.steps.length).toBeGreaterThan(3);
      expect(e.stateAfter).not.toBeNull();
    }
  });
});
