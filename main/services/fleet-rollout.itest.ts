import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FleetRun } from '../../preload/contract';
import { describeLab, labDown, labUp, type LabStatus } from '../../e2e/lab/lab';
import { auditEntries, bondExists, bondSpec, connectHost, eventually, makeKit, onBox, procBonding, waitForSession, type Kit } from '../../e2e/kit/apply-kit';

// Fleet rollouts on a lab of three hosts of mixed flavors (nas1 linux, nas2 TrueNAS, nas3 linux),
// driven through the services as the UI drives them: one bond to all three, canary first; a
// rollout whose change cuts nas2's management path (it rolls back, the run stops, nas3 is
// untouched, the canary stays kept); per-host member mapping; an unreachable target reported
// before the run. One lab for the whole file.

const LAB = 'it-fleet';
let lab: LabStatus;
let kit: Kit;
const ids: Record<string, string> = {};

const slaves = (proc: string): string[] => [...proc.matchAll(/^Slave Interface: (\S+)/gm)].map((m) => m[1] ?? '');
const primary = (proc: string): string => /Primary Slave: (\S+)/.exec(proc)?.[1] ?? 'none';
const states = (r: FleetRun): string[] => r.hosts.map((h) => `${h.label}:${h.state}`);
const settled = (r: FleetRun): boolean => r.status !== 'running' && r.status !== 'paused' && r.hosts.every((h) => !['planning', 'applying', 'countdown'].includes(h.state));

function runSettles(runId: string, timeoutMs: number): Promise<FleetRun> {
  return new Promise((resolve, reject) => {
    let last: FleetRun | undefined;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`run ${runId} did not settle in ${timeoutMs} ms; last: ${JSON.stringify(last, null, 1)}`));
    }, timeoutMs);
    const off = kit.services.events.subscribe((event, payload) => {
      if (event !== 'fleet.run') return;
      const run = payload as FleetRun;
      if (run.runId !== runId) return;
      last = run;
      if (settled(run)) {
        clearTimeout(timer);
        off();
        resolve(run);
      }
    });
  });
}

/** A loopback port nothing listens on: the host there refuses every connection. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeLab('fleet rollout over three lab hosts of mixed flavors', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 3, flavors: ['linux', 'truenas', 'linux'] });
    expect(lab.hosts.map((h) => h.flavor)).toEqual(['linux', 'truenas', 'linux']);
    kit = await makeKit(LAB);
    for (const host of lab.hosts) ids[host.name] = await connectHost(kit, host, 'root');
    ids.gone = (await kit.services.hosts.add({ label: 'gone', address: '127.0.0.1', port: await closedPort(), user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false })).id;
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  it('previews every target: plans through each host own driver, a missing port and an unreachable host reported before anything runs', async () => {
    const spec = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'] });
    const t0 = Date.now();
    const { hosts } = await kit.services.rollouts.preview({
      spec,
      targets: [
        { hostId: ids.nas1 ?? '', members: null },
        { hostId: ids.nas2 ?? '', members: null },
        { hostId: ids.nas3 ?? '', members: ['eno9'] },
        { hostId: ids.gone ?? '', members: null },
      ],
      checkinTimeoutSeconds: 60,
    });
    console.log(`preview of 4 targets in ${Date.now() - t0} ms`);
    const by = Object.fromEntries(hosts.map((h) => [h.label, h]));
    expect(by.nas1?.problem).toBeNull();
    expect(by.nas1?.plan?.driver).toBe('linux-ifupdown');
    expect(by.nas2?.problem).toBeNull();
    expect(by.nas2?.plan?.driver).toBe('truenas');
    // The TrueNAS double runs a release that creates FAILOVER bonds without link monitoring: said in its plan.
    expect(by.nas2?.plan?.warnings.join('\n')).toMatch(/without link monitoring/);
    expect(by.nas3?.problem).toBe('This host has no port eno9: pick its ports by hand.');
    expect(by.nas3?.ports.map((p) => p.name)).toEqual(expect.arrayContaining(['eno3', 'eno4']));
    expect(by.gone?.problem).toMatch(/^Could not reach the host: /);
    expect(by.gone?.plan).toBeNull();
    // Nothing ran anywhere.
    for (const name of ['nas1', 'nas2', 'nas3']) expect(await bondExists(kit, name, 'bond1')).toBe(false);
  });

  it('one bond to all three, canary first, with nas3 mapped to its ports in another order; each host audited under the run', async () => {
    const spec = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'] });
    const t0 = Date.now();
    const run = await kit.services.rollouts.start({
      spec,
      targets: [
        { hostId: ids.nas1 ?? '', members: null },
        { hostId: ids.nas2 ?? '', members: null },
        { hostId: ids.nas3 ?? '', members: ['eno4', 'eno3'] },
      ],
      checkinTimeoutSeconds: 60,
      canaryHostId: ids.nas1 ?? '',
      parallelism: 1,
      autoKeep: { canary: true, rest: true },
    });
    const done = await runSettles(run.runId, 600_000);
    console.log(`rollout to 3 hosts: ${done.status} in ${Date.now() - t0} ms: ${states(done).join(' ')}`);
    expect(done.status, JSON.stringify(done.hosts, null, 1)).toBe('finished');
    expect(states(done)).toEqual(['nas1:kept', 'nas2:kept', 'nas3:kept']);
    // One host after the other: each started after the one before it ended.
    for (let i = 1; i < done.hosts.length; i++) expect((done.hosts[i]?.startedAt ?? '') >= (done.hosts[i - 1]?.endedAt ?? 'z')).toBe(true);
    expect(slaves(await procBonding(kit, 'nas2', 'bond1'))).toEqual(['eno3', 'eno4']);
    const nas1 = await procBonding(kit, 'nas1', 'bond1');
    expect(slaves(nas1)).toEqual(['eno3', 'eno4']);
    expect(primary(nas1)).toBe('eno3');
    const nas3 = await procBonding(kit, 'nas3', 'bond1');
    expect(slaves(nas3).sort()).toEqual(['eno3', 'eno4']);
    expect(primary(nas3)).toBe('eno4');
    // Kept means persisted, each by its own stack.
    expect(await onBox(kit, 'nas1', 'cat /etc/network/interfaces.d/bond1')).toMatch(/bond-slaves eno3 eno4/);
    expect(await onBox(kit, 'nas2', 'midclt call interface.get_instance bond1')).toMatch(/"lag_protocol": ?"FAILOVER"/);
    for (const name of ['nas1', 'nas2', 'nas3']) {
      const entries = await eventually(`audit entry of ${name}`, () => auditEntries(kit, ids[name] ?? ''), (es) => es.some((e) => e.runId === run.runId), 60_000, 300);
      expect(entries.find((e) => e.runId === run.runId)?.result).toBe('confirmed');
    }
  });

  it('a change that cuts the second host management path rolls it back and stops the run; the third is untouched, the canary stays kept', async () => {
    // DHCP: nas1 and nas3 get a lease from their switch; on nas2, mapped to its management NIC (a network with no DHCP server), the address does not come back.
    const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: ['eno1', 'eno2'], dhcp: true });
    const t0 = Date.now();
    const run = await kit.services.rollouts.start({
      spec,
      targets: [
        { hostId: ids.nas1 ?? '', members: null },
        { hostId: ids.nas2 ?? '', members: ['ens3'] },
        { hostId: ids.nas3 ?? '', members: null },
      ],
      checkinTimeoutSeconds: 20,
      canaryHostId: ids.nas1 ?? '',
      parallelism: 1,
      autoKeep: { canary: true, rest: true },
    });
    const done = await runSettles(run.runId, 600_000);
    console.log(`rollout with a cut: ${done.status} in ${Date.now() - t0} ms: ${states(done).join(' ')}; nas2: ${done.hosts[1]?.reason ?? ''}`);
    expect(done.status).toBe('stopped');
    expect(states(done)).toEqual(['nas1:kept', 'nas2:rolled-back', 'nas3:skipped']);
    expect(done.hosts[1]?.reason).toMatch(/rolled back to its previous configuration on its own/);
    expect(done.statusText).toBe('Stopped: nas2 rolled back. The hosts after it were not touched.');
    expect(slaves(await procBonding(kit, 'nas1', 'bond2'))).toEqual(['eno1', 'eno2']);
    expect(await bondExists(kit, 'nas2', 'bond2')).toBe(false);
    expect(await onBox(kit, 'nas2', 'ip -o -4 addr show dev ens3')).toContain(lab.hosts[1]?.mgmt.address.split('/')[0] ?? '?');
    expect(await bondExists(kit, 'nas3', 'bond2')).toBe(false);
    // nas3's audit log has nothing of this run: it was never touched.
    expect((await auditEntries(kit, ids.nas3 ?? '')).some((e) => e.runId === run.runId)).toBe(false);
    const nas2 = await eventually('audit entry of nas2', () => auditEntries(kit, ids.nas2 ?? ''), (es) => es.some((e) => e.runId === run.runId), 60_000, 300);
    expect(nas2.find((e) => e.runId === run.runId)?.result).toBe('rolled-back');
    await waitForSession(kit, ids.nas2 ?? '', (s) => s.state === 'ready', 120_000);
  });
});
