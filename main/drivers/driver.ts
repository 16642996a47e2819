import type { BondSpec } from '../../preload/contract/bond-spec';
import type { DriverKind, PendingOnBox } from '../../preload/contract/host-view';
import type { HostFacts } from '../../preload/contract/inventory';
import type { EligibleMemberMark } from '../plan/eligible-members';
import type { ArmedProbe, FieldError, PlanAction, PlanImpact, PlanStep, PlanVerify } from '../plan/plan-types';
import type { ExecResult } from '../ssh/connection';
import type { VerifyCheck } from '../plan/verify-check';
import type { HostConnection } from '../ssh/connection';

// One kind of host, one driver (STYLE.md "From nmstate"): every driver answers the same questions,
// and code outside main/drivers/ asks the driver instead of comparing kinds. Planning is pure (facts
// in, plan out); the few verbs that talk to the box get the connection handed in.

/** The change the planner has already parsed and checked against what every host shares. */
export interface DriverPlanInput<Extras> {
  readonly facts: HostFacts;
  readonly extras: Extras;
  readonly action: PlanAction;
  /** Null for delete. */
  readonly spec: BondSpec | null;
  readonly bondName: string;
  /** Names the on-box rollback files; letters, digits, "-" and "_". */
  readonly runId: string;
  readonly checkinTimeoutSeconds: number;
  /** A non-root admin whose host is set up for `sudo -n`. */
  readonly sudo: boolean;
  readonly allowVirtualMembers: boolean;
  /** Ports whose own configuration the user agreed to reset as part of the change. */
  readonly resetNicConfig: readonly string[];
}

/** What a driver plans; the planner adds the warnings every host shares. */
export interface DriverPlan {
  readonly steps: readonly PlanStep[];
  readonly warnings: readonly string[];
  readonly impact: PlanImpact;
  readonly verify: PlanVerify;
  /** The restore script the armed rollback runs, where the driver writes one (also in a step). */
  readonly rollbackScript: string | null;
  /** How to ask whether the box's rollback is still armed while the change waits; null/absent: not asked. */
  readonly armedProbe?: ArmedProbe | null;
}

/** A failed step in the box's own words, for people: the first reason, and the editor fields it concerns. */
export interface StepFailure {
  readonly detail: string;
  readonly fieldErrors: readonly FieldError[];
}

export type DriverPlanResult =
  | { readonly ok: true; readonly plan: DriverPlan }
  | { readonly ok: false; readonly code: 'HOST_CONFLICT' | 'MISSING_FACTS'; readonly fieldErrors: readonly FieldError[] };

/** Keep or revert a change found waiting on the box (app restarted, or made elsewhere). */
export interface ResolvePendingInput {
  readonly connection: HostConnection;
  readonly facts: HostFacts;
  readonly pending: PendingOnBox;
  readonly decision: 'keep' | 'revert';
  readonly sudo: boolean;
  /** The confirm-phase steps of that change's plan, where this computer kept it. */
  readonly confirmSteps: readonly PlanStep[] | null;
}

export interface HostDriver<Extras = unknown> {
  readonly kind: DriverKind;
  /** How it reaches the box, for people: shown on the plan and the host screen. */
  readonly label: string;
  /** Is this the stack that manages the host discovery describes? */
  recognises(facts: HostFacts): boolean;
  /** Why this stack's host must not be changed even though the driver recognises it (a version without the safety net), or null. */
  changeRefusal?(facts: HostFacts): string | null;
  /** Facts beyond the shared discovery that planning needs (e.g. ifupdown's files). */
  readExtras(connection: HostConnection, facts: HostFacts): Promise<Extras>;
  /** Every port as the member picker offers it, with the marks that trigger safety steps. */
  eligibleMembers(facts: HostFacts, editingBond: string | null, options: { readonly allowVirtualMembers: boolean }): EligibleMemberMark[];
  /** The editor's fields of an existing bond as this stack keeps them; null for modes the editor does not offer. */
  specOf(facts: HostFacts, bondName: string): BondSpec | null;
  /** Operations, impact, warnings and checks of one change; no I/O. */
  plan(input: DriverPlanInput<Extras>): DriverPlanResult;
  /** Compare what a verify-state step printed with the plan. */
  verify(verify: PlanVerify, stdout: string): VerifyCheck[];
  /** Changes armed on the box and waiting for confirmation. */
  pendingOnBox(facts: HostFacts): PendingOnBox[];
  resolvePending(input: ResolvePendingInput): Promise<void>;
  /** Read a failed step's output the way this stack reports errors (e.g. midclt's "[EINVAL] field: message"); null: shown as printed. */
  readStepFailure?(step: PlanStep, result: ExecResult, action: PlanAction): StepFailure | null;
}
