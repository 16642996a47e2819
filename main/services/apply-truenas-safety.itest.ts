import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, auditFor, bondExists, bondSpec, connectHost, describe as describeApply, makeKit, onBox, planAndApply, waitForApply, waitForSession, type Kit } from '../../e2e/kit/apply-kit';

// The safety net on a TrueNAS-flavored lab host (default release of the middleware double): changes
// nobody confirms, Revert, a change that cuts the SSH path, and moving the management NIC into a
// bond. After every test the box must have no pending interface change left.

const LAB = 'it-apply-truenas-safety';
const HOST = 'nas1';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

const middlewareHas = async (name: string): Promise<boolean> => (await onBox(kit, HOST, `midclt call interface.query '[["id","=","${name}"]]'`)).trim() !== '[]';
const commitDirsLeft = async (): Promise<string> => (await onBox(kit, HOST, 'ls -d /tmp/bondsmith-truenas-* 2>/dev/null || true')).trim();
const ens3HasMgmtAddress = async (): Promise<boolean> => (await onBox(kit, HOST, 'ip -o -4 addr show dev ens3')).includes(lab.hosts[0]?.mgmt.address.split('/')[0] ?? '?');

describeLab('safe apply safety net on a TrueNAS host', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 1, flavors: 'truenas' });
    kit = await makeKit(LAB);
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('lab has no host');
    hostId = await connectHost(kit, nas1, 'admin');
  });
  afterEach(async () => {
    expect((await onBox(kit, HOST, 'midclt call interface.has_pending_changes')).trim()).toBe('False');
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  it('an apply left unconfirmed rolls back by itself at the timeout', async () => {
    const spec = bondSpec({ name: 'bond0', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW', aliases: [{ address: '192.0.2.10', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 20 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(waiting.checks.every((c) => c.ok)).toBe(true);
    const done = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 120_000);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/^Not confirmed within 20 s: the box rolled back to its previous configuration on its own\.$/);
    expect(await bondExists(kit, HOST, 'bond0')).toBe(false);
    expect(await middlewareHas('bond0')).toBe(false);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond0')).result).toBe('rolled-back');
    expect(await commitDirsLeft()).toBe('');
  });

  it('Revert undoes a change at once', async () => {
    const spec = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.11', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 120 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(await bondExists(kit, HOST, 'bond1')).toBe(true);
    const reverted = await kit.services.bonds.revert(waiting.applyId);
    expect(reverted.result, describeApply(reverted)).toBe('reverted');
    expect(await bondExists(kit, HOST, 'bond1')).toBe(false);
    expect(await middlewareHas('bond1')).toBe(false);
    expect((await onBox(kit, HOST, 'midclt call interface.checkin_waiting')).trim()).toBe('null');
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1')).result).toBe('reverted');
    expect(await commitDirsLeft()).toBe('');
  });

  it('a change that cuts the SSH path rolls back by itself within the timeout, and the app says so', async () => {
    // DHCP on the management network, which has no DHCP server (the lab's serves the switch side only): the address does not come back on the bond.
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['ens3'], dhcp: true });
    const { plan, fieldErrors } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 20 });
    expect(fieldErrors).toEqual([]);
    expect(plan?.impact.managementMigration).toMatchObject({ fromNic: 'ens3', toBond: 'bond2' });
    const t0 = Date.now();
    const started = await kit.services.bonds.apply(plan?.planId ?? '', false);
    const done = await waitForApply(kit, started.applyId, (s) => s.phase === 'finished', 180_000);
    console.log(`SSH path cut: finished ${done.result} after ${Date.now() - t0} ms: ${done.message}`);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/rolled back to its previous configuration on its own/);
    expect(await bondExists(kit, HOST, 'bond2')).toBe(false);
    expect(await middlewareHas('bond2')).toBe(false);
    expect(await ens3HasMgmtAddress()).toBe(true);
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
    expect((await kit.services.sessions.refresh(hostId)).facts?.management.nic).toBe('ens3');
  });

  it('moving the management NIC into a bond keeps the box reachable', async () => {
    const address = lab.hosts[0]?.mgmt.address ?? '';
    const [ip = '', prefix = '24'] = address.split('/');
    const spec = bondSpec({ name: 'bond3', protocol: 'FAILOVER', members: ['ens3', 'eno4'], aliases: [{ address: ip, prefix: Number(prefix) }] });
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    expect(await onBox(kit, HOST, 'ip -o -4 addr show dev bond3')).toContain(address);
    expect(await onBox(kit, HOST, 'ip route show default')).toMatch(/dev bond3/);
    // ens3 is now only a port: the middleware lists it (every NIC is listed) with no addresses of its own.
    const ens3 = JSON.parse(await onBox(kit, HOST, 'midclt call interface.get_instance ens3')) as { aliases: unknown[] };
    expect(ens3.aliases).toEqual([]);
    expect(await ens3HasMgmtAddress()).toBe(false);
    const after = await kit.services.sessions.refresh(hostId);
    expect(after.error).toBeNull();
    expect(after.facts?.management.nic).toBe('bond3');
  });
});
