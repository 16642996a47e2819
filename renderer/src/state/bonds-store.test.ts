import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApplyState, BondSpec, ChannelResponse, EligibleMember, Envelope, PlanView } from '../../../preload/contract';
import { allCalls, answer, callsOn, ok, push, refused, resetFakeApi } from '../../../e2e/kit/fake-api';
import { useBondsStore } from './bonds-store';

// The bond editor's store against a scripted api: each test says what main answers, and pushes the
// events main would send through the listeners the store registered with api.on.

vi.mock('../api/api', async () => (await import('../../../e2e/kit/fake-api')).apiModule);






function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const bondSpec = (over: Partial<BondSpec> = {}): BondSpec => ({
  name: 'bond0',
  description: '',
  protocol: 'LACP',
  xmitHashPolicy: 'LAYER2+3',
  lacpduRate: 'SLOW',
  members: ['eno2', 'eno3'],
  aliases: [{ address: '203.0.113.10', prefix: 24 }],
  dhcp: false,
  mtu: null,
  ...over,
});

const member = (name: string, over: Partial<EligibleMember> = {}): EligibleMember => ({
  name,
  speedMbps: 1000,
  link: 'up',
  carriesAddresses: [],
  carriesManagement: false,
  eligible: true,
  reason: null,
  ...over,
});

const planView = (over: Partial<PlanView> = {}): PlanView => ({
  planId: 'plan1',
  hostId: 'h1',
  driver: 'linux-ifupdown',
  driverLabel: 'ifupdown + iproute2',
  action: 'create',
  bondName: 'bond0',
  steps: [{ id: 'arm', title: 'Arm the automatic rollback (60 s)', kind: 'remote-command', command: 'sh -c arm', detail: null, phase: 'arm' }],
  impact: { addressesRemoved: [], managementAffected: false, managementMigration: null, gatewayAtRisk: false, membersReconfigured: [] },
  warnings: [],
  checkinTimeoutSeconds: 60,
  ...over,
});

const applyState = (over: Partial<ApplyState> = {}): ApplyState => ({
  applyId: 'apply1',
  hostId: 'h1',
  planId: 'plan1',
  bondName: 'bond0',
  action: 'create',
  phase: 'applying',
  steps: [{ id: 'arm', title: 'Arm the automatic rollback (60 s)', status: 'pending', detail: null }],
  deadline: null,
  checks: [],
  autoKeep: false,
  result: null,
  message: '',
  error: null,
  ...over,
});

const pristine = useBondsStore.getState();

beforeEach(() => {
  resetFakeApi();
  useBondsStore.setState(pristine, true);
});

async function startedStore(applies: ApplyState[] = []): Promise<() => void> {
  answer('bonds.applies', () => ok({ applies }));
  return useBondsStore.getState().init();
}

/** The editor open on h1 for a new bond, with candidates loaded. */
async function editing(editingExisting = false): Promise<void> {
  answer('bonds.eligible', () => ok({ members: [member('eno2'), member('eno3')] }));
  await useBondsStore.getState().open('h1', bondSpec({ name: editingExisting ? 'bond1' : 'bond0' }), editingExisting);
}

/** The editor showing plan1 for bond0 on h1. */
async function showingPlan(): Promise<void> {
  await editing();
  answer('bonds.plan', () => ok({ plan: planView(), fieldErrors: [] }));
  await useBondsStore.getState().planSave(bondSpec());
}

describe('bonds store: opening the editor', () => {
  it('opens on the spec and loads the candidate members of a new bond', async () => {
    const members = [member('eno1', { carriesManagement: true, carriesAddresses: ['192.0.2.10/24'] }), member('veth0', { eligible: false, reason: 'virtual' })];
    answer('bonds.eligible', () => ok({ members }));

    await useBondsStore.getState().open('h1', bondSpec(), false);

    expect(callsOn('bonds.eligible')).toEqual([{ hostId: 'h1', bondName: null }]);
    expect(useBondsStore.getState().stage).toEqual({ kind: 'editing', hostId: 'h1', initial: bondSpec(), editing: false });
    expect(useBondsStore.getState().candidates).toEqual(members);
    expect(useBondsStore.getState().formError).toBeNull();
  });

  it("asks for an existing bond's candidates by its name", async () => {
    answer('bonds.eligible', () => ok({ members: [] }));

    await useBondsStore.getState().open('h1', bondSpec({ name: 'bond1' }), true);

    expect(callsOn('bonds.eligible')).toEqual([{ hostId: 'h1', bondName: 'bond1' }]);
  });

  it("drops the previous host's candidates and errors at once, before the new ones arrive", async () => {
    await editing();
    useBondsStore.setState({ fieldErrors: { name: 'taken' }, formError: { code: 'X', message: 'old' } });
    const later = deferred<Envelope<ChannelResponse<'bonds.eligible'>>>();
    answer('bonds.eligible', () => later.promise);

    const opening = useBondsStore.getState().open('h2', bondSpec(), false);

    expect(useBondsStore.getState()).toMatchObject({ candidates: [], fieldErrors: {}, formError: null, stage: { kind: 'editing', hostId: 'h2' } });
    later.resolve(ok({ members: [member('eth0')] }));
    await opening;
    expect(useBondsStore.getState().candidates.map((m) => m.name)).toEqual(['eth0']);
  });

  it('shows why the candidates could not be loaded as the form error', async () => {
    const error = { code: 'NOT_CONNECTED', message: 'Connect to the host first.' };
    answer('bonds.eligible', () => refused(error));

    await useBondsStore.getState().open('h1', bondSpec(), false);

    expect(useBondsStore.getState().formError).toEqual(error);
    expect(useBondsStore.getState().candidates).toEqual([]);
  });
});

describe('bonds store: saving the editor', () => {
  it('asks for a create plan with the chosen check-in timeout', async () => {
    await editing();
    useBondsStore.getState().setTimeoutSeconds(120);
    answer('bonds.plan', () => ok({ plan: planView(), fieldErrors: [] }));

    await useBondsStore.getState().planSave(bondSpec({ mtu: 9000 }));

    expect(callsOn('bonds.plan')).toEqual([{ hostId: 'h1', action: 'create', spec: bondSpec({ mtu: 9000 }), bondName: null, checkinTimeoutSeconds: 120 }]);
  });

  it('asks for an update plan of the bond being edited', async () => {
    await editing(true);
    answer('bonds.plan', () => ok({ plan: planView({ action: 'update', bondName: 'bond1' }), fieldErrors: [] }));

    await useBondsStore.getState().planSave(bondSpec({ name: 'bond1', members: ['eno2'] }));

    expect(callsOn('bonds.plan')).toEqual([expect.objectContaining({ action: 'update', bondName: 'bond1' })]);
    expect(useBondsStore.getState().stage).toMatchObject({ kind: 'plan', editing: true });
  });

  it('maps field errors to their fields (first message wins) and host-level ones into the form error', async () => {
    await editing();
    answer('bonds.plan', () =>
      ok({
        plan: null,
        fieldErrors: [
          { field: 'members.1', message: 'eno9 does not exist on this host' },
          { field: 'members.1', message: 'a second complaint' },
          { field: 'name', message: 'bond0 already exists on this host' },
          { field: 'host', message: 'The box has unsaved changes.' },
          { field: '', message: 'Save them first.' },
        ],
      }),
    );

    await useBondsStore.getState().planSave(bondSpec());

    const state = useBondsStore.getState();
    expect(state.fieldErrors).toEqual({ 'members.1': 'eno9 does not exist on this host', name: 'bond0 already exists on this host' });
    expect(state.formError).toEqual({ code: 'HOST_CONFLICT', message: 'The box has unsaved changes. Save them first.' });
    expect(state.stage.kind).toBe('editing');
    expect(state.busy).toBe(false);
  });

  it('has no form error when every error belongs to a field', async () => {
    await editing();
    answer('bonds.plan', () => ok({ plan: null, fieldErrors: [{ field: 'aliases.0.prefix', message: 'Prefix is 0 to 32' }] }));

    await useBondsStore.getState().planSave(bondSpec());

    expect(useBondsStore.getState().fieldErrors).toEqual({ 'aliases.0.prefix': 'Prefix is 0 to 32' });
    expect(useBondsStore.getState().formError).toBeNull();
  });

  it('puts a refusal of main on its field, and into the form error', async () => {
    await editing();
    const error = { code: 'INVALID_REQUEST', message: 'Check-in timeout is at most 300 s', field: 'checkinTimeoutSeconds' };
    answer('bonds.plan', () => refused(error));

    await useBondsStore.getState().planSave(bondSpec());

    expect(useBondsStore.getState().fieldErrors).toEqual({ checkinTimeoutSeconds: 'Check-in timeout is at most 300 s' });
    expect(useBondsStore.getState().formError).toEqual(error);
    expect(useBondsStore.getState().stage.kind).toBe('editing');
  });

  it('is busy while main plans', async () => {
    await editing();
    const later = deferred<Envelope<ChannelResponse<'bonds.plan'>>>();
    answer('bonds.plan', () => later.promise);

    const saving = useBondsStore.getState().planSave(bondSpec());
    expect(useBondsStore.getState().busy).toBe(true);
    later.resolve(ok({ plan: planView(), fieldErrors: [] }));
    await saving;

    expect(useBondsStore.getState().busy).toBe(false);
  });

  it('moves to the plan stage with the plan and the spec, clearing earlier field errors', async () => {
    await editing();
    useBondsStore.setState({ fieldErrors: { name: 'old error' } });
    answer('bonds.plan', () => ok({ plan: planView(), fieldErrors: [] }));

    await useBondsStore.getState().planSave(bondSpec());

    expect(useBondsStore.getState().stage).toEqual({ kind: 'plan', hostId: 'h1', plan: planView(), spec: bondSpec(), editing: false });
    expect(useBondsStore.getState().fieldErrors).toEqual({});
    expect(useBondsStore.getState().formError).toBeNull();
  });

  it('does nothing when the editor is not open', async () => {
    await useBondsStore.getState().planSave(bondSpec());

    expect(allCalls()).toEqual([]);
    expect(useBondsStore.getState().stage).toEqual({ kind: 'closed' });
  });

  it('plans a delete the user confirmed, with no spec', async () => {
    useBondsStore.getState().askDelete('h1', 'bond1');
    answer('bonds.plan', () => ok({ plan: planView({ action: 'delete', bondName: 'bond1' }), fieldErrors: [] }));

    await useBondsStore.getState().planDelete();

    expect(callsOn('bonds.plan')).toEqual([{ hostId: 'h1', action: 'delete', spec: null, bondName: 'bond1', checkinTimeoutSeconds: 60 }]);
    expect(useBondsStore.getState().stage).toMatchObject({ kind: 'plan', spec: null, editing: true, plan: { action: 'delete' } });
  });
});

describe('bonds store: applying', () => {
  it('applies the plan shown, moves to applying, and follows apply.state events', async () => {
    const stop = await startedStore();
    await showingPlan();
    answer('bonds.apply', () => ok(applyState()));

    await useBondsStore.getState().apply(true);

    expect(callsOn('bonds.apply')).toEqual([{ planId: 'plan1', autoKeep: true }]);
    expect(useBondsStore.getState().stage).toMatchObject({ kind: 'applying', hostId: 'h1', applyId: 'apply1', editing: false });
    expect(useBondsStore.getState().applies).toEqual({ apply1: applyState() });

    const waiting = applyState({ phase: 'awaiting-confirmation', deadline: '2025-05-01T10:01:00.000Z' });
    push('apply.state', waiting);
    push('apply.state', applyState({ applyId: 'apply2', hostId: 'h2' }));

    expect(useBondsStore.getState().applies).toEqual({ apply1: waiting, apply2: applyState({ applyId: 'apply2', hostId: 'h2' }) });
    stop();
  });

  it('stays on the plan with the form error when main refuses the apply', async () => {
    await showingPlan();
    const error = { code: 'APPLY_IN_PROGRESS', message: 'A change is already being applied to this host.' };
    answer('bonds.apply', () => refused(error));

    await useBondsStore.getState().apply(false);

    expect(useBondsStore.getState().stage.kind).toBe('plan');
    expect(useBondsStore.getState().formError).toEqual(error);
    expect(useBondsStore.getState().applies).toEqual({});
    expect(useBondsStore.getState().busy).toBe(false);
  });

  it('does not apply when no plan is shown', async () => {
    await editing();

    await useBondsStore.getState().apply(false);

    expect(callsOn('bonds.apply')).toEqual([]);
  });

  it('takes in the applies main already has on start, and stores what Keep and Revert answer', async () => {
    const stop = await startedStore([applyState({ phase: 'awaiting-confirmation' }), applyState({ applyId: 'apply2', phase: 'awaiting-confirmation' })]);
    expect(Object.keys(useBondsStore.getState().applies)).toEqual(['apply1', 'apply2']);
    answer('bonds.keep', ({ applyId }) => ok(applyState({ applyId, phase: 'finished', result: 'confirmed' })));
    answer('bonds.revert', ({ applyId }) => ok(applyState({ applyId, phase: 'finished', result: 'reverted' })));

    await useBondsStore.getState().keep('apply1');
    await useBondsStore.getState().revert('apply2');

    expect(useBondsStore.getState().applies.apply1?.result).toBe('confirmed');
    expect(useBondsStore.getState().applies.apply2?.result).toBe('reverted');
    stop();
  });

  it('shows a refused script download as the form error', async () => {
    await showingPlan();
    const error = { code: 'PLAN_EXPIRED', message: 'That plan is no longer available; save the editor again to make a new one.' };
    answer('bonds.planScript', () => refused(error));

    await useBondsStore.getState().saveScript();

    expect(callsOn('bonds.planScript')).toEqual([{ planId: 'plan1' }]);
    expect(useBondsStore.getState().formError).toEqual(error);
  });
});

describe("bonds store: Bondsmith's own problems", () => {
  it('collects app.problem events once per message, and dismisses one at a time', async () => {
    const stop = await startedStore();
    const audit = { hostId: 'h1', message: 'This change was not written to the audit log (EISDIR).' };
    const saved = { hostId: 'h1', message: 'The plan of this change could not be kept on disk (ENOSPC).' };

    push('app.problem', audit);
    push('app.problem', saved);
    push('app.problem', { ...audit });

    expect(useBondsStore.getState().problems).toEqual([saved, audit]);
    useBondsStore.getState().dismissProblem(useBondsStore.getState().problems[0] ?? saved);
    expect(useBondsStore.getState().problems).toEqual([audit]);
    stop();
  });

  it('collects change.recovered notices as they come, and dismisses one at a time', async () => {
    const stop = await startedStore();
    const rolledBack = { hostId: 'h1', action: 'create' as const, bondName: 'bond0', result: 'rolled-back' as const, message: 'Rolled back on the box: …', startedAt: null };
    const kept = { ...rolledBack, hostId: 'h2', result: 'kept-unconfirmed' as const, message: 'Kept without confirmation: …' };

    push('change.recovered', rolledBack);
    push('change.recovered', kept);

    expect(useBondsStore.getState().recovered).toEqual([rolledBack, kept]);
    useBondsStore.getState().dismissRecovered(useBondsStore.getState().recovered[0] ?? rolledBack);
    expect(useBondsStore.getState().recovered).toEqual([kept]);
    stop();
  });

  it('keeps the 20 latest problems', async () => {
    const stop = await startedStore();

    for (let i = 0; i < 25; i++) push('app.problem', { hostId: null, message: `problem ${i}` });

    const messages = useBondsStore.getState().problems.map((p) => p.message);
    expect(messages).toHaveLength(20);
    expect(messages[0]).toBe('problem 5');
    expect(messages.at(-1)).toBe('problem 24');
    stop();
  });

  it('stops listening when the function init returned is called', async () => {
    const stop = await startedStore();

    stop();
    push('app.problem', { hostId: null, message: 'too late' });
    push('apply.state', applyState());

    expect(useBondsStore.getState().problems).toEqual([]);
    expect(useBondsStore.getState().applies).toEqual({});
  });
});

describe('bonds store: closing', () => {
  it('closes the editor and forgets its errors', async () => {
    await editing();
    answer('bonds.plan', () => ok({ plan: null, fieldErrors: [{ field: 'name', message: 'taken' }, { field: 'host', message: 'busy' }] }));
    await useBondsStore.getState().planSave(bondSpec());
    expect(useBondsStore.getState().formError).not.toBeNull();

    useBondsStore.getState().close();

    expect(useBondsStore.getState()).toMatchObject({ stage: { kind: 'closed' }, fieldErrors: {}, formError: null });
  });

  it('closing a plan does not forget the applies the store follows', async () => {
    const stop = await startedStore([applyState()]);
    await showingPlan();

    useBondsStore.getState().close();

    expect(useBondsStore.getState().stage).toEqual({ kind: 'closed' });
    expect(useBondsStore.getState().applies).toEqual({ apply1: applyState() });
    stop();
  });
});

describe('bonds store: ports reset, refusals and a change the box kept on its own', () => {
  it('sends the resets the user ticked, for ports that are still members', async () => {
    await editing();
    useBondsStore.getState().setReset('eno3', true);
    useBondsStore.getState().setReset('eno4', true);
    answer('bonds.plan', () => ok({ plan: planView(), fieldErrors: [] }));
    await useBondsStore.getState().planSave(bondSpec());
    expect(callsOn('bonds.plan')).toEqual([{ hostId: 'h1', action: 'create', spec: bondSpec(), bondName: null, checkinTimeoutSeconds: 60, resetNicConfig: ['eno3'] }]);
  });

  it('goes back from a refused apply to the editor with the refusal next to its field', async () => {
    await startedStore();
    await showingPlan();
    answer('bonds.apply', () => ok(applyState()));
    await useBondsStore.getState().apply(false);
    push('apply.state', applyState({ phase: 'finished', result: 'failed', fieldErrors: [{ field: 'members.0', message: 'Interface eno2 is currently in use' }] }));
    answer('bonds.eligible', () => ok({ members: [member('eno2'), member('eno3')] }));
    useBondsStore.getState().fixInEditor('apply1');
    await vi.waitFor(() => expect(useBondsStore.getState().fieldErrors).toEqual({ 'members.0': 'Interface eno2 is currently in use' }));
    expect(useBondsStore.getState().stage).toEqual({ kind: 'editing', hostId: 'h1', initial: bondSpec(), editing: false });
  });

  it('plans taking back a change the box kept without confirmation', async () => {
    await startedStore();
    await showingPlan();
    answer('bonds.apply', () => ok(applyState()));
    await useBondsStore.getState().apply(false);
    answer('bonds.planUndo', () => ok({ plan: planView({ planId: 'plan2', action: 'delete' }), fieldErrors: [] }));
    await useBondsStore.getState().planUndo('apply1');
    expect(callsOn('bonds.planUndo')).toEqual([{ applyId: 'apply1', checkinTimeoutSeconds: 60 }]);
    expect(useBondsStore.getState().stage).toMatchObject({ kind: 'plan', plan: { planId: 'plan2', action: 'delete' } });
  });
});
