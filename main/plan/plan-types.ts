import type { BondSpec } from '../../preload/contract/bond-spec';
import type { DriverKind } from '../../preload/contract/host-view';
import type { BondMode } from '../../preload/contract/inventory';

// The Plan: what Bondsmith will do to one host, as plain JSON (it is shown, stored in the audit log
// and executed by a driver). A driver runs the steps in order and never invents commands of its own;
// each step says how its result is judged, so execution needs no driver-specific knowledge of why.
//
// Execution rules (for the drivers):
// - Steps run in array order. Phases group them: prepare -> arm -> apply -> verify -> confirm.
//   Steps in phase 'rollback' are NOT part of the normal run: run them, in order, only to revert by
//   hand before the deadline (user pressed Revert, or verification failed).
// - `connection: 'fresh'` steps run over a new SSH connection (to `verify.reconnectAddress` when it is
//   set), because the apply may have moved or dropped the one the earlier steps used.
// - Every pattern is a JavaScript RegExp source, used without flags against the step's stdout with
//   leading and trailing white space trimmed.
// - `when`: run the step only if the named earlier step's trimmed stdout matches; else skip it.
// - `check` says how to judge the result; `onFailure` what to do when the check fails:
//   'stop' = nothing was changed yet, stop and report; 'rollback' = run the rollback-phase steps (the
//   armed rollback on the box fires anyway if they cannot run); 'continue' = report it and go on.

export type PlanAction = 'create' | 'update' | 'delete';
export type PlanPhase = 'prepare' | 'arm' | 'apply' | 'verify' | 'confirm' | 'rollback';
export type PlanStepKind = 'remote-command' | 'file-write' | 'midclt';

export type StepCheck =
  /** Exit status 0 is success; anything else fails the step. */
  | { readonly kind: 'exit-zero' }
  /** Exit status 0 and trimmed stdout equal to `value` (e.g. midclt prints booleans as True/False). */
  | { readonly kind: 'stdout-equals'; readonly value: string }
  /** Exit status 0 and trimmed stdout matching the regex `pattern`. */
  | { readonly kind: 'stdout-matches'; readonly pattern: string }
  /**
   * Re-run the command every `intervalSeconds` until trimmed stdout matches `until` (success) or
   * `failIf` (failure), for at most `timeoutSeconds`. Non-zero exits and lost connections while
   * polling are retried (the apply may be moving the address the session uses).
   */
  | { readonly kind: 'poll'; readonly until: string; readonly failIf: string | null; readonly intervalSeconds: number; readonly timeoutSeconds: number }
  /** Exit status 0; stdout is the live state, in the plan's driver's own format, to compare with `plan.verify`. */
  | { readonly kind: 'verify-state' }
  /** Output is shown to the user (e.g. services that will restart); exit status 0 expected. */
  | { readonly kind: 'report' };

export interface StepCondition {
  readonly stepId: string;
  readonly stdoutMatches: string;
}

export interface PlanStep {
  readonly id: string;
  /** Plain words for the progress list. */
  readonly title: string;
  readonly kind: PlanStepKind;
  /** The exact remote command text, every argument already quoted for a POSIX shell. */
  readonly command: string;
  /** Payload or file content / diff for people to read; never executed. */
  readonly detail: string | null;
  readonly phase: PlanPhase;
  readonly check: StepCheck;
  readonly onFailure: 'stop' | 'rollback' | 'continue';
  readonly when: StepCondition | null;
  readonly connection: 'current' | 'fresh';
}

export interface ManagementMigration {
  readonly fromNic: string;
  readonly toBond: string;
  /** The address the session used; for a DHCP bond it may change (see warnings). */
  readonly address: string;
}

export interface PlanImpact {
  /** "address/prefix" strings that disappear from the host (moved addresses are not listed). */
  readonly addressesRemoved: readonly string[];
  readonly managementAffected: boolean;
  readonly managementMigration: ManagementMigration | null;
  readonly gatewayAtRisk: boolean;
  /** TrueNAS: services that rebind are only known on the box; this step's output lists them. */
  readonly servicesRestartedStepId: string | null;
  readonly membersReconfigured: readonly string[];
  /** DNS servers the plan saves should the box say the change drops them (TrueNAS 25.10+). */
  readonly nameserversKept?: readonly string[];
  /** Ports whose own configuration is reset (deleted) as a step of this change. */
  readonly nicsReset?: readonly string[];
}

/**
 * How to ask the box whether its rollback is still armed while the change waits for confirmation:
 * run `command`; trimmed stdout matching `armedPattern` means armed. Anything else, with exit 0,
 * means the box no longer waits (its safety net is gone; what it runs now is what stays).
 */
export interface ArmedProbe {
  readonly command: string;
  readonly armedPattern: string;
}

/** What the verifier checks after apply, before confirming. */
export interface PlanVerify {
  readonly mode: 'present' | 'absent';
  readonly bondName: string;
  /** The bond as the editor asked for it (members in order: index 0 is the FAILOVER primary and the MAC donor); null when it must be gone. */
  readonly expected: BondSpec | null;
  readonly kernelMode: BondMode | null;
  /** Minimum link-monitoring interval expected (null: not checked, e.g. old TrueNAS FAILOVER). */
  readonly miimonMs: number | null;
  /** The MTU the box must run: the spec's, or the driver's default (TrueNAS applies 1500); null: not checked. */
  readonly mtu: number | null;
  /** Address to reconnect to for the verify and confirm phases; null = the host's usual address. */
  readonly reconnectAddress: string | null;
  /** Ports that must no longer be bond members afterwards. */
  readonly releasedMembers: readonly string[];
}

export interface Plan {
  readonly hostId: string;
  /** Names the on-box rollback directory and logs; letters, digits, "-" and "_". */
  readonly runId: string;
  readonly driver: DriverKind;
  readonly action: PlanAction;
  readonly bondName: string;
  readonly steps: readonly PlanStep[];
  readonly impact: PlanImpact;
  readonly warnings: readonly string[];
  readonly checkinTimeoutSeconds: number;
  readonly verify: PlanVerify;
  /** Linux: the restore script the armed timer runs (also in a file-write step). */
  readonly rollbackScript: string | null;
  /** Where the driver can tell: is the box's rollback still armed? Asked while the change waits. */
  readonly armedProbe?: ArmedProbe | null;
}

/** Same shape as the contract's fieldErrorSchema: `field` is an editor key like 'members.0'. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type PlanFailureCode = 'INVALID_SPEC' | 'HOST_CONFLICT' | 'MISSING_FACTS' | 'NO_DRIVER';

export type PlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly code: PlanFailureCode; readonly fieldErrors: readonly FieldError[] };

/** Field key for errors that concern the host or the request rather than one form field. */
export const HOST_FIELD = 'host';
