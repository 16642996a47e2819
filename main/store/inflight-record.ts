import { z } from 'zod';
import { fleetRunIdSchema } from '../../preload/contract/audit';
import { bondSpecShapeSchema } from '../../preload/contract/bond-spec';
import { idSchema, ifaceNameSchema } from '../../preload/contract/common';
import { driverKindSchema } from '../../preload/contract/host-view';
import { bondModeSchema, hostFactsSchema, type HostFacts } from '../../preload/contract/inventory';
import type { Plan } from '../plan/plan-types';

// The saved plan of a change waiting on a box (inflight-store.ts), as a schema. Keep runs its
// confirm steps on the box, as root, after an app restart: a file in the data directory is input
// like any other (DESIGN.md "Bad input and failures"), so it comes back only in exactly the shape
// Bondsmith writes, every string and list bounded, every phase, kind and check one it knows.

export interface InflightRecord {
  readonly hostId: string;
  readonly applyId: string;
  readonly plan: Plan;
  readonly deadline: string | null;
  /**
   * The host as discovered before the change, and when the apply started: what the audit entry
   * needs when this app is gone before the change ends and a later connect records it. Absent in
   * records written before they were kept.
   */
  readonly stateBefore?: HostFacts | null;
  readonly startedAt?: string;
  /** The fleet rollout the change belongs to, so a change recorded after a restart keeps its run's tag. */
  readonly fleetRunId?: string;
}

/** The run id names files on the box and is a shell word there (plan/steps.ts isSafeRunId). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const TEXT_MAX = 1_000_000;
const line = (max: number) => z.string().max(max);

/** ApplyRun compiles these with `new RegExp`: one that does not compile is not a plan of ours. */
const patternSchema = line(1000).refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'not a regular expression');

const stepCheckSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exit-zero') }),
  z.strictObject({ kind: z.literal('stdout-equals'), value: line(1000) }),
  z.strictObject({ kind: z.literal('stdout-matches'), pattern: patternSchema }),
  z.strictObject({
    kind: z.literal('poll'),
    until: patternSchema,
    failIf: patternSchema.nullable(),
    intervalSeconds: z.number().int().min(1).max(60),
    timeoutSeconds: z.number().int().min(1).max(3600),
  }),
  z.strictObject({ kind: z.literal('verify-state') }),
  z.strictObject({ kind: z.literal('report') }),
]);

const stepIdSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/);

const planStepSchema = z.strictObject({
  id: stepIdSchema,
  title: line(300),
  kind: z.enum(['remote-command', 'file-write', 'midclt']),
  command: z.string().min(1).max(TEXT_MAX),
  detail: line(TEXT_MAX).nullable(),
  phase: z.enum(['prepare', 'arm', 'apply', 'verify', 'confirm', 'rollback']),
  check: stepCheckSchema,
  onFailure: z.enum(['stop', 'rollback', 'continue']),
  when: z.strictObject({ stepId: stepIdSchema, stdoutMatches: patternSchema }).nullable(),
  connection: z.enum(['current', 'fresh']),
});

const planSchema = z.strictObject({
  hostId: idSchema,
  runId: z.string().regex(RUN_ID_PATTERN),
  driver: driverKindSchema,
  action: z.enum(['create', 'update', 'delete']),
  bondName: ifaceNameSchema,
  steps: z.array(planStepSchema).max(200),
  impact: z.strictObject({
    addressesRemoved: z.array(line(64)).max(256),
    managementAffected: z.boolean(),
    managementMigration: z.strictObject({ fromNic: ifaceNameSchema, toBond: ifaceNameSchema, address: line(64) }).nullable(),
    gatewayAtRisk: z.boolean(),
    servicesRestartedStepId: stepIdSchema.nullable(),
    membersReconfigured: z.array(ifaceNameSchema).max(64),
    nameserversKept: z.array(line(64)).max(3).optional(),
    nicsReset: z.array(ifaceNameSchema).max(16).optional(),
  }),
  warnings: z.array(line(4000)).max(100),
  checkinTimeoutSeconds: z.number().int().min(10).max(300),
  verify: z.strictObject({
    mode: z.enum(['present', 'absent']),
    bondName: ifaceNameSchema,
    expected: bondSpecShapeSchema.nullable(),
    kernelMode: bondModeSchema.nullable(),
    miimonMs: z.number().int().nullable(),
    mtu: z.number().int().nullable(),
    reconnectAddress: line(64).nullable(),
    releasedMembers: z.array(ifaceNameSchema).max(64),
  }),
  rollbackScript: line(TEXT_MAX).nullable(),
  armedProbe: z.strictObject({ command: line(TEXT_MAX), armedPattern: patternSchema }).nullable().optional(),
});

export const inflightRecordSchema: z.ZodType<InflightRecord> = z.strictObject({
  hostId: idSchema,
  applyId: idSchema,
  plan: planSchema,
  deadline: line(64).nullable(),
  stateBefore: hostFactsSchema.nullable().optional(),
  startedAt: line(64).optional(),
  fleetRunId: fleetRunIdSchema.optional(),
});
