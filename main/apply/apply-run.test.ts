import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApplyState } from '../../preload/contract';
import type { Plan, PlanStep } from '../plan/plan-types';
import { defaultBondSpec } from '../../preload/contract/bond-spec';
import { verifyKernel } from '../drivers/kernel-verify';
import { ApplyRun, type ApplyIo, type RemoteShell } from './apply-run';

// The orchestrator in isolation: a scripted shell stands in for the box (the lab integration tests
// run the same class against real hosts).

type Answer = { code: number; stdout?: string; stderr?: string } | Error;

function scriptedShell(answers: Record<string, Answer[]>, log: string[]): RemoteShell {
  return {
    exec: (command) => {
      log.push(command);
      const queue = answers[command];
      const next = queue && queue.length > 1 ? queue.shift() : queue?.[0];
      if (!next) return Promise.resolve({ code: 127, signal: null, stdout: '', stderr: `unexpected: ${command}` });
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve({ code: next.code, signal: null, stdout: next.stdout ?? '', stderr: next.stderr ?? '' });
    },
    close: () => Promise.resolve(),
  };
}

const step = (id: string, phase: PlanStep['phase'], over: Partial<PlanStep> = {}): PlanStep => ({
  id,
  title: `step ${id}`,
  kind: 'remote-command',
  command: `cmd-${id}`,
  detail: null,
  phase,
  check: { kind: 'exit-zero' },
  onFailure: 'rollback',
  when: null,
  connection: 'current',
  ...over,
});

const procOk = [
  'Bonding Mode: fault-tolerance (active-backup)',
  'Primary Slave: eno3 (primary_reselect always)',
  'Currently Active Slave: eno3',
  'MII Status: up',
  'MII Polling Interval (ms): 100',
  '',
  'Slave Interface: eno3',
  'MII Status: up',
  '',
  'Slave Interface: eno4',
  'MII Status: up',
  '',
].join('\n');
const ipOk = JSON.stringify([{ ifname: 'bond1', mtu: 1500, addr_info: [{ family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global' }] }]);

function plan(steps: PlanStep[]): Plan {
  return {
    hostId: 'h1',
    runId: 'r1',
    driver: 'linux-ifupdown',
    action: 'create',
    bondName: 'bond1',
    steps,
    impact: { addressesRemoved: [], managementAffected: false, managementMigration: null, gatewayAtRisk: false, servicesRestartedStepId: null, membersReconfigured: [] },
    warnings: [],
    checkinTimeoutSeconds: 60,
    verify: {
      mode: 'present',
      bondName: 'bond1',
      expected: { ...defaultBondSpec('bond1'), protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.10', prefix: 24 }] },
      kernelMode: 'active-backup',
      miimonMs: 100,
      mtu: null,
      reconnectAddress: null,
      releasedMembers: [],
    },
    rollbackScript: null,
  };
}

function io(shell: RemoteShell): ApplyIo {
  let now = 1_000_000;
  return { current: shell, openFresh: () => Promise.resolve(shell), pause: (ms) => ((now += ms), Promise.resolve()), now: () => now };
}

const basicSteps = (): PlanStep[] => [
  step('snap', 'prepare', { onFailure: 'stop' }),
  step('arm', 'arm'),
  step('apply', 'apply'),
  step('verify', 'verify', { check: { kind: 'verify-state' }, connection: 'fresh' }),
  step('persist', 'confirm', { connection: 'fresh' }),
  step('undo', 'rollback'),
];

describe('ApplyRun', () => {
  it('applies, verifies over a fresh connection, waits for Keep, then confirms', async () => {
    const log: string[] = [];
    const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }], 'cmd-persist': [{ code: 0 }] }, log);
    const states: ApplyState[] = [];
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, (s) => states.push(s));
    await run.start();
    expect(run.snapshot().phase).toBe('awaiting-confirmation');
    expect(run.snapshot().deadline).not.toBeNull();
    expect(run.snapshot().checks.every((c) => c.ok)).toBe(true);
    expect(log).toEqual(['cmd-snap', 'cmd-arm', 'cmd-apply', 'cmd-verify']);
    await run.keep();
    expect(run.snapshot()).toMatchObject({ phase: 'finished', result: 'confirmed', deadline: null });
    expect(log.at(-1)).toBe('cmd-persist');
    await run.dispose();
  });

  it('stops without touching anything when a prepare step fails', async () => {
    const log: string[] = [];
    const shell = scriptedShell({ 'cmd-snap': [{ code: 1, stderr: 'disk full' }] }, log);
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
    await run.start();
    expect(run.snapshot()).toMatchObject({ result: 'failed' });
    expect(run.snapshot().steps.find((s) => s.id === 'snap')).toMatchObject({ status: 'failed', detail: 'disk full' });
    expect(log).toEqual(['cmd-snap']);
  });

  it('rolls back when verification finds the bond is not as planned', async () => {
    const log: string[] = [];
    const wrong = procOk.replace('Slave Interface: eno4\nMII Status: up', 'Slave Interface: eno4\nMII Status: down').replace('Primary Slave: eno3', 'Primary Slave: eno4');
    const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${wrong}--bondsmith-ip--\n${ipOk}` }], 'cmd-undo': [{ code: 0 }] }, log);
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, true, () => undefined);
    await run.start();
    expect(run.snapshot().result).toBe('failed');
    expect(run.snapshot().checks.find((c) => c.name === 'Primary')).toMatchObject({ ok: false });
    expect(log.at(-1)).toBe('cmd-undo');
    expect(run.snapshot().message).toContain('previous configuration was restored');
  });

  it('reports an internal failure without the paths of this machine', async () => {
    const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: 'x' }] }, []);
    const broken = (): never => {
      throw new Error("ENOENT: no such file or directory, open '/home/ada/.config/Bondsmith/verify.json'");
    };
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), broken, false, () => undefined);
    await run.start();
    expect(run.snapshot()).toMatchObject({ result: 'failed', message: "Unexpected error: ENOENT: no such file or directory, open '…/verify.json'" });
  });

  it('keeps automatically when asked and every check passes', async () => {
    const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }], 'cmd-persist': [{ code: 0 }] }, []);
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, true, () => undefined);
    await run.start();
    expect(run.snapshot().result).toBe('confirmed');
  });

  it('reverts on request by running the rollback steps', async () => {
    const log: string[] = [];
    const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }], 'cmd-undo': [{ code: 0 }] }, log);
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
    await run.start();
    await run.revert();
    expect(run.snapshot()).toMatchObject({ result: 'reverted', phase: 'finished' });
    expect(log.at(-1)).toBe('cmd-undo');
  });

  it('polls through lost connections until the box answers as expected, honouring when-conditions', async () => {
    const log: string[] = [];
    const steps = [
      step('pending', 'prepare', { check: { kind: 'report' } }),
      step('cancel', 'prepare', { when: { stepId: 'pending', stdoutMatches: '^True$' } }),
      step('arm', 'arm', { check: { kind: 'poll', until: '^[0-9]+$', failIf: null, intervalSeconds: 1, timeoutSeconds: 10 }, connection: 'fresh' }),
    ];
    const shell = scriptedShell({ 'cmd-pending': [{ code: 0, stdout: 'False' }], 'cmd-arm': [new Error('connection lost'), { code: 0, stdout: 'null' }, { code: 0, stdout: '57' }] }, log);
    const run = new ApplyRun(plan(steps), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
    await run.start();
    expect(run.snapshot().steps.find((s) => s.id === 'cancel')?.status).toBe('skipped');
    expect(run.snapshot().steps.find((s) => s.id === 'arm')?.status).toBe('done');
    expect(log.filter((c) => c === 'cmd-arm')).toHaveLength(3);
    expect(run.snapshot().phase).toBe('awaiting-confirmation');
    await run.dispose();
  });

  describe('when nobody confirms before the deadline', () => {
    afterEach(() => vi.useRealTimers());

    it('asks the box (through the rollback steps) and says it rolled back on its own', async () => {
      vi.useFakeTimers();
      const log: string[] = [];
      // The bond is there while the box waits, gone once its rollback ran.
      const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }, { code: 0, stdout: 'absent\n' }], 'cmd-undo': [{ code: 0 }] }, log);
      const states: ApplyState[] = [];
      const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, (s) => states.push(s));
      await run.start();
      expect(run.snapshot().phase).toBe('awaiting-confirmation');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(run.snapshot()).toMatchObject({ phase: 'finished', result: 'rolled-back', deadline: null });
      expect(run.snapshot().message).toMatch(/^Not confirmed within 60 s: the box rolled back to its previous configuration on its own\.$/);
      expect(log.slice(-2)).toEqual(['cmd-undo', 'cmd-verify']);
      expect(states.map((s) => s.phase)).toContain('reverting');
    });

    it('says the box still runs the change when the rollback found nothing to undo (a restart in the window)', async () => {
      vi.useFakeTimers();
      // As a TrueNAS box restarted inside the window: interface.rollback succeeds with no snapshot
      // left, and the bond is still there exactly as planned.
      const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }], 'cmd-undo': [{ code: 0 }] }, []);
      const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
      await run.start();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(run.snapshot()).toMatchObject({ phase: 'finished', result: 'kept-unconfirmed', deadline: null });
      expect(run.snapshot().message).toBe('Not confirmed within 60 s, but the box still runs the change and nothing is armed to roll it back: it rebooted or its network service restarted inside the window, and that kept the change. If you did not want it, plan reverting it: a new safe apply.');
    });

    it('says it could not check when the box stays out of reach', async () => {
      vi.useFakeTimers();
      const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }, new Error('connect ETIMEDOUT')], 'cmd-undo': [new Error('connect ETIMEDOUT')] }, []);
      const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
      await run.start();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(run.snapshot()).toMatchObject({ phase: 'finished', result: 'rolled-back' });
      expect(run.snapshot().message).toContain('could not reach it to check');
    });

    it('stops a verify that cannot reach the box, and nothing changes after it finished', async () => {
      vi.useFakeTimers();
      const log: string[] = [];
      const steps = [...basicSteps()];
      steps[3] = step('verify', 'verify', { check: { kind: 'poll', until: '^0$', failIf: null, intervalSeconds: 1, timeoutSeconds: 600 }, connection: 'fresh' });
      const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 0 }], 'cmd-apply': [{ code: 0 }], 'cmd-verify': [new Error('no route to host')], 'cmd-undo': [{ code: 0 }] }, log);
      const realTime: ApplyIo = { current: shell, openFresh: () => Promise.resolve(shell), pause: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now() };
      const states: ApplyState[] = [];
      const run = new ApplyRun(plan(steps), { applyId: 'a1', planId: 'p1' }, realTime, verifyKernel, false, (s) => states.push(s));
      const started = run.start();
      await vi.advanceTimersByTimeAsync(61_000);
      await started;
      expect(run.snapshot()).toMatchObject({ phase: 'finished', result: 'rolled-back' });
      const afterFinish = states.slice(states.findIndex((s) => s.phase === 'finished') + 1);
      expect(afterFinish).toEqual([]);
      expect(states.some((s) => s.phase === 'awaiting-confirmation')).toBe(false);
      expect(log.filter((c) => c === 'cmd-verify').length).toBeLessThan(70);
    });
  });
});

describe('ApplyRun: a box that stops waiting before anyone confirms', () => {
  afterEach(() => vi.useRealTimers());
  const probed = (p: Plan): Plan => ({ ...p, armedProbe: { command: 'cmd-armed', armedPattern: '^[0-9]+$' } });
  const okAnswers = (armed: Answer[]): Record<string, Answer[]> => ({
    'cmd-snap': [{ code: 0 }],
    'cmd-arm': [{ code: 0 }],
    'cmd-apply': [{ code: 0 }],
    'cmd-verify': [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }],
    'cmd-persist': [{ code: 0 }],
    'cmd-undo': [{ code: 0 }],
    'cmd-armed': armed,
  });

  it('notices while the countdown runs that the rollback timer is gone, reads the bond again and says the box kept it', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    // Armed at the first question; then the middleware restarted: no timer, the change stays.
    const shell = scriptedShell(okAnswers([{ code: 0, stdout: '52' }, { code: 0, stdout: 'null' }]), log);
    const run = new ApplyRun(probed(plan(basicSteps())), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
    await run.start();
    expect(run.snapshot().phase).toBe('awaiting-confirmation');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(run.snapshot().phase).toBe('awaiting-confirmation');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(run.snapshot()).toMatchObject({ phase: 'finished', result: 'kept-unconfirmed', deadline: null });
    expect(run.snapshot().message).toMatch(/^Its rollback timer is gone: the box rebooted or its network service \(the middleware, NetworkManager\) restarted while the change waited.*plan reverting it: a new safe apply\.$/);
    expect(run.snapshot().checks.every((c) => c.ok)).toBe(true);
    expect(log.filter((c) => c === 'cmd-verify')).toHaveLength(2);
    expect(log).not.toContain('cmd-undo');
  });

  it('keeps asking while the box cannot be reached (a reboot), and concludes nothing from silence', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const shell = scriptedShell(okAnswers([new Error('connect ECONNREFUSED'), { code: 1, stderr: 'Failed to run middleware call. Daemon not running?' }, { code: 0, stdout: '40' }]), log);
    const run = new ApplyRun(probed(plan(basicSteps())), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
    await run.start();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(run.snapshot().phase).toBe('awaiting-confirmation');
    expect(log.filter((c) => c === 'cmd-armed')).toHaveLength(3);
    await run.keep();
    expect(run.snapshot().result).toBe('confirmed');
  });

  it('Revert on a box that already made the change permanent says so instead of claiming it reverted', async () => {
    const log: string[] = [];
    const shell = scriptedShell(okAnswers([{ code: 0, stdout: 'null' }]), log);
    const run = new ApplyRun(probed(plan(basicSteps())), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined);
    await run.start();
    await run.revert();
    expect(run.snapshot().result).toBe('kept-unconfirmed');
    expect(log).not.toContain('cmd-undo');
    await run.dispose();
  });

  it('says the box rolled back when it stopped waiting and the bond is not as planned', async () => {
    const answers = okAnswers([{ code: 0, stdout: 'null' }]);
    answers['cmd-verify'] = [{ code: 0, stdout: `${procOk}--bondsmith-ip--\n${ipOk}` }, { code: 0, stdout: `--bondsmith-ip--\n[]` }];
    const run = new ApplyRun(probed(plan(basicSteps())), { applyId: 'a1', planId: 'p1' }, io(scriptedShell(answers, [])), verifyKernel, false, () => undefined);
    await run.start();
    await run.keep();
    expect(run.snapshot().result).toBe('rolled-back');
    expect(run.snapshot().message).toMatch(/no longer waits for confirmation, and bond1 is not as planned: the change was rolled back on the box/);
    await run.dispose();
  });
});

describe('ApplyRun: a step the box refuses, read by the driver', () => {
  it('shows the reason in plain words and hands the field errors back', async () => {
    const shell = scriptedShell({ 'cmd-snap': [{ code: 0 }], 'cmd-arm': [{ code: 1, stderr: '[EINVAL] interface_create.lag_ports.0: Interface eno3 is currently in use\n' }], 'cmd-undo': [{ code: 0 }] }, []);
    const reader = (s: PlanStep, r: { stderr: string }) => (s.id === 'arm' ? { detail: r.stderr.replace(/^\[EINVAL\] [^:]+: /, '').trim(), fieldErrors: [{ field: 'members.0', message: 'Interface eno3 is currently in use' }] } : null);
    const run = new ApplyRun(plan(basicSteps()), { applyId: 'a1', planId: 'p1' }, io(shell), verifyKernel, false, () => undefined, reader);
    await run.start();
    expect(run.snapshot()).toMatchObject({ result: 'failed', fieldErrors: [{ field: 'members.0', message: 'Interface eno3 is currently in use' }] });
    expect(run.snapshot().steps.find((s) => s.id === 'arm')?.detail).toBe('Interface eno3 is currently in use');
    expect(run.snapshot().message).toMatch(/^step arm failed: Interface eno3 is currently in use\. /);
  });
});
