import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostFacts } from '../../preload/contract';
import { linuxFacts, spec, truenasFacts, withBond } from '../../e2e/kit/host-facts';
import { makeServiceWorld, removeDataDirs } from '../../e2e/kit/service-world';
import { planBondChange } from '../drivers/plan-change';
import { PendingService } from './pending-service';
import { RecoveryService } from './recovery-service';

// RecoveryService over a real SessionService, audit log and in-flight store, with a fake box: a
// change whose app was gone before it ended is recorded from what the box says on the next
// discovery, once, and its saved plan retired.

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await removeDataDirs();
});

const RUN = 'create-rrrrrrrrrrrr';

async function makeWorld(appliedHere: (runId: string) => boolean = () => false) {
  const world = await makeServiceWorld();
  const recovery = new RecoveryService(world.store, world.inflight, world.audit, world.events, appliedHere);
  cleanups.push(recovery.start(), () => world.sessions.dispose());
  const pending = new PendingService(world.store, world.sessions, world.inflight, recovery);
  /** The change the killed app left: bond1 over eno2+eno3 as withBond() has it, planned on `before`. */
  const leaveRecord = async (hostId: string, before: HostFacts, runId = RUN, fleetRunId?: string): Promise<void> => {
    const planned = planBondChange({ hostId, facts: before, action: 'create', spec: spec({ name: 'bond1', aliases: [{ address: '203.0.113.5', prefix: 24 }] }), options: { runId, allowVirtualMembers: true } });
    if (!planned.ok) throw new Error(JSON.stringify(planned.fieldErrors));
    await world.inflight.save({ hostId, applyId: 'a1', plan: planned.plan, deadline: null, stateBefore: before, startedAt: '2026-12-02T10:00:00.000Z', ...(fleetRunId === undefined ? {} : { fleetRunId }) });
  };
  /** A discovery, and everything RecoveryService does on it. */
  const discoverNow = async (hostId: string): Promise<void> => {
    const result = await world.sessions.refresh(hostId);
    await recovery.reconcile(result);
  };
  return { ...world, recovery, pending, leaveRecord, discoverNow };
}

describe('RecoveryService', () => {
  it('records a change the box rolled back while the app was gone, tells once, and retires its plan', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    await world.leaveRecord(id, linuxFacts());

    await world.discoverNow(id);
    await world.discoverNow(id);

    const { entries } = await world.audit.read(id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ hostId: id, hostLabel: 'box1', action: 'create', bondName: 'bond1', result: 'rolled-back', recordedBy: 'recovered', startedAt: '2026-12-02T10:00:00.000Z', stateAfter: { hostname: linuxFacts().hostname } });
    expect(entries[0]?.message).toMatch(/^Rolled back on the box: /);
    expect((entries[0]?.plan as { runId: string }).runId).toBe(RUN);
    expect(entries[0]?.stateBefore).toMatchObject({ hostname: linuxFacts().hostname });
    expect(await world.inflight.list()).toEqual([]);
    expect(world.heardOf('change.recovered')).toEqual([
      { hostId: id, action: 'create', bondName: 'bond1', result: 'rolled-back', message: entries[0]?.message, startedAt: '2026-12-02T10:00:00.000Z' },
    ]);
  });

  it('records a change the box kept without confirmation when the planned bond is there', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(withBond(truenasFacts('25.04.2.6')));
    await world.leaveRecord(id, truenasFacts('25.04.2.6'));

    await world.discoverNow(id);

    const { entries } = await world.audit.read(id);
    expect(entries.map((e) => [e.result, e.recordedBy])).toEqual([['kept-unconfirmed', 'recovered']]);
    expect(world.heardOf('change.recovered')).toMatchObject([{ result: 'kept-unconfirmed', bondName: 'bond1' }]);
    expect(await world.inflight.list()).toEqual([]);
  });

  it('keeps the fleet rollout tag of a change recorded after a restart, so the run filter still finds it', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    await world.leaveRecord(id, linuxFacts(), RUN, 'run-fleet1');

    await world.discoverNow(id);

    const { entries } = await world.audit.read(id);
    expect(entries.map((e) => [e.result, e.recordedBy, e.runId])).toEqual([['rolled-back', 'recovered', 'run-fleet1']]);
  });

  it('leaves a change the box still holds armed to the Keep/Revert banner', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts({ pendingRuns: [{ runId: RUN, secondsLeft: 30 }] }));
    await world.leaveRecord(id, linuxFacts());

    await world.discoverNow(id);

    expect((await world.audit.read(id)).entries).toEqual([]);
    expect(await world.inflight.list()).toEqual([RUN]);
    expect(world.heardOf('change.recovered')).toEqual([]);
  });

  it('leaves a change this app run applied to the apply that sees it end', async () => {
    const world = await makeWorld((runId) => runId === RUN);
    const id = await world.readyHost(linuxFacts());
    await world.leaveRecord(id, linuxFacts());

    await world.discoverNow(id);

    expect((await world.audit.read(id)).entries).toEqual([]);
    expect(await world.inflight.list()).toEqual([RUN]);
  });

  it('records only the discovered host\'s changes, and nothing from a failed discovery', async () => {
    const world = await makeWorld();
    const one = await world.readyHost(linuxFacts());
    const two = await world.readyHost(linuxFacts(), { label: 'box2', address: 'box2.lan' });
    await world.leaveRecord(two, linuxFacts());

    await world.discoverNow(one);
    world.discover.mockRejectedValueOnce(new Error('the box did not answer'));
    await world.discoverNow(two);

    expect((await world.audit.read(null)).entries).toEqual([]);
    expect(await world.inflight.list()).toEqual([RUN]);
    await world.discoverNow(two);
    expect((await world.audit.read(two)).entries.map((e) => e.result)).toEqual(['rolled-back']);
  });

  it('sets aside a damaged or hostile record, says so, and carries on with the good ones', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    await world.leaveRecord(id, linuxFacts());
    await mkdir(join(world.dataDir, 'inflight'), { recursive: true });
    await writeFile(join(world.dataDir, 'inflight', 'create-evil.json'), JSON.stringify({ hostId: id, applyId: 'a2', plan: { runId: 'create-evil', steps: [{ command: 'rm -rf /' }] }, deadline: null }));
    await writeFile(join(world.dataDir, 'inflight', 'create-torn.json'), '{"hostId":');

    await world.discoverNow(id);

    expect((await world.audit.read(id)).entries.map((e) => e.result)).toEqual(['rolled-back']);
    expect(await world.inflight.list()).toEqual([]);
    const problems = world.heardOf('app.problem').map((p) => p.message);
    expect(problems).toHaveLength(2);
    expect(problems.find((m) => m.includes('create-evil'))).toMatch(/does not match the saved-plan format .*kept aside as .*create-evil\.json\.corrupt-/);
    expect(problems.find((m) => m.includes('create-torn'))).toMatch(/it is not valid JSON/);
    expect(world.box.log).toEqual([]);
  });

  it('Keep from the pending banner writes the decision (pending-resolved) instead of a guess from the box', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: /^midclt call interface\.checkin$/, reply: { stdout: 'null' } }];
    const armed = truenasFacts('25.04.2.6');
    if (!armed.middleware) throw new Error('truenasFacts has middleware');
    const waiting = withBond({ ...armed, middleware: { ...armed.middleware, pendingChanges: true, checkinWaitingSeconds: 40 } });
    const id = await world.readyHost(waiting);
    await world.leaveRecord(id, truenasFacts('25.04.2.6'));
    world.discover.mockResolvedValueOnce(waiting).mockResolvedValueOnce(withBond(armed));

    await world.pending.resolve(id, 'keep', null);
    await world.discoverNow(id);

    const { entries } = await world.audit.read(id);
    expect(entries.map((e) => [e.result, e.recordedBy])).toEqual([['confirmed', 'pending-resolved']]);
    expect(entries[0]?.stateAfter).toMatchObject({ middleware: { pendingChanges: false } });
    expect(world.heardOf('change.recovered')).toEqual([]);
    expect(await world.inflight.list()).toEqual([]);
  });
});
