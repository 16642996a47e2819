import type { ApplyState } from '../../preload/contract';
import type { FieldError, Plan, PlanStep, PlanVerify, StepCheck } from '../plan/plan-types';
import { toAppError } from '../errors';
import { explainSudoRefusal } from '../shell/sudo';
import type { ExecResult } from '../ssh/connection';
import type { VerifyCheck } from '../plan/verify-check';

// Runs one plan with confirm-or-rollback (DESIGN.md "Safe apply"). The plan says everything: the
// steps, how each is judged and what a failure means; this class only executes, records and
// reports. The rollback that matters is armed on the box by the plan's 'arm' steps; the 'rollback'
// steps here only bring it forward when the user presses Revert or a check fails.

export interface RemoteShell {
  exec(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  close(): Promise<void>;
}

export interface ApplyIo {
  /** The session the plan was made on. */
  readonly current: RemoteShell;
  /** A new connection, to `address` when the management address moved. */
  openFresh(address: string | null): Promise<RemoteShell>;
  /** Wait before the next poll; resolves early when the run is cancelled. */
  pause(ms: number): Promise<void>;
  now(): number;
}

/** The plan's driver's reading of a verify-state step's output. */
export type Verifier = (verify: PlanVerify, stdout: string) => VerifyCheck[];

/** The plan's driver's reading of a failed step (its stack's error format), or null to show it as printed. */
export type FailureReader = (step: PlanStep, result: ExecResult) => { readonly detail: string; readonly fieldErrors: readonly FieldError[] } | null;

type StepStatus = ApplyState['steps'][number]['status'];

const STEP_TIMEOUT_MS = 120_000;
/** After the deadline: how long to keep trying to reach the box to see that it rolled back. */
const EXPIRE_CHECK_MS = 120_000;
const EXPIRE_RETRY_MS = 2_000;
/** While the change waits: how often to ask the box whether its rollback is still armed (plan.armedProbe). */
const ARMED_PROBE_MS = 5_000;
const ARMED_PROBE_TIMEOUT_MS = 30_000;

export class ApplyRun {
  private state: ApplyState;
  private readonly outputs = new Map<string, string>();
  private fresh: RemoteShell | null = null;
  private deadlineTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private busy: Promise<void> = Promise.resolve();
  /** The deadline passed unconfirmed: steps of the normal run stop, the box's rollback is checked. */
  private expired = false;

  constructor(
    private readonly plan: Plan,
    ids: { applyId: string; planId: string },
    private readonly io: ApplyIo,
    private readonly verifier: Verifier,
    autoKeep: boolean,
    private readonly onUpdate: (state: ApplyState) => void,
    private readonly readFailure: FailureReader | null = null,
  ) {
    const visible = plan.steps.filter((s) => s.phase !== 'rollback');
    this.state = {
      applyId: ids.applyId,
      hostId: plan.hostId,
      planId: ids.planId,
      bondName: plan.bondName,
      action: plan.action,
      phase: 'applying',
      steps: visible.map((s) => ({ id: s.id, title: s.title, status: 'pending', detail: null })),
      deadline: null,
      checks: [],
      autoKeep,
      result: null,
      message: '',
      error: null,
    };
  }

  snapshot(): ApplyState {
    return this.state;
  }

  /** Apply and verify; ends awaiting confirmation (or kept, with autoKeep), or failed and rolled back. */
  start(): Promise<void> {
    return this.serial(async () => {
      for (const step of this.plan.steps) {
        if (step.phase === 'rollback' || step.phase === 'confirm') continue;
        if (this.expired) return;
        if (step.phase === 'verify' && this.state.phase !== 'verifying') this.set({ phase: 'verifying' });
        const ok = await this.runStep(step);
        if (this.expired) return;
        // The box's timer starts with the first apply-phase step (Linux arms it just before, TrueNAS's
        // commit starts it), so the countdown shown here starts there too.
        if (step.phase === 'apply' && this.state.deadline === null && ok) this.armDeadline();
        if (!ok && step.onFailure === 'stop') return this.finish('failed', `${step.title} failed${this.why(step.id)}; nothing was changed.`);
        if (!ok && step.onFailure === 'rollback') return this.rollBack('failed', `${step.title} failed${this.why(step.id)}.`);
      }
      if (this.state.deadline === null) this.armDeadline();
      const checksOk = this.state.checks.every((c) => c.ok);
      this.set({ phase: 'awaiting-confirmation', message: checksOk ? 'All checks passed. Keep the change, or revert it.' : 'Some checks failed.' });
      if (this.state.autoKeep && checksOk) await this.confirm();
      else this.scheduleArmedProbe();
    });
  }

  keep(): Promise<void> {
    return this.serial(async () => {
      if (this.state.phase !== 'awaiting-confirmation') return;
      if ((await this.boxStillWaits()) === false) return this.boxKeptItself();
      await this.confirm();
    });
  }

  revert(): Promise<void> {
    return this.serial(async () => {
      if (this.state.phase !== 'awaiting-confirmation') return;
      // Reverting a change the box has already made permanent would only re-sync it: say so instead.
      if ((await this.boxStillWaits()) === false) return this.boxKeptItself();
      await this.rollBack('reverted', 'Reverted by the user.');
    });
  }

  async dispose(): Promise<void> {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    await this.fresh?.close().catch(() => undefined);
  }

  /** While the change waits: ask the box every few seconds whether its rollback is still armed. */
  private scheduleArmedProbe(): void {
    if (!this.plan.armedProbe || this.state.phase !== 'awaiting-confirmation') return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.serial(async () => {
        if (this.state.phase !== 'awaiting-confirmation' || this.expired) return;
        if ((await this.boxStillWaits()) === false) return this.boxKeptItself();
        this.scheduleArmedProbe();
      });
    }, ARMED_PROBE_MS);
  }

  /**
   * true: the box's rollback is armed; false: the box answered that it no longer waits (a restarted
   * middleware or a reboot drops the timer and keeps the change); null: no answer (the box may be
   * rebooting) or nothing to ask, so nothing is concluded.
   */
  private async boxStillWaits(): Promise<boolean | null> {
    const probe = this.plan.armedProbe;
    if (!probe) return null;
    try {
      const shell = await this.shellFor({ connection: 'fresh' });
      const result = await shell.exec(probe.command, { timeoutMs: ARMED_PROBE_TIMEOUT_MS });
      if (result.code !== 0) return null; // e.g. the middleware is still starting
      return new RegExp(probe.armedPattern).test(result.stdout.trim());
    } catch {
      await this.dropFresh();
      return null;
    }
  }

  /**
   * The box stopped waiting before anyone confirmed: what it runs now stays. Read the bond again
   * (the verify-state steps) so the user sees it as it is, and say plainly what happened.
   */
  private async boxKeptItself(): Promise<void> {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.set({ checks: [] });
    let asPlanned = true;
    for (const step of this.plan.steps.filter((s) => s.check.kind === 'verify-state')) asPlanned = (await this.runStep(step)) && asPlanned;
    const what = this.plan.action === 'delete' ? `${this.plan.bondName} stays deleted` : `${this.plan.bondName} stays as it is now`;
    if (asPlanned) {
      // Nothing is pending any more; the confirm steps only tidy up (check-in finds nothing to cancel).
      for (const step of this.plan.steps.filter((s) => s.phase === 'confirm')) await this.runStep(step);
      return this.finish(
        'kept-unconfirmed',
        `Its rollback timer is gone: the box rebooted or its network service (the middleware, NetworkManager) restarted while the change waited, and that kept the change. ${what}. If you did not want it, plan reverting it: a new safe apply.`,
      );
    }
    // No timer and not as planned: the box went back (its timer ran out first, or someone reverted it there).
    this.finish('rolled-back', `The box no longer waits for confirmation, and ${this.plan.bondName} is not as planned: the change was rolled back on the box (its timer ran out, or it was reverted there). Look at the host before changing it again.`);
  }

  private serial(work: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(work).catch((err: unknown) => {
      this.finish('failed', toAppError(err).message);
    });
    return this.busy;
  }

  private async confirm(): Promise<void> {
    this.set({ phase: 'confirming' });
    for (const step of this.plan.steps.filter((s) => s.phase === 'confirm')) {
      const ok = await this.runStep(step);
      if (!ok && step.onFailure !== 'continue') {
        return this.finish('failed', `${step.title} failed; the box will roll back on its own when the timer runs out.`);
      }
    }
    this.finish('confirmed', 'Checks passed; the change is permanent and the rollback timer is cancelled.');
  }

  private async rollBack(result: 'failed' | 'reverted', why: string): Promise<void> {
    this.set({ phase: 'reverting', message: `${why} Restoring the previous configuration…` });
    let allOk = true;
    for (const step of this.plan.steps.filter((s) => s.phase === 'rollback')) {
      this.addStep(step);
      allOk = (await this.runStep(step)) && allOk;
    }
    const tail = allOk ? 'The previous configuration was restored.' : 'Restoring by hand failed; the rollback armed on the box restores the previous configuration when its timer runs out.';
    this.finish(result, `${why} ${tail}`);
  }

  private armDeadline(): void {
    const ms = this.plan.checkinTimeoutSeconds * 1000;
    this.set({ deadline: new Date(this.io.now() + ms).toISOString() });
    this.deadlineTimer = setTimeout(() => {
      if (this.state.result !== null || this.state.phase === 'confirming' || this.state.phase === 'reverting') return;
      // Whatever step is still running (a verify that cannot reach the box, say) stops at its next
      // check of `expired`; then the box is asked whether it really went back.
      this.expired = true;
      void this.serial(() => this.expire());
    }, ms);
  }

  /**
   * Not confirmed in time: the box restores on its own. Bring its rollback forward if it has not run
   * yet and find out whether it did (the rollback steps are safe to run after the box's timer fired:
   * they wait for it or find nothing left to undo), so the message says what really happened.
   */
  private async expire(): Promise<void> {
    if (this.state.result !== null) return;
    const why = `Not confirmed within ${this.plan.checkinTimeoutSeconds} s`;
    this.set({ phase: 'reverting', message: `${why}: the box is rolling back to its previous configuration on its own; checking…` });
    const endAt = this.io.now() + EXPIRE_CHECK_MS;
    let allOk = true;
    for (const step of this.plan.steps.filter((s) => s.phase === 'rollback')) {
      this.addStep(step);
      let ok = await this.runStep(step);
      // The box may still be restarting its network (or itself): retry on a new connection.
      for (let i = 0; i < 60 && !ok && this.io.now() < endAt; i++) {
        await this.dropFresh();
        await this.io.pause(EXPIRE_RETRY_MS);
        ok = await this.runStep(step);
      }
      allOk = ok && allOk;
    }
    // A rollback step that finds nothing to undo is no proof: a box restarted inside the window may
    // have come back with the change and nothing armed (TrueNAS applies its edits at boot; a
    // NetworkManager checkpoint does not survive one). Read the bond as verification does.
    if (await this.stillRunsTheChange()) {
      this.set({ deadline: null });
      // Kept without confirmation, as when the probe notices it during the countdown: the user is told
      // plainly and offered a new safe apply that takes it back (bonds.planUndo).
      this.finish('kept-unconfirmed', `${why}, but the box still runs the change and nothing is armed to roll it back: it rebooted or its network service restarted inside the window, and that kept the change. If you did not want it, plan reverting it: a new safe apply.`);
      return;
    }
    const tail = allOk
      ? 'the box rolled back to its previous configuration on its own.'
      : 'the box rolls back to its previous configuration on its own, but Bondsmith could not reach it to check; look at the host again before changing it.';
    this.finish('rolled-back', `${why}: ${tail}`);
  }

  /** True only when the box answers and every verification check of the change passes. */
  private async stillRunsTheChange(): Promise<boolean> {
    const read = this.plan.steps.find((s) => s.check.kind === 'verify-state');
    if (!read) return false;
    try {
      const shell = await this.shellFor(read);
      const result = await shell.exec(read.command, { timeoutMs: STEP_TIMEOUT_MS });
      if (result.code !== 0) return false;
      const checks = this.verifier(this.plan.verify, result.stdout);
      return checks.length > 0 && checks.every((c) => c.ok);
    } catch {
      return false;
    }
  }

  private addStep(step: PlanStep): void {
    if (this.state.steps.some((s) => s.id === step.id)) return;
    this.state = { ...this.state, steps: [...this.state.steps, { id: step.id, title: step.title, status: 'pending', detail: null }] };
  }

  private finish(result: NonNullable<ApplyState['result']>, message: string): void {
    if (this.state.result !== null) return;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.set({ phase: 'finished', result, message, deadline: result === 'failed' && this.state.deadline ? this.state.deadline : null });
  }

  private set(patch: Partial<ApplyState>): void {
    // A finished apply never changes again (work still unwinding after the deadline must not show).
    if (this.state.phase === 'finished') return;
    this.state = { ...this.state, ...patch };
    this.onUpdate(this.state);
  }

  private mark(id: string, status: StepStatus, detail: string | null): void {
    this.set({ steps: this.state.steps.map((s) => (s.id === id ? { ...s, status, detail } : s)) });
  }

  private async shellFor(step: Pick<PlanStep, 'connection'>): Promise<RemoteShell> {
    if (step.connection === 'current') return this.io.current;
    if (!this.fresh) this.fresh = await this.io.openFresh(this.plan.verify.reconnectAddress);
    return this.fresh;
  }

  private async dropFresh(): Promise<void> {
    const old = this.fresh;
    this.fresh = null;
    await old?.close().catch(() => undefined);
  }

  /** Run one step; true when its check passed (or it was skipped). */
  /** ": <what the box said>" for a failed step, so the run's message names the cause. */
  private why(stepId: string): string {
    const detail = this.state.steps.find((s) => s.id === stepId)?.detail?.trim();
    // Without its own full stop: the run's message adds one.
    return detail ? `: ${detail.split('\n')[0]?.replace(/^bondsmith: /, '').replace(/\.$/, '') ?? ''}` : '';
  }

  private async runStep(step: PlanStep): Promise<boolean> {
    if (step.when) {
      const previous = this.outputs.get(step.when.stepId) ?? '';
      if (!new RegExp(step.when.stdoutMatches).test(previous.trim())) {
        this.mark(step.id, 'skipped', null);
        return true;
      }
    }
    this.mark(step.id, 'running', null);
    const outcome = step.check.kind === 'poll' ? await this.poll(step, step.check) : await this.once(step);
    this.outputs.set(step.id, outcome.stdout);
    this.mark(step.id, outcome.ok ? 'done' : 'failed', outcome.detail);
    return outcome.ok;
  }

  private async once(step: PlanStep): Promise<{ ok: boolean; stdout: string; detail: string | null }> {
    let result: ExecResult;
    try {
      const shell = await this.shellFor(step);
      result = await shell.exec(step.command, { timeoutMs: STEP_TIMEOUT_MS });
    } catch (err) {
      if (step.connection === 'fresh') await this.dropFresh();
      return { ok: false, stdout: '', detail: err instanceof Error ? err.message : String(err) };
    }
    const stdout = result.stdout.trim();
    const failed = (why: string): { ok: false; stdout: string; detail: string } => ({ ok: false, stdout, detail: why });
    if (result.code !== 0) {
      const read = this.readFailure?.(step, result) ?? null;
      if (read !== null && read.fieldErrors.length > 0) this.set({ fieldErrors: [...(this.state.fieldErrors ?? []), ...read.fieldErrors].slice(0, 64) });
      return failed(explainSudoRefusal(result) ?? read?.detail ?? (firstLines(result.stderr || result.stdout) || `exit status ${String(result.code ?? result.signal)}`));
    }
    const check: StepCheck = step.check;
    switch (check.kind) {
      case 'exit-zero':
        return { ok: true, stdout, detail: null };
      case 'report':
        // An empty JSON list ("no services restart", "nothing is removed") reads as "none".
        return { ok: true, stdout, detail: stdout === '[]' ? 'none' : firstLines(stdout) || null };
      case 'stdout-equals':
        return stdout === check.value ? { ok: true, stdout, detail: null } : failed(`expected "${check.value}", got "${firstLines(stdout)}"`);
      case 'stdout-matches':
        return new RegExp(check.pattern).test(stdout) ? { ok: true, stdout, detail: null } : failed(`unexpected answer "${firstLines(stdout)}"`);
      case 'verify-state': {
        const checks: VerifyCheck[] = this.verifier(this.plan.verify, result.stdout);
        this.set({ checks: [...this.state.checks, ...checks] });
        const bad = checks.filter((c) => !c.ok);
        return bad.length === 0 ? { ok: true, stdout, detail: `${checks.length} checks passed` } : failed(bad.map((c) => `${c.name}: ${c.detail}`).join('; '));
      }
      case 'poll':
        return failed('internal: poll handled elsewhere');
    }
  }

  private async poll(step: PlanStep, check: Extract<StepCheck, { kind: 'poll' }>): Promise<{ ok: boolean; stdout: string; detail: string | null }> {
    const until = new RegExp(check.until);
    const failIf = check.failIf === null ? null : new RegExp(check.failIf);
    const endAt = this.io.now() + check.timeoutSeconds * 1000;
    let last = '';
    for (let attempt = 0; attempt < 10_000; attempt++) {
      try {
        const shell = await this.shellFor(step);
        const result = await shell.exec(step.command, { timeoutMs: Math.min(STEP_TIMEOUT_MS, check.timeoutSeconds * 1000) });
        last = result.stdout.trim();
        if (result.code === 0 && until.test(last)) return { ok: true, stdout: last, detail: null };
        if (result.code === 0 && failIf?.test(last)) return { ok: false, stdout: last, detail: `the box answered "${firstLines(last)}"` };
      } catch (err) {
        // The apply may be moving the address this session uses: reconnect and try again.
        last = err instanceof Error ? err.message : String(err);
        if (step.connection === 'fresh') await this.dropFresh();
      }
      if (this.io.now() >= endAt || (this.expired && step.phase !== 'rollback')) break;
      await this.io.pause(check.intervalSeconds * 1000);
    }
    return { ok: false, stdout: last, detail: `no answer matching the expected state within ${check.timeoutSeconds} s (last: "${firstLines(last)}")` };
  }
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' ').slice(0, 500);
}
