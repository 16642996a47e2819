import type { PlanStep } from '../plan/plan-types';
import { step } from '../plan/steps';
import { kernelStateCommand } from './kernel-verify';
import { BOX_WAIT_SECONDS, waitOnBox } from './wait-on-box';

// The verify phase of every driver that runs its change as a detached script on the box (apply.sh
// writes its exit status to apply.rc in the run's directory) and then reads the bond from the kernel
// (ifupdown, NetworkManager): wait for the script, then read the bond over a fresh connection.

export interface KernelVerifyStepsInput {
  /** The run's directory on the box, where apply.rc and apply.log are written. */
  readonly runDir: string;
  readonly bondName: string;
  /** Wraps a script as the step's command (`sh -c`, under sudo when needed). */
  readonly sh: (script: string) => string;
  readonly waitTitle: string;
  /** How long the app waits for the apply script in all before it gives up and rolls back. */
  readonly applyTimeoutSeconds: number;
}

export function kernelVerifySteps(input: KernelVerifyStepsInput): PlanStep[] {
  const D = input.runDir;
  return [
    step({
      id: 'wait-apply',
      title: input.waitTitle,
      phase: 'verify',
      command: input.sh(`${waitOnBox(`[ -s ${D}/apply.rc ]`, BOX_WAIT_SECONDS)}; rc=$(cat ${D}/apply.rc 2>/dev/null); echo "$rc"; if [ -n "$rc" ] && [ "$rc" != 0 ]; then tail -n 5 ${D}/apply.log; fi; exit 0`),
      check: { kind: 'poll', until: '^0$', failIf: '^[1-9][0-9]*\\b', intervalSeconds: 1, timeoutSeconds: input.applyTimeoutSeconds },
      detail: `Stdout starts with the apply's exit status; the last lines of ${D}/apply.log follow on failure.`,
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({
      id: 'read-state',
      title: `Read ${input.bondName} as the kernel now runs it`,
      phase: 'verify',
      command: input.sh(kernelStateCommand(input.bondName)),
      check: { kind: 'verify-state' },
      onFailure: 'rollback',
      connection: 'fresh',
    }),
  ];
}
