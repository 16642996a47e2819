import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labReboot, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, bondExists, bondSpec, connectHost, describe as describeApply, eventually, makeKit, onBox, planAndApply, procBonding, waitForApply, waitForSession, type Kit } from '../../e2e/kit/apply-kit';

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
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
  });

  it('after an app restart inside the window the change shows with its time left, and Keep writes it', async () => {
    const failover = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '198.18.5.11', prefix: 24 }] });
    const waiting = await planAndApply(kit, hostId, { action: 'create', spec: failover, bondName: null, checkinTimeoutSeconds: 240 });
    expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
    const runIds = await eventually('the plan kept on disk', () => kit.services.inflight.list(), (ids) => ids.length === 1);
    const runId = runIds[0] ?? '';

    // Quit the app (the box keeps waiting) and start it again on the same user data directory.
    const dataDir = kit.services.options.dataDir;
    await kit.services.dispose();
    kit = await makeKit(LAB, dataDir);
    await kit.services.sessions.connect(hostId);
    await waitForSession(kit, hostId, (s) => s.state === 'ready');
    const found = (await kit.services.sessions.refresh(hostId)).facts?.pendingRuns ?? [];
    expect(found.map((r) => r.runId)).toEqual([runId]);
    expect(found[0]?.secondsLeft ?? 0).toBeGreaterThan(0);

    const after = await kit.services.pending.resolve(hostId, 'keep', runId);
    expect(after.facts?.pendingRuns ?? []).toEqual([]);
    expect(await kit.services.inflight.list()).toEqual([]);
    expect(await onBox(kit, HOST, 'cat /etc/network/interfaces.d/*')).toMatch(/bond1/);
    expect(await procBonding(kit, HOST, 'bond1')).toContain('Bonding Mode: fault-tolerance (active-backup)');
    expect(await onBox(kit, HOST, 'ip -o -4 addr show dev bond1')).toContain('198.18.5.11/24');
  });
});
