import './apply-itest-env';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labReboot, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, bondExists, bondSpec, connectHost, describe as describeApply, eventually, makeKit, onBox, planAndApply, procBonding, waitForApply, waitForSession, type Kit } from './apply-itest-kit';

// A plain Linux box restarted inside the confirm window boots its old configuration (the ifupdown
// files are written on confirm only); after confirm, the bond comes back at boot.

const LAB = 'it-apply-linux-reboot';
const HOST = 'nas1';
let lab: LabStatus;
let kit: Kit;
let hostId: string;

const spec = bondSpec({ name: 'bond0', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER3+4', lacpduRate: 'FAST', aliases: [{ address: '192.0.2.10', prefix: 24 }] });

describeLab('safe apply across a reboot on a Linux host', () => {
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

  it('a reboot inside the window gives the old configuration, and the app says the change rolled back', async () => {
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 30 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    const t0 = Date.now();
    await labReboot(HOST, LAB);
    console.log(`rebooted in ${Date.now() - t0} ms`);
    expect(await bondExists(kit, HOST, 'bond0')).toBe(false);
    expect(await onBox(kit, HOST, 'ls /etc/network/interfaces.d/')).not.toMatch(/bond0/);
    const done = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 180_000);
    expect(done.result, describeApply(done)).toBe('rolled-back');
    expect(done.message).toMatch(/rolled back to its previous configuration on its own/);
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
  });

  it('after confirm and a reboot the bond is back', async () => {
    await applyAndKeep(kit, hostId, { action: 'create', spec, bondName: null, checkinTimeoutSeconds: 60 });
    await labReboot(HOST, LAB);
    const switchMac = lab.hosts[0]?.switch.mac ?? '';
    const proc = await eventually('bond0 back with LACP to the switch', () => procBonding(kit, HOST, 'bond0'), (t) => t.includes(`Partner Mac Address: ${switchMac}`), 60_000);
    expect(proc).toContain('Transmit Hash Policy: layer3+4');
    expect(proc).toContain('LACP rate: fast');
    expect(await onBox(kit, HOST, 'ip -o -4 addr show dev bond0')).toContain('192.0.2.10/24');
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
    const seen = await kit.services.sessions.refresh(hostId);
    expect(seen.facts?.bonds.find((b) => b.name === 'bond0')?.members.map((m) => m.name)).toEqual(['eno1', 'eno2']);
  });
});
