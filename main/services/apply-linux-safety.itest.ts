import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, auditFor, bondExists, bondSpec, connectHost, describe as describeApply, eventually, makeKit, onBox, planAndApply, waitForApply, waitForSession, type Kit } from '../../e2e/kit/apply-kit';
import { disableLogindKill, enableLogindKill, logindLog } from '../../e2e/kit/logind-kill';

// The safety net on a plain Linux lab host: changes nobody confirms, Revert, a change that cuts the
// SSH path, moving the management NIC into a bond, and a timer that outlives the login that armed
// it where logind kills a login's processes at logout.

const LAB = 'it-apply-linux-safety';
const HOST = 'nas1';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

const ens3HasMgmtAddress = async (): Promise<boolean> => (await onBox(kit, HOST, 'ip -o -4 addr show dev ens3')).includes(lab.hosts[0]?.mgmt.address.split('/')[0] ?? '?');

describeLab('safe apply safety net on a Linux host', () => {
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

  it('an apply left unconfirmed rolls back by itself at the timeout', async () => {
    const spec = bondSpec({ name: 'bond0', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW', aliases: [{ address: '192.0.2.10', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 20 });
    // The bond was there and verified (the box's timer may already be firing while we look).
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(waiting.checks.length).toBeGreaterThan(5);
    expect(waiting.checks.every((c) => c.ok)).toBe(true);
    const done = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 120_000);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/^Not confirmed within 20 s: the box rolled back to its previous configuration on its own\.$/);
    expect(await bondExists(kit, HOST, 'bond0')).toBe(false);
    expect(await onBox(kit, HOST, 'ls /etc/network/interfaces.d/')).not.toMatch(/bond0/);
    expect(await onBox(kit, HOST, 'ip -o link show eno1')).not.toContain('master');
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond0')).result).toBe('rolled-back');
  });

  it('the timer outlives the SSH login that armed it where logind kills a login\'s processes at logout', async () => {
    await enableLogindKill(LAB, HOST);
    // A login of its own that starts after the simulation is on: the app as a user runs it, closed
    // (quit, crashed, laptop lid) inside the window.
    const app = await makeKit(LAB);
    try {
      const nas1 = lab.hosts[0];
      if (!nas1) throw new Error('lab has no host');
      const id = await connectHost(app, nas1, 'root');
      const spec = bondSpec({ name: 'bond5', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.15', prefix: 24 }] });
      const waiting = await planAndApply(app, id, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 25 });
      expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
      expect(await bondExists(kit, HOST, 'bond5')).toBe(true);
      await app.services.dispose();
      // Every login the app opened is over and its processes were killed, as logind would.
      const log = await eventually('the app\'s logins closed', () => logindLog(LAB, HOST), (l) => l.some((x) => x.startsWith('open')) && l.filter((x) => x.startsWith('open')).length === l.filter((x) => x.startsWith('closed')).length, 30_000);
      console.log(`logind simulation:\n  ${log.join('\n  ')}`);
      // The box rolls back on its own at the timeout: the timer was not among the killed.
      await eventually('the box rolled back by itself', () => bondExists(kit, HOST, 'bond5'), (exists) => !exists, 90_000, 1000);
      expect(await onBox(kit, HOST, 'ls /var/lib/bondsmith/rollback/*/restored 2>/dev/null | wc -l')).not.toMatch(/^0/);
      expect(await onBox(kit, HOST, 'ip -o link show eno3')).not.toContain('master');
      expect(await onBox(kit, HOST, 'ls /etc/network/interfaces.d/')).not.toMatch(/bond5/);
    } finally {
      await app.services.dispose();
      await disableLogindKill(LAB, HOST);
    }
  });

  it('Revert undoes a change at once', async () => {
    const spec = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.11', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 120 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(await bondExists(kit, HOST, 'bond1')).toBe(true);
    const reverted = await kit.services.bonds.revert(waiting.applyId);
    expect(reverted.result, describeApply(reverted)).toBe('reverted');
    expect(reverted.message).toContain('previous configuration was restored');
    expect(await bondExists(kit, HOST, 'bond1')).toBe(false);
    // The box's own timer was stopped with it: nothing is left armed.
    expect(await onBox(kit, HOST, 'ls /run/bondsmith/*/armed 2>/dev/null | wc -l')).toMatch(/^0/);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond1')).result).toBe('reverted');
  });

  it('a change that cuts the SSH path rolls back by itself within the timeout, and the app says so', async () => {
    // DHCP on the management network, which has no DHCP server (the lab's serves the switch side only): the address does not come back on the bond.
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['ens3'], dhcp: true });
    const { plan } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 20 });
    expect(plan?.impact.managementMigration).toMatchObject({ fromNic: 'ens3', toBond: 'bond2' });
    expect(plan?.warnings.join('\n')).toMatch(/DHCP/);
    const t0 = Date.now();
    const started = await kit.services.bonds.apply(plan?.planId ?? '', false);
    const done = await waitForApply(kit, started.applyId, (s) => s.phase === 'finished', 180_000);
    console.log(`SSH path cut: finished ${done.result} after ${Date.now() - t0} ms: ${done.message}`);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/rolled back to its previous configuration on its own/);
    expect(await bondExists(kit, HOST, 'bond2')).toBe(false);
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
    expect(await ens3HasMgmtAddress()).toBe(false);
    const after = await kit.services.sessions.refresh(hostId);
    expect(after.error).toBeNull();
    expect(after.facts?.management.nic).toBe('bond3');
    expect(await onBox(kit, HOST, 'cat /etc/network/interfaces.d/bond3')).toMatch(/bond-slaves ens3 eno4[\s\S]*gateway/);
  });
});
