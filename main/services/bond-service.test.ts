import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { channels, type ApplyState, type ChannelRequest, type HostFacts } from '../../preload/contract';
import { linuxFacts, nic, spec, truenasFacts, withBond } from '../../e2e/kit/host-facts';
import { BondService } from './bond-service';
import { failureOf, makeServiceWorld, removeDataDirs } from '../../e2e/kit/service-world';
import { KERNEL_OK, linuxBox } from '../../e2e/kit/linux-box';

// BondService over a real SessionService, real stores in a temp directory and a fake box that
// answers the commands the real plans send (matched by substring). Waits are on events and on
// conditions of the data directory, never on a clock.

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await removeDataDirs();
});

async function makeWorld(options: { allowVirtualMembers?: boolean } = {}) {
  const world = await makeServiceWorld();
  world.box.rules = linuxBox();
  const bonds = new BondService(world.store, world.sessions, world.audit, world.events, world.inflight, options.allowVirtualMembers ?? false);
  cleanups.push(() => world.sessions.dispose(), () => bonds.dispose());
  const planFor = async (hostId: string, over: Partial<ChannelRequest<'bonds.plan'>> = {}) => {
    const result = await bonds.plan(planRequest(hostId, over));
    if (!result.plan) throw new Error(`expected a plan, got ${JSON.stringify(result.fieldErrors)}`);
    return result.plan;
  };
  const phaseOf = (applyId: string, phase: ApplyState['phase']): Promise<ApplyState> => world.nextEvent('apply.state', (s) => s.applyId === applyId && s.phase === phase);
  /** Plan bond0 on a healthy Linux box, apply it and wait until it waits for Keep or Revert (and, unless told not to, its plan is on disk). */
  const appliedAndWaiting = async (hostId: string, options: { planOnDisk?: boolean } = {}): Promise<ApplyState> => {
    const plan = await planFor(hostId);
    const started = await bonds.apply(plan.planId, false);
    const waiting = await phaseOf(started.applyId, 'awaiting-confirmation');
    const runId = runIdIn(plan.steps.map((s) => s.command));
    if (options.planOnDisk ?? true) await vi.waitFor(async () => expect(await world.inflight.list()).toContain(runId));
    return waiting;
  };
  /** Wait until the audit log holds these results for the host, in order, newest first (the apply's last write). */
  const audited = (hostId: string, results: string[]): Promise<void> =>
    vi.waitFor(async () => expect((await world.audit.read(hostId)).entries.map((e) => e.result)).toEqual(results));
  return { ...world, bonds, planFor, phaseOf, appliedAndWaiting, audited };
}

function planRequest(hostId: string, over: Partial<ChannelRequest<'bonds.plan'>> = {}): ChannelRequest<'bonds.plan'> {
  return { hostId, action: 'create', spec: spec(), bondName: null, checkinTimeoutSeconds: 60, ...over };
}


function runIdIn(commands: readonly string[]): string {
  for (const c of commands) {
    const m = /\/run\/bondsmith\/([A-Za-z0-9_-]+)\/armed/.exec(c);
    if (m?.[1]) return m[1];
  }
  throw new Error('no command named a run directory');
}

const TRUENAS_VERSION = '25.04.2.6';

describe('BondService.plan', () => {
  it('returns the field errors of a spec the Linux host cannot take, and no plan', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(withBond(linuxFacts()));

    const result = await world.bonds.plan(planRequest(id, { spec: spec({ name: 'bond1', members: ['eno2', 'eno9'] }) }));

    expect(result.plan).toBeNull();
    expect(result.fieldErrors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: expect.stringContaining('bond1 already exists') as unknown },
        { field: 'members.1', message: expect.stringContaining('eno9 does not exist') as unknown },
      ]),
    );
    // Planning only read the ifupdown files; nothing was run on the box.
    expect(world.box.commands(id)).toEqual([expect.stringContaining('#BSFILE-')]);
  });

  it('returns the field errors of a spec the TrueNAS host cannot take, and a host-level error while the middleware has unsaved changes', async () => {
    const world = await makeWorld();
    const facts = truenasFacts(TRUENAS_VERSION);
    const id = await world.readyHost(facts);

    const bad = await world.bonds.plan(planRequest(id, { spec: spec({ members: ['eno7'] }) }));
    expect(bad).toEqual({ plan: null, fieldErrors: [{ field: 'members.0', message: expect.stringContaining('eno7 does not exist') as unknown }] });

    const middleware = facts.middleware;
    if (!middleware) throw new Error('truenasFacts has middleware');
    world.factsOf.set(id, { ...facts, middleware: { ...middleware, pendingChanges: true } });
    const conflict = await world.bonds.plan(planRequest(id));
    expect(conflict.plan).toBeNull();
    expect(conflict.fieldErrors).toEqual([{ field: 'host', message: expect.stringContaining('not saved yet') as unknown }]);
    expect(world.box.commands(id)).toEqual([]);
  });

  it('refuses a check-in timeout outside 10..300 s as a field error', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());

    const result = await world.bonds.plan(planRequest(id, { checkinTimeoutSeconds: 5 }));

    expect(result).toEqual({ plan: null, fieldErrors: [{ field: 'checkinTimeoutSeconds', message: expect.stringContaining('10 and 300') as unknown }] });
  });

  it('plans a Linux change from freshly discovered facts and shows it with the ifupdown driver label', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const callsBefore = world.discover.mock.calls.length;

    const result = await world.bonds.plan(planRequest(id, { checkinTimeoutSeconds: 90 }));

    expect(world.discover.mock.calls.length).toBe(callsBefore + 1);
    expect(result.fieldErrors).toEqual([]);
    expect(result.plan).toMatchObject({ hostId: id, driver: 'linux-ifupdown', driverLabel: 'ifupdown + iproute2', action: 'create', bondName: 'bond0', checkinTimeoutSeconds: 90 });
    expect(result.plan?.steps.map((s) => s.id)).toEqual(['prepare', 'arm', 'apply', 'wait-apply', 'read-state', 'confirm', 'rollback']);
    expect(result.plan?.steps.find((s) => s.id === 'arm')?.title).toContain('90 s');
    // What main sends the renderer fits the contract.
    expect(() => channels['bonds.plan'].response.parse(result)).not.toThrow();
    expect(world.box.commands(id)).toEqual([expect.stringContaining('#BSFILE-')]);
  });

  it('plans a TrueNAS change with the middleware driver label, without running anything on the box', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(truenasFacts(TRUENAS_VERSION));

    const result = await world.bonds.plan(planRequest(id));

    expect(result.fieldErrors).toEqual([]);
    expect(result.plan).toMatchObject({ hostId: id, driver: 'truenas', driverLabel: 'TrueNAS middleware (midclt)', action: 'create', bondName: 'bond0' });
    expect(result.plan?.steps.find((s) => s.id === 'create-bond')?.command).toContain('midclt call interface.create');
    expect(() => channels['bonds.plan'].response.parse(result)).not.toThrow();
    expect(world.box.commands(id)).toEqual([]);
  });

  it('passes the ports the user agreed to reset to the TrueNAS planner', async () => {
    const world = await makeWorld();
    const facts = truenasFacts(TRUENAS_VERSION);
    const middleware = facts.middleware;
    if (!middleware) throw new Error('truenasFacts has middleware');
    const configured = { ...facts, middleware: { ...middleware, interfaces: middleware.interfaces.map((i) => (i.id === 'eno2' ? { ...i, aliases: ['198.51.100.2/24'] } : i)) } };
    const id = await world.readyHost(configured);

    const refused = await world.bonds.plan(planRequest(id));
    const reset = await world.bonds.plan(planRequest(id, { resetNicConfig: ['eno2'] }));

    expect(refused).toEqual({ plan: null, fieldErrors: [{ field: 'members.0', message: expect.stringContaining('eno2 has its own network configuration') as unknown }] });
    expect(reset.fieldErrors).toEqual([]);
    expect(reset.plan?.steps.find((s) => s.id === 'reset-eno2')?.command).toBe(`midclt call interface.delete '"eno2"'`);
  });

  it('runs every step under sudo -n for a non-root admin with "use sudo", and never for root', async () => {
    const world = await makeWorld();
    const admin = await world.readyHost(linuxFacts(), { user: 'admin', useSudo: true });
    const root = await world.readyHost(linuxFacts(), { label: 'box2', address: 'box2.lan', user: 'root', useSudo: true });

    const adminPlan = await world.planFor(admin);
    const rootPlan = await world.planFor(root);

    expect(adminPlan.steps.every((s) => s.command.startsWith('sudo -n sh -c '))).toBe(true);
    expect(rootPlan.steps.some((s) => s.command.includes('sudo'))).toBe(false);
  });

  it('makes a new run id for every plan', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());

    const first = await world.planFor(id);
    const second = await world.planFor(id);

    expect(first.planId).not.toBe(second.planId);
    const armOf = (p: typeof first): string => p.steps.find((s) => s.id === 'arm')?.command ?? '';
    expect(runIdIn([armOf(first)])).toMatch(/^create-[A-Za-z0-9]+$/);
    expect(runIdIn([armOf(first)])).not.toBe(runIdIn([armOf(second)]));
  });

  it('refuses a host that is not connected, or still connecting, with NOT_CONNECTED and without discovering', async () => {
    const world = await makeWorld();
    const never = await world.addHost();
    world.factsOf.set(never, linuxFacts());
    const connecting = await world.addHost({ label: 'box2', address: 'box2.lan' });
    world.factsOf.set(connecting, linuxFacts());
    await world.sessions.connect(connecting);

    expect((await failureOf(() => world.bonds.plan(planRequest(never)))).code).toBe('NOT_CONNECTED');
    expect((await failureOf(() => world.bonds.plan(planRequest(connecting)))).code).toBe('NOT_CONNECTED');
    expect(world.discover).not.toHaveBeenCalled();
  });

  it('drops plans older than 30 minutes when the next plan is made', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-05-01T10:00:00Z'));
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const old = await world.planFor(id);

    vi.setSystemTime(new Date('2025-05-01T10:31:00Z'));
    const fresh = await world.planFor(id);

    expect((await failureOf(() => world.bonds.planScript(old.planId))).code).toBe('PLAN_EXPIRED');
    expect(world.bonds.planScript(fresh.planId).fileName).toBe('bondsmith-create-bond0.sh');
  });
});

describe('BondService: stale facts and stale plans', () => {
  it('makes no plan when the host cannot be read now, even though an earlier discovery succeeded', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    await world.planFor(id);
    world.discover.mockRejectedValueOnce(new Error('socket hang up'));

    const failure = await failureOf(() => world.bonds.plan(planRequest(id)));

    expect(failure.message).toMatch(/could not read the host's current state.*socket hang up/);
  });

  it('refuses to apply a plan older than 30 minutes, even when no other plan was made since', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-05-01T10:00:00Z'));
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const old = await world.planFor(id);

    vi.setSystemTime(new Date('2025-05-01T10:31:00Z'));

    expect((await failureOf(() => world.bonds.apply(old.planId, false))).code).toBe('PLAN_EXPIRED');
    expect((await failureOf(() => world.bonds.planScript(old.planId))).code).toBe('PLAN_EXPIRED');
  });

  it('records no state after the change when the host cannot be read after it (never the state before twice)', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const waiting = await world.appliedAndWaiting(id);
    world.discover.mockRejectedValue(new Error('socket hang up'));

    await world.bonds.keep(waiting.applyId);
    await world.audited(id, ['confirmed']);

    const [entry] = (await world.audit.read(id)).entries;
    expect(entry?.stateBefore).not.toBeNull();
    expect(entry?.stateAfter).toBeNull();
  });
});

describe('BondService.planScript', () => {
  it('gives the shell script of a plan it made, named after the action and bond', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const plan = await world.planFor(id);

    const { script, fileName } = world.bonds.planScript(plan.planId);

    expect(fileName).toBe('bondsmith-create-bond0.sh');
    expect(script).toContain(plan.steps.find((s) => s.id === 'arm')?.command);
  });

  it('refuses a plan id it does not know with PLAN_EXPIRED', async () => {
    const world = await makeWorld();

    const failure = await failureOf(() => world.bonds.planScript('nosuchplan'));

    expect(failure.code).toBe('PLAN_EXPIRED');
  });
});

describe('BondService.apply on a Linux host', () => {
  it('has the plan on disk before the first command reaches the box, so an app killed at any point leaves it to be recorded', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const plan = await world.planFor(id);
    const runId = runIdIn(plan.steps.map((s) => s.command));
    const prepare = plan.steps.find((s) => s.phase === 'prepare')?.command ?? 'missing prepare';
    let onDiskAtPrepare: boolean | null = null;
    const rules = world.box.rules;
    world.box.rules = [
      {
        match: prepare,
        reply: (command) => {
          onDiskAtPrepare = existsSync(join(world.dataDir, 'inflight', `${runId}.json`));
          const rule = rules.find((r) => (typeof r.match === 'string' ? command.includes(r.match) : r.match.test(command)));
          return rule ? (typeof rule.reply === 'function' ? rule.reply(command) : rule.reply) : {};
        },
      },
      ...rules,
    ];

    const started = await world.bonds.apply(plan.planId, false);
    await world.phaseOf(started.applyId, 'awaiting-confirmation');

    expect(onDiskAtPrepare).toBe(true);
  });

  it('runs the plan to awaiting confirmation, keeps the in-flight plan on disk meanwhile, and on Keep confirms, audits and forgets it', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const plan = await world.planFor(id);

    const started = await world.bonds.apply(plan.planId, false);
    expect(started).toMatchObject({ hostId: id, planId: plan.planId, bondName: 'bond0', action: 'create', result: null, autoKeep: false });
    const waiting = await world.phaseOf(started.applyId, 'awaiting-confirmation');

    expect(waiting.deadline).not.toBeNull();
    expect(waiting.checks.length).toBeGreaterThan(0);
    expect(waiting.checks.every((c) => c.ok)).toBe(true);
    const byId = (stepId: string): string => plan.steps.find((s) => s.id === stepId)?.command ?? `missing ${stepId}`;
    const ran = world.box.log.filter((r) => r.hostId === id).slice(1); // after the plan's file read
    expect(ran.map((r) => r.command)).toEqual(['prepare', 'arm', 'apply', 'wait-apply', 'read-state'].map(byId));
    expect(ran.map((r) => r.via)).toEqual(['session', 'session', 'session', 'fresh', 'fresh']);

    const runId = runIdIn(world.box.commands(id));
    expect(await world.inflight.list()).toEqual([runId]);
    // Saved before the first command, then again with the deadline once the box waits.
    await vi.waitFor(async () =>
      expect(await world.inflight.get(runId)).toMatchObject({ kind: 'found', record: { hostId: id, applyId: started.applyId, deadline: waiting.deadline, plan: { runId, hostId: id, bondName: 'bond0' } } }),
    );
    expect(world.bonds.applies().applies).toEqual([expect.objectContaining({ applyId: started.applyId, phase: 'awaiting-confirmation' })]);

    const kept = await world.bonds.keep(started.applyId);

    expect(kept).toMatchObject({ applyId: started.applyId, phase: 'finished', result: 'confirmed', deadline: null });
    expect(world.box.commands(id).at(-1)).toBe(byId('confirm'));
    await vi.waitFor(async () => expect((await world.audit.read(id)).entries).toHaveLength(1));
    const { entries, unreadable } = await world.audit.read(id);
    expect(unreadable).toBe(0);
    expect(entries[0]).toMatchObject({
      hostId: id,
      hostLabel: 'box1',
      address: 'box1.lan:22',
      remoteUser: 'root',
      action: 'create',
      bondName: 'bond0',
      result: 'confirmed',
      message: kept.message,
      plan: { runId, hostId: id },
      stateBefore: linuxFacts(),
    });
    expect(entries[0]?.steps.find((s) => s.id === 'confirm')?.status).toBe('done');
    expect(await world.inflight.list()).toEqual([]);
    expect(world.heardOf('app.problem')).toEqual([]);
    // The fresh connection the verify used is closed once the change is finished.
    expect(world.connectionOf(id).freshOnes.every((c) => c.closed)).toBe(true);
  });

  it('on Revert runs the rollback over a fresh connection, never the confirm, and records the change as reverted', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const waiting = await world.appliedAndWaiting(id);
    const runId = runIdIn(world.box.commands(id));

    const reverted = await world.bonds.revert(waiting.applyId);

    expect(reverted).toMatchObject({ phase: 'finished', result: 'reverted' });
    expect(reverted.steps.find((s) => s.id === 'rollback')?.status).toBe('done');
    const last = world.box.log.at(-1);
    expect(last?.via).toBe('fresh');
    expect(last?.command).toContain(`rm /run/bondsmith/${runId}/armed`);
    expect(world.box.commands(id).some((c) => c.includes('echo confirmed'))).toBe(false);
    await world.audited(id, ['reverted']);
    expect(await world.inflight.list()).toEqual([]);
  });

  it('with autoKeep confirms on its own once every check passed', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const plan = await world.planFor(id);

    const started = await world.bonds.apply(plan.planId, true);
    const done = await world.phaseOf(started.applyId, 'finished');

    expect(done.result).toBe('confirmed');
    await world.audited(id, ['confirmed']);
    expect(await world.inflight.list()).toEqual([]);
  });

  it('ties the audit entry to the fleet run it was applied for', async () => {
    const world = await makeWorld();
    const single = await world.readyHost(linuxFacts());
    const inRun = await world.readyHost(linuxFacts());
    const one = await world.bonds.apply((await world.planFor(single)).planId, true);
    const two = await world.bonds.apply((await world.planFor(inRun)).planId, true, 'run-r1');
    await Promise.all([world.phaseOf(one.applyId, 'finished'), world.phaseOf(two.applyId, 'finished')]);
    await vi.waitFor(async () => expect((await world.audit.read(null)).entries.map((e) => [e.hostId, e.runId]).sort()).toEqual([[inRun, 'run-r1'], [single, undefined]].sort()));
  });

  it('rolls back when the kernel does not run what the plan asked for, and records it as failed', async () => {
    const world = await makeWorld();
    world.box.rules = linuxBox({ readState: { stdout: KERNEL_OK.replace('Slave Interface: eno3', 'Slave Interface: eno4') } });
    const id = await world.readyHost(linuxFacts());
    const plan = await world.planFor(id);

    const started = await world.bonds.apply(plan.planId, false);
    const done = await world.phaseOf(started.applyId, 'finished');

    expect(done.result).toBe('failed');
    expect(done.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Members', ok: false })]));
    expect(done.steps.find((s) => s.id === 'read-state')?.status).toBe('failed');
    expect(world.box.commands(id).at(-1)).toContain('echo restored');
    expect(world.box.commands(id).some((c) => c.includes('echo confirmed'))).toBe(false);
    await world.audited(id, ['failed']);
  });

  it('refuses a plan id it does not know, and a plan already applied, with PLAN_EXPIRED', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());

    expect((await failureOf(() => world.bonds.apply('nosuchplan', false))).code).toBe('PLAN_EXPIRED');

    const waiting = await world.appliedAndWaiting(id);
    expect((await failureOf(() => world.bonds.apply(waiting.planId, false))).code).toBe('PLAN_EXPIRED');
  });

  it('refuses to plan or apply on a host while a change is being applied there, and lets other hosts go on', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const other = await world.readyHost(linuxFacts(), { label: 'box2', address: 'box2.lan' });
    const second = await world.planFor(id);
    const waiting = await world.appliedAndWaiting(id);
    const commandsBefore = world.box.log.length;

    expect((await failureOf(() => world.bonds.plan(planRequest(id)))).code).toBe('APPLY_IN_PROGRESS');
    expect((await failureOf(() => world.bonds.apply(second.planId, false))).code).toBe('APPLY_IN_PROGRESS');
    expect(world.box.log.length).toBe(commandsBefore);
    expect((await world.bonds.plan(planRequest(other))).plan).not.toBeNull();

    await world.bonds.keep(waiting.applyId);
    await world.audited(id, ['confirmed']);
    expect((await world.bonds.plan(planRequest(id))).plan).not.toBeNull();
  });

  it('refuses with NOT_CONNECTED when the session dropped after planning, and keeps the plan for when it is back', async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const plan = await world.planFor(id);
    const commandsBefore = world.box.log.length;

    world.connectionOf(id).goTo({ state: 'failed', reason: { code: 'UNREACHABLE', message: 'No route to host' }, hostKey: null });
    expect((await failureOf(() => world.bonds.apply(plan.planId, false))).code).toBe('NOT_CONNECTED');
    expect(world.box.log.length).toBe(commandsBefore);

    world.connectionOf(id).goTo({ state: 'ready', reason: null, hostKey: null });
    const started = await world.bonds.apply(plan.planId, false);
    await world.phaseOf(started.applyId, 'awaiting-confirmation');
    await vi.waitFor(async () => expect(await world.inflight.list()).toHaveLength(1));
  });

  it('refuses Keep and Revert of an apply it does not know with NOT_FOUND', async () => {
    const world = await makeWorld();

    expect((await failureOf(() => world.bonds.keep('nosuchapply'))).code).toBe('NOT_FOUND');
    expect((await failureOf(() => world.bonds.revert('nosuchapply'))).code).toBe('NOT_FOUND');
  });
});

describe('BondService: its own files failing during an apply', () => {
  it('says so with an app.problem naming the audit log when the audit log cannot be written', async () => {
    const world = await makeWorld();
    await mkdir(join(world.dataDir, 'audit.jsonl'));
    const id = await world.readyHost(linuxFacts());
    const waiting = await world.appliedAndWaiting(id);

    const kept = await world.bonds.keep(waiting.applyId);
    const problem = await world.nextEvent('app.problem');

    expect(kept.result).toBe('confirmed');
    expect(problem.hostId).toBe(id);
    expect(problem.message).toMatch(/not written to the audit log/);
  });

  it('says so with an app.problem when the in-flight plan cannot be kept on disk, and still lets Keep confirm', async () => {
    const world = await makeWorld();
    await writeFile(join(world.dataDir, 'inflight'), 'not a directory');
    const id = await world.readyHost(linuxFacts());
    const waiting = await world.appliedAndWaiting(id, { planOnDisk: false });

    const problem = await world.nextEvent('app.problem', (p) => p.message.includes('kept on disk'));
    const kept = await world.bonds.keep(waiting.applyId);

    expect(problem.hostId).toBe(id);
    expect(problem.message).toContain('Keep will not be possible');
    expect(kept.result).toBe('confirmed');
    await world.audited(id, ['confirmed']);
  });
});

describe('BondService.eligible', () => {
  const withVeth = (facts: HostFacts): HostFacts => ({ ...facts, interfaces: [...facts.interfaces, nic('veth0', { kind: 'virtual' })] });

  it("lists the host's ports from fresh facts as the driver marks them, refusing virtual ones by default", async () => {
    const world = await makeWorld();
    const id = await world.readyHost(linuxFacts());
    const before = await world.bonds.eligible(id, null);
    world.factsOf.set(id, withVeth(linuxFacts()));

    const { members } = await world.bonds.eligible(id, null);

    expect(before.members.map((m) => m.name)).toEqual(['eno1', 'eno2', 'eno3', 'eno4']);
    expect(members.map((m) => m.name)).toEqual(['eno1', 'eno2', 'eno3', 'eno4', 'veth0']);
    expect(members.find((m) => m.name === 'eno1')).toMatchObject({ eligible: true, carriesManagement: true, carriesAddresses: ['192.0.2.10/24'] });
    expect(members.find((m) => m.name === 'eno4')).toMatchObject({ eligible: true, carriesAddresses: ['198.51.100.4/24'] });
    expect(members.find((m) => m.name === 'veth0')).toMatchObject({ eligible: false, reason: expect.stringContaining('virtual interface') as unknown });
  });

  it('offers virtual ports when the service allows virtual members (the lab)', async () => {
    const world = await makeWorld({ allowVirtualMembers: true });
    const id = await world.readyHost(withVeth(linuxFacts()));

    const { members } = await world.bonds.eligible(id, null);

    expect(members.find((m) => m.name === 'veth0')).toMatchObject({ eligible: true, reason: null });
  });

  it("offers an edited bond's own members and hides the bond itself; other bonds' members are refused", async () => {
    const world = await makeWorld();
    const id = await world.readyHost(withBond(linuxFacts()));

    const editing = await world.bonds.eligible(id, 'bond1');
    const creating = await world.bonds.eligible(id, null);

    expect(editing.members.map((m) => m.name)).not.toContain('bond1');
    expect(editing.members.find((m) => m.name === 'eno2')).toMatchObject({ eligible: true });
    expect(creating.members.find((m) => m.name === 'eno2')).toMatchObject({ eligible: false, reason: expect.stringContaining('already a member of bond bond1') as unknown });
    expect(creating.members.find((m) => m.name === 'bond1')).toMatchObject({ eligible: false });
  });

  it('refuses a host that is not connected with NOT_CONNECTED', async () => {
    const world = await makeWorld();
    const id = await world.addHost();

    expect((await failureOf(() => world.bonds.eligible(id, null))).code).toBe('NOT_CONNECTED');
  });
});
