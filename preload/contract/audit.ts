import { z } from 'zod';

/** A fleet rollout's id (also names its file in the data directory). */
export const fleetRunIdSchema = z.string().regex(/^run-[A-Za-z0-9_-]{1,60}$/);

/**
 * How a change ended. `kept-unconfirmed`: the app that applied it was gone before anyone chose, and
 * on the next connect the box still had the change (its own timer did not roll it back).
 */
export const auditResultSchema = z.enum(['confirmed', 'rolled-back', 'reverted', 'failed', 'refused', 'kept-unconfirmed']);
export type AuditResult = z.infer<typeof auditResultSchema>;

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
  result: auditResultSchema,
  message: z.string().max(4000),
  plan: z.unknown(),
  stateBefore: z.unknown(),
  stateAfter: z.unknown(),
  steps: z.array(z.object({ id: z.string().max(64), title: z.string().max(300), status: z.string().max(32), detail: z.string().max(4000).nullable() })).max(200),
  /** The fleet rollout this change was part of; absent for a change made on one host. */
  runId: fleetRunIdSchema.optional(),
  /** When the apply started (ISO time); absent in entries written before it was kept. */
  startedAt: z.string().max(64).optional(),
  /** The checks of the verification, as the apply saw them. */
  checks: z.array(z.object({ name: z.string().max(200), ok: z.boolean(), detail: z.string().max(2000) })).max(64).optional(),
  /**
   * `app`: the app that applied the change saw it end. `recovered`: that app was gone (killed,
   * crashed) inside the window, and a later connect read the outcome from the box.
   * `pending-resolved`: kept or reverted from a pending change found on the box.
   */
  recordedBy: z.enum(['app', 'recovered', 'pending-resolved']).optional(),
  /** This change put a bond back as an earlier entry recorded it (history's restore). */
  restoreOf: z.object({ entryId: z.string().regex(/^[a-f0-9]{16}$/), side: z.enum(['before', 'after']) }).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An entry's id: a digest of its line, stable across restarts and rotation. */
export const auditEntryIdSchema = z.string().regex(/^[a-f0-9]{16}$/);

/** One line of the log as the history list shows it (no plan or states: those come with `audit.entry`). */
export const auditSummarySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('entry'),
    id: auditEntryIdSchema,
    time: z.string().max(64),
    hostId: z.string().max(64),
    hostLabel: z.string().max(200),
    localUser: z.string().max(200),
    action: z.enum(['create', 'update', 'delete']),
    bondName: z.string().max(32),
    result: auditResultSchema,
    message: z.string().max(4000),
    runId: fleetRunIdSchema.nullable(),
    durationMs: z.number().int().nonnegative().nullable(),
    recordedBy: z.enum(['app', 'recovered', 'pending-resolved']),
    /** The change put a bond back as an earlier entry recorded it, on this side of that change. */
    restoreOf: z.enum(['before', 'after']).nullable().optional(),
  }),
  /** A line that is not an entry (torn write, edited by hand): shown as damaged, kept in the file. */
  z.object({
    kind: z.literal('damaged'),
    id: auditEntryIdSchema,
    file: z.string().max(200),
    line: z.number().int().positive(),
    reason: z.string().max(500),
    preview: z.string().max(400),
  }),
]);
export type AuditSummary = z.infer<typeof auditSummarySchema>;

export const auditFilterSchema = z
  .object({
    hostId: z.string().max(64).nullable().optional(),
    bondName: z.string().max(32).nullable().optional(),
    result: auditResultSchema.nullable().optional(),
    runId: fleetRunIdSchema.nullable().optional(),
    /** ISO times, inclusive; compared with the entry's time. */
    from: z.string().max(64).nullable().optional(),
    to: z.string().max(64).nullable().optional(),
    /** Newest first; at most this many (the total says how many matched). */
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof auditFilterSchema>;
