import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labReboot, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, auditFor, bondExists, bondSpec, connectHost, describe as describeApply, makeKit, onBox, onBoxOk, planAndApply, waitForApply, waitForSession, type Kit } from '../../e2e/kit/apply-kit';

// What the TrueNAS driver used to half-do (issue 14), on one TrueNAS 25.10 lab host (the middleware
// double, e2e/lab/truenas/): a port with its own configuration reset as its own step, a middleware
// refusal handed back next to its field, a middlewared restart inside the check-in window (the box
// keeps the change, fact sheet §5.6), and the DNS servers of a DHCP-installed box kept with the
// gateway (§1, §5.8). After every test nothing is left pending on the box.

const LAB = 'it-truenas-gaps';
const HOST = 'nas1';
const RESTART = '/run/lab/repo/e2e/lab/truenas/bin/restart-middlewared';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

// A failed call throws: an edit that silently did not happen would show up later as a wrong box state.
const midclt = async (args: string): Promise<string> => (await onBoxOk(kit, HOST, `midclt call ${args}`)).trim();
const entry = async (name: string): Promise<{ aliases: { address: string }[]; lag_ports?: string[] } | null> => {
  const out = await midclt(`interface.query '[["id","=","${name}"]]'`);
  return (JSON.parse(out) as { aliases: { address: string }[]; lag_ports?: string[] }[])[0] ?? null;
};
/** Configure a port through the middleware and make it permanent at once (no rollback). */
const configurePort = async (nic: string, address: string): Promise<void> => {
  await midclt(`interface.update ${nic} '{"aliases":[{"type":"INET","address":"${address}","netmask":24}]}'`);
  await midclt(`interface.commit '{"rollback":false}'`);
};
const resetPort = async (nic: string): Promise<void> => {
  await midclt(`interface.delete ${nic}`);
  await midclt(`interface.commit '{"rollback":false}'`);
};

describeLab('TrueNAS gaps: configured ports, middleware refusals, a restart in the window, DNS', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 1, flavors: 'truenas', truenasVersion: '25.10' });
    kit = await makeKit(LAB);
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('lab has no host');
    hostId = await connectHost(kit, nas1, 'admin');
  });
  afterEach(async () => {
    expect(await midclt('interface.has_pending_changes')).toBe('False');
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  it('a port with its own configuration is marked, refused until reset, and reset as its own step', async () => {
    await configurePort('eno3', '192.0.2.50');
    const marks = await kit.services.bonds.eligible(hostId, null);
    expect(marks.members.find((m) => m.name === 'eno3')?.ownConfiguration).toBe('own TrueNAS configuration (192.0.2.50/24): reset it to join');
    expect(marks.members.find((m) => m.name === 'eno4')?.ownConfiguration).toBeNull();

    const spec = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.11', prefix: 24 }] });
    const refused = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    expect(refused.plan).toBeNull();
    expect(refused.fieldErrors).toEqual([{ field: 'members.0', message: expect.stringContaining('Tick "Reset eno3\'s configuration" under eno3') as unknown }]);

    const { plan } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60, resetNicConfig: ['eno3'] });
    expect(plan?.steps.map((s) => s.id).slice(1, 3)).toEqual(['reset-eno3', 'create-bond']);
    expect(plan?.impact.nicsReset).toEqual(['eno3']);
    expect(plan?.impact.addressesRemoved).toEqual(['192.0.2.50/24']);
    const started = await kit.services.bonds.apply(plan?.planId ?? '', false);
    const waiting = await waitForApply(kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', 150_000);
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(waiting.steps.find((s) => s.id === 'reset-eno3')?.status).toBe('done');
    expect((await kit.services.bonds.keep(waiting.applyId)).result).toBe('confirmed');
    expect((await entry('bond1'))?.lag_ports).toEqual(['eno3', 'eno4']);
    expect((await entry('eno3'))?.aliases).toEqual([]);
    expect(await onBox(kit, HOST, 'ip -o -4 addr show dev eno3')).toBe('');
    await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond1', checkinTimeoutSeconds: 60 });
  });

  it('a refusal of the middleware comes back next to the field it names, in plain words', async () => {
    // In the DB but not applied (checked in without a commit, §5.4): the kernel shows nothing, so only
    // the middleware knows 192.0.2.0/24 is taken.
    await midclt(`interface.update eno2 '{"aliases":[{"type":"INET","address":"192.0.2.60","netmask":24}]}'`);
    await midclt('interface.checkin');
    expect(await onBox(kit, HOST, 'ip -o -4 addr show dev eno2')).toBe('');
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['eno4'], aliases: [{ address: '192.0.2.12', prefix: 24 }] });
    const done = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    expect(done.result, describeApply(done)).toBe('failed');
    expect(done.fieldErrors).toEqual([{ field: 'aliases.0.address', message: 'The network 192.0.2.0/24 is already in use by another interface.' }]);
    const create = done.steps.find((s) => s.id === 'create-bond');
    expect(create).toMatchObject({ status: 'failed', detail: 'The network 192.0.2.0/24 is already in use by another interface.' });
    expect(done.message).toMatch(/^Add bond2 to the TrueNAS configuration failed: The network 192\.0\.2\.0\/24 is already in use by another interface\. The previous/);
    expect(JSON.stringify(done.steps)).not.toMatch(/interface_create|Traceback/);
    expect(await bondExists(kit, HOST, 'bond2')).toBe(false);
    await resetPort('eno2');
  });

  it('a middlewared restart inside the window: the app says the box kept the change and plans taking it back', async () => {
    const spec = bondSpec({ name: 'bond0', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW', aliases: [{ address: '192.0.2.10', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 180 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    const t0 = Date.now();
    await onBox(kit, HOST, RESTART);
    expect(await midclt('interface.checkin_waiting')).toBe('null');
    const kept = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 60_000);
    console.log(`restart noticed after ${Date.now() - t0} ms: ${kept.result ?? ''}`);
    expect(kept.result, describeApply(kept)).toBe('kept-unconfirmed');
    expect(kept.message).toMatch(/^Its rollback timer is gone: .*bond0 stays as it is now\. If you did not want it, plan reverting it: a new safe apply\.$/);
    expect(kept.checks.length).toBeGreaterThan(0);
    expect(kept.checks.every((c) => c.ok)).toBe(true);
    expect(await bondExists(kit, HOST, 'bond0')).toBe(true);
    expect((await entry('bond0'))?.lag_ports).toEqual(['eno1', 'eno2']);
    expect((await auditFor(kit, hostId, (e) => e.bondName === 'bond0' && e.result === 'kept-unconfirmed')).message).toBe(kept.message);

    const undo = await kit.services.bonds.planUndo(waiting.applyId, 60);
    expect(undo.fieldErrors).toEqual([]);
    expect(undo.plan).toMatchObject({ action: 'delete', bondName: 'bond0' });
    const started = await kit.services.bonds.apply(undo.plan?.planId ?? '', false);
    const undoing = await waitForApply(kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', 150_000);
    expect(undoing.phase, describeApply(undoing)).toBe('awaiting-confirmation');
    expect((await kit.services.bonds.keep(undoing.applyId)).result).toBe('confirmed');
    expect(await bondExists(kit, HOST, 'bond0')).toBe(false);
    expect(await entry('bond0')).toBeNull();
  });

  it('a reboot inside the window: the box comes back with the change, and the app says it kept it', async () => {
    const spec = bondSpec({ name: 'bond4', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.14', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 240 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    const t0 = Date.now();
    await labReboot(HOST, LAB);
    console.log(`rebooted in ${Date.now() - t0} ms`);
    const kept = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 150_000);
    console.log(`reboot noticed ${Date.now() - t0} ms after it started: ${kept.result ?? ''}`);
    expect(kept.result, describeApply(kept)).toBe('kept-unconfirmed');
    expect(kept.message).toMatch(/bond4 stays as it is now/);
    expect(await bondExists(kit, HOST, 'bond4')).toBe(true);
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
    await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond4', checkinTimeoutSeconds: 60 });
  });

  it('on a DHCP-installed box the DNS servers are kept with the gateway when the management NIC moves into a bond', async () => {
    // A box as installed: no interface rows (it runs on DHCP, which gave it its DNS server).
    await onBox(kit, HOST, "rm -f /etc/resolv.conf && printf 'nameserver 198.51.100.53\\n' > /etc/resolv.conf");
    await midclt('interface.delete ens3');
    await midclt('interface.checkin');
    expect((await entry('ens3'))?.aliases).toEqual([]);
    expect(JSON.parse(await midclt('interface.get_instance ens3'))).toMatchObject({ ipv4_dhcp: true });
    expect(JSON.parse(await midclt('network.configuration.config'))).toMatchObject({ nameserver1: '' });

    const address = lab.hosts[0]?.mgmt.address ?? '';
    const [ip = '', prefix = '24'] = address.split('/');
    const spec = bondSpec({ name: 'bond3', protocol: 'FAILOVER', members: ['ens3', 'eno4'], aliases: [{ address: ip, prefix: Number(prefix) }] });
    const { plan, fieldErrors } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: 90 });
    expect(fieldErrors).toEqual([]);
    expect(plan?.impact.nameserversKept).toEqual(['198.51.100.53']);
    const save = plan?.steps.find((s) => s.id === 'gateway-save');
    expect(save?.title).toBe(`Keep the default gateway ${lab.hosts[0]?.mgmt.gateway ?? '?'} and the DNS servers 198.51.100.53`);
    const started = await kit.services.bonds.apply(plan?.planId ?? '', false);
    const waiting = await waitForApply(kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', 150_000);
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    expect(waiting.steps.find((s) => s.id === 'gateway-check')?.detail).toMatch(/nameserver1/);
    expect(waiting.steps.find((s) => s.id === 'gateway-save')?.status).toBe('done');
    expect((await kit.services.bonds.keep(waiting.applyId)).result).toBe('confirmed');
    expect(JSON.parse(await midclt('network.configuration.config'))).toMatchObject({ nameserver1: '198.51.100.53', ipv4gateway: lab.hosts[0]?.mgmt.gateway });
    expect(await onBox(kit, HOST, 'ip route show default')).toMatch(/dev bond3/);
  });
});
