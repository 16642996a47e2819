import { z } from 'zod';
import { appErrorSchema, idSchema, ifaceNameSchema } from './common';
import { bondSpecSchema, eligibleMemberSchema } from './bond-spec';
import { driverKindSchema } from './host-view';

export const fieldErrorSchema = z.object({ field: z.string().max(200), message: z.string().max(2000) });
export type FieldError = z.infer<typeof fieldErrorSchema>;

// Plans and safe apply. Main keeps every plan it makes and applies only those, by id: the renderer
// never sends commands to run.

export const planStepSchema = z.object({
  id: z.string().max(64),
  title: z.string().max(300),
  kind: z.enum(['remote-command', 'file-write', 'midclt']),
  command: z.string().max(100_000),
  detail: z.string().max(100_000).nullable(),
  phase: z.enum(['prepare', 'arm', 'apply', 'verify', 'confirm', 'rollback']),
});
export type PlanStepView = z.infer<typeof planStepSchema>;

export const planViewSchema = z.object({
  planId: idSchema,
  hostId: idSchema,
  driver: driverKindSchema,
  /** How the driver reaches the box, for people: "TrueNAS middleware (midclt)". */
  driverLabel: z.string().max(200),
  action: z.enum(['create', 'update', 'delete']),
  bondName: ifaceNameSchema,
  steps: z.array(planStepSchema).max(200),
  impact: z.object({
    addressesRemoved: z.array(z.string().max(64)).max(256),
    managementAffected: z.boolean(),
    managementMigration: z.object({ fromNic: ifaceNameSchema, toBond: ifaceNameSchema, address: z.string().max(64) }).nullable(),
    gatewayAtRisk: z.boolean(),
    membersReconfigured: z.array(ifaceNameSchema).max(64),
    /** DNS servers the box would drop with this change and that the plan saves (TrueNAS 25.10+, fresh boxes). */
    nameserversKept: z.array(z.string().max(64)).max(3).optional(),
    /** Ports whose own configuration is reset (deleted) as a step of this change. */
    nicsReset: z.array(ifaceNameSchema).max(16).optional(),
  }),
  warnings: z.array(z.string().max(2000)).max(64),
  checkinTimeoutSeconds: z.number().int().min(10).max(300),
});
export type PlanView = z.infer<typeof planViewSchema>;


export const planRequestSchema = z
  .object({
    hostId: idSchema,
    action: z.enum(['create', 'update', 'delete']),
    spec: bondSpecSchema.nullable(),
    bondName: ifaceNameSchema.nullable(),
    checkinTimeoutSeconds: z.number().int().min(10, 'Check-in timeout is at least 10 s').max(300, 'Check-in timeout is at most 300 s'),
    /** Ports whose own configuration the user agreed to reset as part of the change (TrueNAS "currently in use"). */
    resetNicConfig: z.array(ifaceNameSchema).max(16).optional(),
  })
  .strict();

export const applyStepStatusSchema = z.enum(['pending', 'running', 'done', 'failed', 'skipped']);

export const applyStateSchema = z.object({
  applyId: idSchema,
  hostId: idSchema,
  planId: idSchema,
  bondName: ifaceNameSchema,
  action: z.enum(['create', 'update', 'delete']),
  phase: z.enum(['applying', 'verifying', 'awaiting-confirmation', 'confirming', 'reverting', 'finished']),
  steps: z.array(z.object({ id: z.string().max(64), title: z.string().max(300), status: applyStepStatusSchema, detail: z.string().max(4000).nullable() })).max(200),
  /** When the box rolls back on its own unless confirmed (ISO time), while a rollback is armed. */
  deadline: z.string().max(64).nullable(),
  checks: z.array(z.object({ name: z.string().max(200), ok: z.boolean(), detail: z.string().max(2000) })).max(64),
  autoKeep: z.boolean(),
  /** kept-unconfirmed: the box made the change permanent on its own (its middleware restarted or it rebooted inside the window). */
  result: z.enum(['confirmed', 'rolled-back', 'reverted', 'failed', 'kept-unconfirmed']).nullable(),
  message: z.string().max(4000),
  error: appErrorSchema.nullable(),
  /** What the box refused, by editor field (e.g. a middleware validation error), when a step failed on it. */
  fieldErrors: z.array(fieldErrorSchema).max(64).optional(),
});
export type ApplyState = z.infer<typeof applyStateSchema>;

export { eligibleMemberSchema };
