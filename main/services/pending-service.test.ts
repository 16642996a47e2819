import { afterEach, describe, expect, it } from 'vitest';
import type { HostFacts } from '../../preload/contract';
import { linuxFacts, spec, truenasFacts } from '../../e2e/kit/host-facts';
import { planBondChange } from '../drivers/plan-change';
import type { Plan } from '../plan/plan-types';
import { PendingService } from './pending-service';
import { RecoveryService } from './recovery-service';
import { failureOf, makeServiceWorld, removeDataDirs } from '../../e2e/kit/service-world';

// PendingService over a real SessionService and InflightStore, with a fake box: a change found
// waiting on a host is kept or reverted the way its driver says, for the run the user chose.

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await removeDataDirs();
});

async function makeWorld() {
  const world = await makeServiceWorld();
  const recovery = new RecoveryService(world.store, world.inflight, world.audit, world.events, () => false);
  const pending = new PendingService(world.store, world.sessions, world.inflight, recovery);
  cleanups.push(() => world.sessions.dispose());
  return { ...world, pending };
}


function truenasWithPending(pendingChanges: boolean): HostFacts {
  const facts = truenasFacts('25.04.2.6');
  if (!facts.middleware) throw new Error('truenasFacts has middleware');
  return { ...facts, middleware: { ...facts.middleware, pendingChanges, checkinWaitingSeconds: pendingChanges ? 40 : null } };
}

const RUN_A = 'create-aaaaaaaaaaaa';
const RUN_B = 'update-bbbbbbbbbbbb';

function linuxWithPending(...runIds: string[]): HostFacts {
  return linuxFacts({ pendingRuns: runIds.map((runId, i) => ({ runId, secondsLeft: 30 + i })) });
}

/** A real plan of the ifupdown driver for this run, as BondService keeps it on disk while the box waits. */
function linuxPlan(hostId: string, runId: string): Plan {
  const result = planBondChange({ hostId, facts: linuxFacts(), action: 'create', spec: spec(), options: { runId } });
  if (!result.ok) throw new Error(JSON.stringify(result.fieldErrors));
  return result.plan;
}

describe('PendingService on TrueNAS', () => {
  it('keeps the middleware change with interface.checkin and returns the host as discovered afterwards', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: /^midclt call interface\.checkin$/, reply: { stdout: 'null' } }];
    const id = await world.readyHost(truenasWithPending(true));
    const calls = world.discover.mock.calls.length;
    world.discover.mockResolvedValueOnce(truenasWithPending(true)).mockResolvedValueOnce(truenasWithPending(false));

    const result = await world.pending.resolve(id, 'keep', null);

    expect(world.box.commands(id)).toEqual(['midclt call interface.checkin']);
    expect(world.discover.mock.calls.length).toBe(calls + 2);
    expect(result).toMatchObject({ hostId: id, error: null, facts: { middleware: { pendingChanges: false } } });
  });

  it('reverts the middleware change with interface.rollback', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: /^midclt call interface\.rollback$/, reply: { stdout: 'null' } }];
    const id = await world.readyHost(truenasWithPending(true));

    await world.pending.resolve(id, 'revert', null);

    expect(world.box.commands(id)).toEqual(['midclt call interface.rollback']);
  });

  it('says what the middleware answered when it refuses, with PENDING_RESOLVE_FAILED', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'interface.checkin', reply: { code: 1, stderr: '[EFAULT] No pending interfaces changes' } }];
    const id = await world.readyHost(truenasWithPending(true));

    const failure = await failureOf(() => world.pending.resolve(id, 'keep', null));

    expect(failure.code).toBe('PENDING_RESOLVE_FAILED');
    expect(failure.message).toContain('No pending interfaces changes');
  });

  it('refuses with NOTHING_PENDING when the middleware has nothing pending, or a run id is asked for, and sends nothing', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'midclt', reply: { stdout: 'null' } }];
    const quiet = await world.readyHost(truenasWithPending(false));
    const busy = await world.readyHost(truenasWithPending(true), { label: 'box2', address: 'box2.lan' });

    expect((await failureOf(() => world.pending.resolve(quiet, 'keep', null))).code).toBe('NOTHING_PENDING');
    expect((await failureOf(() => world.pending.resolve(busy, 'keep', RUN_A))).code).toBe('NOTHING_PENDING');
    expect(world.box.log).toEqual([]);
  });
});

describe('PendingService on Linux', () => {
  it('reverts by running the rollback script of the chosen run, and only that run', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo restored', reply: { stdout: 'restored' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A, RUN_B));

    await world.pending.resolve(id, 'revert', RUN_B);

    const commands = world.box.commands(id);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^sh -c /);
    expect(commands[0]).toContain(`rm /run/bondsmith/${RUN_B}/armed`);
    expect(commands[0]).toContain(`/var/lib/bondsmith/rollback/${RUN_B}/restore.sh`);
    expect(commands[0]).not.toContain(RUN_A);
  });

  it('reverts under sudo -n for a non-root admin with "use sudo"', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo restored', reply: { stdout: 'restored' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A), { user: 'admin', useSudo: true });

    await world.pending.resolve(id, 'revert', RUN_A);

    expect(world.box.commands(id)).toEqual([expect.stringMatching(/^sudo -n sh -c /)]);
  });

  it('fails a revert the box did not finish with PENDING_RESOLVE_FAILED', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo restored', reply: { code: 6, stdout: 'bondsmith: this change was already confirmed' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A));

    const failure = await failureOf(() => world.pending.resolve(id, 'revert', RUN_A));

    expect(failure.code).toBe('PENDING_RESOLVE_FAILED');
    expect(failure.message).toContain('already confirmed');
  });

  it('refuses Keep with KEEP_NEEDS_PLAN when this computer has no plan of that run, and runs nothing', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: '', reply: {} }];
    const id = await world.readyHost(linuxWithPending(RUN_A));

    const failure = await failureOf(() => world.pending.resolve(id, 'keep', RUN_A));

    expect(failure.code).toBe('KEEP_NEEDS_PLAN');
    expect(world.box.log).toEqual([]);
  });

  it("keeps by running the stored plan's confirm steps, then forgets the stored plan", async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo confirmed', reply: { stdout: 'confirmed' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A));
    const plan = linuxPlan(id, RUN_A);
    await world.inflight.save({ hostId: id, applyId: 'apply1', plan, deadline: '2025-05-01T10:01:00.000Z' });
    const confirmCommands = plan.steps.filter((s) => s.phase === 'confirm').map((s) => s.command);
    expect(confirmCommands).not.toEqual([]);

    await world.pending.resolve(id, 'keep', RUN_A);

    expect(world.box.commands(id)).toEqual(confirmCommands);
    expect((await world.inflight.get(RUN_A)).kind).toBe('missing');
    expect(await world.inflight.list()).toEqual([]);
  });

  it('keeps the stored plan when the box refuses the confirm, so Keep can be tried again', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo confirmed', reply: { code: 3, stdout: 'bondsmith: the rollback already started' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A));
    await world.inflight.save({ hostId: id, applyId: 'apply1', plan: linuxPlan(id, RUN_A), deadline: null });

    const failure = await failureOf(() => world.pending.resolve(id, 'keep', RUN_A));

    expect(failure.code).toBe('PENDING_RESOLVE_FAILED');
    expect(failure.message).toContain('rollback already started');
    expect(await world.inflight.list()).toEqual([RUN_A]);
  });

  it("fails Keep when the confirm step's answer is not the one its check wants, and keeps the stored plan", async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo confirmed', reply: { code: 0, stdout: 'bondsmith: nothing to confirm' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A));
    await world.inflight.save({ hostId: id, applyId: 'apply1', plan: linuxPlan(id, RUN_A), deadline: null });

    const failure = await failureOf(() => world.pending.resolve(id, 'keep', RUN_A));

    expect(failure.code).toBe('PENDING_RESOLVE_FAILED');
    expect(await world.inflight.list()).toEqual([RUN_A]);
  });

  it('forgets the stored plan of a run it reverted', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: 'echo restored', reply: { stdout: 'restored' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A, RUN_B));
    await world.inflight.save({ hostId: id, applyId: 'apply1', plan: linuxPlan(id, RUN_A), deadline: null });
    await world.inflight.save({ hostId: id, applyId: 'apply2', plan: linuxPlan(id, RUN_B), deadline: null });

    await world.pending.resolve(id, 'revert', RUN_A);

    expect(await world.inflight.list()).toEqual([RUN_B]);
  });

  it('refuses a run id that is not waiting on the host, or none at all, with NOTHING_PENDING', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: '', reply: { stdout: 'restored' } }];
    const id = await world.readyHost(linuxWithPending(RUN_A));

    expect((await failureOf(() => world.pending.resolve(id, 'revert', RUN_B))).code).toBe('NOTHING_PENDING');
    expect((await failureOf(() => world.pending.resolve(id, 'revert', null))).code).toBe('NOTHING_PENDING');
    expect(world.box.log).toEqual([]);
  });
});

describe('PendingService: the session', () => {
  it('refuses a host that is not connected, or still connecting, with NOT_CONNECTED and without discovering', async () => {
    const world = await makeWorld();
    const never = await world.addHost();
    world.factsOf.set(never, linuxWithPending(RUN_A));
    const connecting = await world.addHost({ label: 'box2', address: 'box2.lan' });
    world.factsOf.set(connecting, truenasWithPending(true));
    await world.sessions.connect(connecting);

    expect((await failureOf(() => world.pending.resolve(never, 'revert', RUN_A))).code).toBe('NOT_CONNECTED');
    expect((await failureOf(() => world.pending.resolve(connecting, 'keep', null))).code).toBe('NOT_CONNECTED');
    expect(world.discover).not.toHaveBeenCalled();
    expect(world.box.log).toEqual([]);
  });

  it('refuses with DISCOVERY_FAILED when the host cannot be read now, even though an earlier discovery saw the change', async () => {
    const world = await makeWorld();
    world.box.rules = [{ match: /^midclt call interface\.checkin$/, reply: { stdout: 'null' } }];
    const id = await world.readyHost(truenasWithPending(true));
    await world.sessions.refresh(id);
    world.discover.mockRejectedValueOnce(new Error('socket hang up'));

    const failure = await failureOf(() => world.pending.resolve(id, 'keep', null));

    expect(failure.code).toBe('DISCOVERY_FAILED');
    expect(failure.message).toContain('socket hang up');
    expect(world.box.log).toEqual([]);
  });

  it('refuses with DISCOVERY_FAILED when the host cannot be read at all', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxWithPending(RUN_A));
    world.discover.mockRejectedValueOnce(new Error('socket hang up'));

    const failure = await failureOf(() => world.pending.resolve(id, 'revert', RUN_A));

    expect(failure.code).toBe('DISCOVERY_FAILED');
    expect(world.box.log).toEqual([]);
  });
});
