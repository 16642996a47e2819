import { z } from 'zod';

/** A fleet rollout's id (also names its file in the data directory). */
export const fleetRunIdSchema = z.string().regex(/^run-[A-Za-z0-9_-]{1,60}$/);

// One line of the audit log: what was changed on which host, by whom, with which plan, and how it ended.
export const auditEntrySchema = z.object({
  time: z.string().max(64),
  hostId: z.string().max(64),
  hostLabel: z.string().max(200),
  address: z.string().max(300),
  localUser: z.string().max(200),
  remoteUser: z.string().max(64),
  action: z.enum(['create', 'update', 'delete']),
  bondName: z.string().max(32),
  result: z.enum(['confirmed', 'rolled-back', 'reverted', 'failed', 'refused']),
  message: z.string().max(4000),
  plan: z.unknown(),
  stateBefore: z.unknown(),
  stateAfter: z.unknown(),
  steps: z.array(z.object({ id: z.string().max(64), title: z.string().max(300), status: z.string().max(32), detail: z.string().max(4000).nullable() })).max(200),
  /** The fleet rollout this change was part of; absent for a change made on one host. */
  runId: fleetRunIdSchema.optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
