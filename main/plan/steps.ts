import type { PlanPhase, PlanStep, PlanStepKind, StepCheck, StepCondition } from './plan-types';
import { quoteForShell } from '../shell/quote';

// Step construction shared by both drivers' planners.

export interface StepInput {
  readonly id: string;
  readonly title: string;
  readonly phase: PlanPhase;
  readonly command: string;
  readonly kind?: PlanStepKind;
  readonly detail?: string | null;
  readonly check?: StepCheck;
  readonly onFailure?: PlanStep['onFailure'];
  readonly when?: StepCondition | null;
  readonly connection?: PlanStep['connection'];
}

export function step(input: StepInput): PlanStep {
  return {
    id: input.id,
    title: input.title,
    kind: input.kind ?? 'remote-command',
    command: input.command,
    detail: input.detail ?? null,
    phase: input.phase,
    check: input.check ?? { kind: 'exit-zero' },
    onFailure: input.onFailure ?? 'stop',
    when: input.when ?? null,
    connection: input.connection ?? 'current',
  };
}

/** `sh -c '<script>'`, optionally under `sudo -n` (never prompts: a missing sudo right fails fast). */
export function shScript(script: string, sudo: boolean): string {
  return `${sudo ? 'sudo -n ' : ''}sh -c ${quoteForShell(script)}`;
}

/** Is the runId safe as a path component and a shell word? */
export function isSafeRunId(runId: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(runId);
}
