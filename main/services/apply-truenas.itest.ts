import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeLab, labCut, labDown, labRestore, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, auditEntries, auditFor, bondExists, bondSpec, connectHost, eventually, makeKit, onBox, procBonding, reachesSwitch, type Kit } from '../../e2e/kit/apply-kit';

// Safe apply on a TrueNAS-flavored lab host (the middleware double, driven with midclt as the
// non-root admin), through the services like the UI does. After every test the box must have no
// pending interface change left.

const LAB = 'it-apply-truenas';
const HOST = 'nas1';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

const activeSlave = (proc: string): string => /Currently Active Slave: (\S+)/.exec(proc)?.[1] ?? 'none';
const slaves = (proc: string): string[] => [...proc.matchAll(/^Slave Interface: (\S+)/gm)].map((m) => m[1] ?? '');
const middlewareEntry = async (name: string): Promise<Record<string, unknown> | null> => {
  const out = await onBox(kit, HOST, `midclt call interface.query '[["id","=","${name}"]]'`);
  const list = JSON.parse(out) as Record<string, unknown>[];
  return list[0] ?? null;
};

describeLab('safe apply on a TrueNAS host', () => {
  beforeAll(async () => {
    // 25.10.2.2 is the first release that gives FAILOVER bonds link monitoring (miimon 100), so a cut
    // cable fails over; it also exercises the strict 25.10 API. The safety tests use the default release.
    lab = await labUp({ name: LAB, hosts: 1, flavors: 'truenas', truenasVersion: '25.10.2.2' });
    kit = await makeKit(LAB);
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('lab has no host');
    hostId = await connectHost(kit, nas1, 'admin');
  });
  afterEach(async () => {
    expect((await onBox(kit, HOST, 'midclt call interface.has_pending_changes')).trim()).toBe('False');
    // The commit's private log directory goes with the check-in.
    expect((await onBox(kit, HOST, 'ls -d /tmp/bondsmith-truenas-* 2>/dev/null || true')).trim()).toBe('');
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
    expect(await middlewareEntry('bond0')).toMatchObject({ type: 'LINK_AGGREGATION', lag_protocol: 'LACP', lag_ports: ['eno1', 'eno2'], xmit_hash_policy: 'LAYER3+4', lacpdu_rate: 'FAST', description: 'storage LAG' });
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
    expect(await middlewareEntry('bond1')).toMatchObject({ lag_protocol: 'LOADBALANCE', lag_ports: ['eno3', 'eno4'], xmit_hash_policy: 'LAYER3+4' });
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1' && e.action === 'update')).result).toBe('confirmed');
  });

  it('delete removes the bond from the middleware and the kernel and releases the members', async () => {
    await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond1', checkinTimeoutSeconds: 60 });
    expect(await bondExists(kit, HOST, 'bond1')).toBe(false);
    expect(await middlewareEntry('bond1')).toBeNull();
    expect(await onBox(kit, HOST, 'ip -o link show eno3; ip -o link show eno4')).not.toContain('master');
    expect(slaves(await procBonding(kit, HOST, 'bond0'))).toEqual(['eno1', 'eno2']);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1' && e.action === 'delete')).result).toBe('confirmed');
  });

  it('FAILOVER on eno3+eno4: cutting eno3 makes eno4 the active member', async () => {
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['eno3', 'eno4'] });
    const kept = await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    let proc = await procBonding(kit, HOST, 'bond2');
    expect(proc).toContain('Bonding Mode: fault-tolerance (active-backup)');
    expect(activeSlave(proc)).toBe('eno3');
    expect(kept.result).toBe('confirmed');
    expect(proc).toMatch(/MII Polling Interval \(ms\): 100/);
    await labCut(HOST, 'eno3', LAB);
    try {
      proc = await eventually('eno4 takes over', () => procBonding(kit, HOST, 'bond2'), (t) => activeSlave(t) === 'eno4', 20_000);
      expect(proc).toMatch(/Slave Interface: eno3\nMII Status: down/);
    } finally {
      await labRestore(HOST, 'eno3', LAB);
    }
  });

  it('the audit log has one entry per change, with its result and the plan', async () => {
    // Each entry is written once its apply finished and the host was read again.
    const entries = await eventually('five audit entries', () => auditEntries(kit, hostId), (es) => es.length >= 5, 60_000);
    const summary = entries.map((e) => `${e.action} ${e.bondName} ${e.result}`).reverse();
    expect(summary).toEqual(['create bond0 confirmed', 'create bond1 confirmed', 'update bond1 confirmed', 'delete bond1 confirmed', 'create bond2 confirmed']);
    for (const e of entries) expect(e.plan).toMatchObject({ hostId, driver: 'truenas' });
  });
});
