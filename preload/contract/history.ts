import { z } from 'zod';
import { auditEntryIdSchema, auditFilterSchema, auditSummarySchema, type AuditResult } from './audit';
import { idSchema, ifaceNameSchema } from './common';
import { fieldErrorSchema, planStepSchema, planViewSchema } from './plan';

// The history view over the audit log (audit.ts): a page of summaries, one entry opened with its
// plan, checks and the bond's configuration before and after, restore of either side through an
// ordinary plan, and export.

/** One editor field of the bond at both ends of a change, in words. `null`: the bond was not there. */
export const bondDiffRowSchema = z.object({
  field: z.string().max(32),
  label: z.string().max(64),
  before: z.string().max(2000).nullable(),
  after: z.string().max(2000).nullable(),
  changed: z.boolean(),
  /** For lists: what was added and removed ("eno3 added; eno2 removed"). */
  note: z.string().max(2000).nullable(),
});
export type BondDiffRow = z.infer<typeof bondDiffRowSchema>;

/** What the log holds about the bond at one end of a change. */
export const recordedBondStateSchema = z.enum(['present', 'absent', 'unreadable', 'not-recorded']);
export type RecordedBondState = z.infer<typeof recordedBondStateSchema>;

export const bondDiffSchema = z.object({
  before: recordedBondStateSchema,
  after: recordedBondStateSchema,
  rows: z.array(bondDiffRowSchema).max(32),
  /** One line: "bond0 created", "2 fields changed", "no change (rolled back)". */
  summary: z.string().max(500),
});
export type BondDiff = z.infer<typeof bondDiffSchema>;

const entrySummarySchema = auditSummarySchema.options[0];

export const historyEntryViewSchema = z.object({
  summary: entrySummarySchema,
  address: z.string().max(300),
  remoteUser: z.string().max(64),
  startedAt: z.string().max(64).nullable(),
  /** The plan as it was applied; null when the line carries none Bondsmith can read. */
  plan: z
    .object({
      driver: z.string().max(64),
      runId: z.string().max(64),
      checkinTimeoutSeconds: z.number().int(),
      steps: z.array(planStepSchema).max(200),
      warnings: z.array(z.string().max(2000)).max(64),
    })
    .nullable(),
  /** How each step ended. */
  steps: z.array(z.object({ id: z.string().max(64), title: z.string().max(300), status: z.string().max(32), detail: z.string().max(4000).nullable() })).max(200),
  checks: z.array(z.object({ name: z.string().max(200), ok: z.boolean(), detail: z.string().max(2000) })).max(64),
  diff: bondDiffSchema,
  /** The change this one restored, where it was a restore. */
  restoreOf: z.object({ entryId: auditEntryIdSchema, side: z.enum(['before', 'after']) }).nullable(),
});
export type HistoryEntryView = z.infer<typeof historyEntryViewSchema>;

export const historyPageSchema = z.object({
  items: z.array(auditSummarySchema).max(1000),
  total: z.number().int().nonnegative(),
  damaged: z.number().int().nonnegative(),
  /** Hosts and bonds that occur in the log, for the filters (not only those of this page). */
  hosts: z.array(z.object({ hostId: z.string().max(64), hostLabel: z.string().max(200) })).max(1000),
  bonds: z.array(z.string().max(32)).max(1000),
});
export type HistoryPage = z.infer<typeof historyPageSchema>;

export const restoreSideSchema = z.enum(['before', 'after']);
export type RestoreSide = z.infer<typeof restoreSideSchema>;

export const restorePlanRequestSchema = z
  .object({
    entryId: auditEntryIdSchema,
    side: restoreSideSchema,
    checkinTimeoutSeconds: z.number().int().min(10, 'Check-in timeout is at least 10 s').max(300, 'Check-in timeout is at most 300 s'),
  })
  .strict();

export const restorePlanResponseSchema = z.object({
  hostId: idSchema,
  bondName: ifaceNameSchema,
  /** The plan to preview and apply like any other (bonds.apply), or null with the refusal. */
  plan: planViewSchema.nullable(),
  /** What differs on today's host from the recorded state, and what the plan does about it. */
  notes: z.array(z.string().max(2000)).max(64),
  /** Why no plan was made, in words a person can act on. */
  refusal: z.string().max(4000).nullable(),
  fieldErrors: z.array(fieldErrorSchema).max(100),
});
export type RestorePlanResponse = z.infer<typeof restorePlanResponseSchema>;

export const historyExportRequestSchema = z
  .object({
    /** One entry, or (null) every entry the filter matches, newest first. */
    entryId: auditEntryIdSchema.nullable(),
    filter: auditFilterSchema.omit({ limit: true, offset: true }),
    format: z.enum(['jsonl', 'report']),
  })
  .strict();

/** Most entries one export holds; the report says when the filter matched more. */
export const HISTORY_EXPORT_MAX = 1000;

/** How a change ended, in the history's words (the renderer and the report use the same ones). */
export const AUDIT_RESULT_TEXT = {
  confirmed: 'kept',
  'kept-unconfirmed': 'kept without confirmation',
  reverted: 'reverted',
  'rolled-back': 'rolled back on the box',
  failed: 'failed',
  refused: 'refused',
} as const satisfies Record<AuditResult, string>;

export const AUDIT_ACTION_TEXT = { create: 'create', update: 'edit', delete: 'delete' } as const;

/** "edit bond0"; a restore: "restore bond0 (as before a change)". */
export function changeWords(action: keyof typeof AUDIT_ACTION_TEXT, bondName: string, restoreOf: 'before' | 'after' | null = null): string {
  if (restoreOf !== null) return `restore ${bondName} (as ${restoreOf} a change)`;
  return `${AUDIT_ACTION_TEXT[action]} ${bondName}`;
}
