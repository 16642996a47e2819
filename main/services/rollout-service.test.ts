import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecResult } from '../ssh/connection';
import type { FleetRun } from '../../preload/contract';
import { linuxFacts, spec, withBond } from '../../e2e/kit/host-facts';
import { KERNEL_OK, linuxBox } from '../../e2e/kit/linux-box';
import { failureOf, makeServiceWorld, removeDataDirs } from '../../e2e/kit/service-world';
import { FleetRunStore } from '../store/fleet-run-store';
import { BondService } from './bond-service';
import { RolloutService } from './rollout-service';

// RolloutService over the real BondService and SessionService, real stores in a temp directory and
// fake boxes that answer a real plan's commands. Waits are on events, never on a clock.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await removeDataDirs();
});

const FLEET_SPEC = spec({ aliases: [] });

async function makeWorld() {
  const world = await makeServiceWorld();
  world.box.rules = linuxBox();
  const bonds = new BondService(world.store, world.sessions, world.audit, world.events, world.inflight, false);
  const runStore = new FleetRunStore(world.dataDir);
  const rollouts = new RolloutService(world.store, world.sessions, bonds, world.events, runStore);
  cleanups.push(() => world.sessions.dispose(), () => bonds.dispose(), () => rollouts.dispose());
  /** Hosts whose box answers the read of the bond with the wrong members (the check fails, it rolls back). */
  const badBoxes = new Set<string>();
  const answer = world.box.answer.bind(world.box);
  world.box.answer = (hostId, command, via): Promise<ExecResult> => {
    if (badBoxes.has(hostId) && command.includes('--bondsmith-ip--')) {
      world.box.log.push({ hostId, command, via });
      return Promise.resolve({ code: 0, signal: null, stdout: KERNEL_OK.replace('Slave Interface: eno3', 'Slave Interface: eno4'), stderr: '' });
    }
    return answer(hostId, command, via);
  };
  const hosts = async (n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) ids.push(await world.readyHost(linuxFacts(), { label: `nas${i}`, address: `nas${i}.lan` }));
    return ids;
  };
  const runEnds = (runId: string, test: (r: FleetRun) => boolean): Promise<FleetRun> => world.nextEvent('fleet.run', (r) => r.runId === runId && test(r));
  const start = (ids: string[], over: { autoKeep?: { canary: boolean; rest: boolean }; parallelism?: number } = {}) =>
    rollouts.start({ spec: FLEET_SPEC, targets: ids.map((hostId) => ({ hostId, members: null })), checkinTimeoutSeconds: 60, canaryHostId: ids[0] ?? '', parallelism: over.parallelism ?? 1, autoKeep: over.autoKeep ?? { canary: true, rest: true } });
  return { ...world, bonds, rollouts, runStore, badBoxes, hosts, runEnds, start };
}

const states = (r: FleetRun): string[] => r.hosts.map((h) => `${h.label}:${h.state}`);
const settled = (r: FleetRun): boolean => r.status !== 'running' && r.status !== 'paused' && r.hosts.every((h) => !['planning', 'applying', 'countdown'].includes(h.state));

describe('RolloutService', () => {
  it('keeps the change on every host, canary first, each audited under the run', async () => {
    const world = await makeWorld();
    const ids = await world.hosts(3);
    const run = await world.start(ids);
    const done = await world.runEnds(run.runId, settled);
    expect(done.status).toBe('finished');
    expect(states(done)).toEqual(['nas1:kept', 'nas2:kept', 'nas3:kept']);
    // The canary was kept before the second host started planning.
    const keptCanary = world.heardOf('fleet.run').findIndex((r) => r.hosts[0]?.state === 'kept');
    const secondStarts = world.heardOf('fleet.run').findIndex((r) => r.hosts[1]?.state !== 'waiting');
    expect(keptCanary).toBeGreaterThan(-1);
    expect(secondStarts).toBeGreaterThan(keptCanary);
    await vi.waitFor(async () => {
      const entries = (await world.audit.read(null)).entries;
      expect(entries.map((e) => [e.hostLabel, e.result, e.runId]).sort()).toEqual([['nas1', 'confirmed', run.runId], ['nas2', 'confirmed', run.runId], ['nas3', 'confirmed', run.runId]]);
    });
  });

  it('stops at the host that rolls back: the third is untouched, the canary stays kept', async () => {
    const world = await makeWorld();
    const ids = await world.hosts(3);
    world.badBoxes.add(ids[1] ?? '');
    const run = await world.start(ids);
    const done = await world.runEnds(run.runId, settled);
    expect(done.status).toBe('stopped');
    expect(states(done)).toEqual(['nas1:kept', 'nas2:failed', 'nas3:skipped']);
    expect(done.hosts[1]?.reason).toMatch(/Members/);
    expect(done.hosts[2]?.reason).toBe('Not started: the run stopped when nas2 failed.');
    expect(world.box.commands(ids[2])).toEqual([]);
    expect(world.box.commands(ids[1]).some((c) => c.includes('echo restored'))).toBe(true);
  });

  it('the canary waits for Keep by hand before any other host starts', async () => {
    const world = await makeWorld();
    const ids = await world.hosts(2);
    const run = await world.start(ids, { autoKeep: { canary: false, rest: true } });
    const counting = await world.runEnds(run.runId, (r) => r.hosts[0]?.state === 'countdown');
    expect(counting.hosts[0]?.deadline).not.toBeNull();
    expect(counting.hosts[1]?.state).toBe('waiting');
    expect(world.box.commands(ids[1])).toEqual([]);
    await world.bonds.keep(counting.hosts[0]?.applyId ?? '');
    const done = await world.runEnds(run.runId, settled);
    expect(states(done)).toEqual(['nas1:kept', 'nas2:kept']);
  });

  it('Pause holds the next host and Resume goes on; Abort skips the rest', async () => {
    const world = await makeWorld();
    const ids = await world.hosts(3);
    const run = await world.start(ids, { autoKeep: { canary: false, rest: false } });
    const counting = await world.runEnds(run.runId, (r) => r.hosts[0]?.state === 'countdown');
    await world.rollouts.pause(run.runId);
    await world.bonds.keep(counting.hosts[0]?.applyId ?? '');
    const paused = await world.runEnds(run.runId, (r) => r.hosts[0]?.state === 'kept');
    expect(paused.status).toBe('paused');
    expect(world.box.commands(ids[1])).toEqual([]);
    await world.rollouts.resume(run.runId);
    await world.runEnds(run.runId, (r) => r.hosts[1]?.state === 'countdown');
    const aborted = await world.rollouts.abort(run.runId);
    expect(states(aborted)).toEqual(['nas1:kept', 'nas2:countdown', 'nas3:skipped']);
    expect(world.box.commands(ids[2])).toEqual([]);
  });

  it('after a restart the run shows where it stopped; a corrupt run file is kept aside and counted', async () => {
    const world = await makeWorld();
    const ids = await world.hosts(2);
    const run = await world.start(ids, { autoKeep: { canary: false, rest: true } });
    await world.runEnds(run.runId, (r) => r.hosts[0]?.state === 'countdown');
    // The app closes: its record of the run stays as it was.
    await world.rollouts.dispose();
    await writeFile(join(world.runStore.dir, 'run-broken.json'), '{"runId": "run-broken"');
    const again = new RolloutService(world.store, world.sessions, world.bonds, world.events, new FleetRunStore(world.dataDir));
    const { runs, unreadable } = await again.list();
    expect(unreadable).toBe(1);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('interrupted');
    expect(states(runs[0] as FleetRun)).toEqual(['nas1:interrupted', 'nas2:waiting']);
    expect(runs[0]?.hosts[0]?.reason).toMatch(/rolled back on its own/);
    expect((await readdir(world.runStore.dir)).some((n) => n.startsWith('run-broken.json.corrupt-'))).toBe(true);
  });

  it('previews each target: a host without the ports, one that cannot be reached, and a plan for the rest', async () => {
    const world = await makeWorld();
    const [good = ''] = await world.hosts(1);
    const noPorts = await world.readyHost(linuxFacts({ interfaces: linuxFacts().interfaces.filter((i) => i.name !== 'eno3') }), { label: 'small' });
    const gone = await world.addHost({ label: 'gone' });
    world.factsOf.set(gone, linuxFacts());
    const asked = world.rollouts.preview({ spec: FLEET_SPEC, targets: [good, noPorts, gone].map((hostId) => ({ hostId, members: null })), checkinTimeoutSeconds: 60 });
    await vi.waitFor(() => expect(world.connections.some((c) => c.target.id === gone)).toBe(true));
    world.connectionOf(gone).goTo({ state: 'failed', reason: { code: 'ECONNREFUSED', message: 'Connection refused' }, hostKey: null });
    const { hosts } = await asked;
    const byLabel = Object.fromEntries(hosts.map((h) => [h.label, h]));
    expect(byLabel.nas1?.problem).toBeNull();
    expect(byLabel.nas1?.plan?.bondName).toBe('bond0');
    expect(byLabel.nas1?.action).toBe('create');
    expect(byLabel.small?.problem).toBe('This host has no port eno3: pick its ports by hand.');
    expect(byLabel.small?.ports.map((p) => p.name)).toContain('eno4');
    expect(byLabel.gone?.problem).toBe('Could not reach the host: Connection refused');
  });

  it('a host that already has the bond gets an update; one already like the spec has nothing to change', async () => {
    const world = await makeWorld();
    const has = await world.readyHost(withBond(linuxFacts()), { label: 'has-bond' });
    const bond1 = spec({ name: 'bond1', aliases: [{ address: '203.0.113.20', prefix: 24 }] });
    const { hosts } = await world.rollouts.preview({ spec: bond1, targets: [{ hostId: has, members: null }], checkinTimeoutSeconds: 60 });
    expect(hosts[0]?.action).toBe('update');
    expect(hosts[0]?.plan?.action).toBe('update');
    // The spec of bond1 as the box has it (taken from an existing bond, as the wizard offers).
    const same = world.sessions.latestResults().find((r) => r.hostId === has)?.view?.bonds[0]?.spec;
    if (!same) throw new Error('no spec read from bond1');
    const again = await world.rollouts.preview({ spec: same, targets: [{ hostId: has, members: null }], checkinTimeoutSeconds: 60 });
    expect(again.hosts[0]?.problem).toBe('bond1 is already like this on this host; there is nothing to change.');
  });

  it('refuses a second rollout while one is going', async () => {
    const world = await makeWorld();
    const ids = await world.hosts(2);
    const run = await world.start(ids, { autoKeep: { canary: false, rest: true } });
    await world.runEnds(run.runId, (r) => r.hosts[0]?.state === 'countdown');
    expect((await failureOf(() => world.start(ids))).code).toBe('ROLLOUT_IN_PROGRESS');
  });
});
