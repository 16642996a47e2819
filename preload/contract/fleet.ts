import { z } from 'zod';
import { idSchema, ifaceNameSchema } from './common';
import { fleetRunIdSchema } from './audit';
import { bondSpecSchema, bondSpecShapeSchema, eligibleMemberSchema } from './bond-spec';
import { fieldErrorSchema, planViewSchema } from './plan';

// One bond spec rolled out to several hosts (DESIGN.md "Safe apply", Fleet): a canary first, which
// must end confirmed, then the rest, each host through its own driver's safe apply.

/** The most hosts one rollout targets. */
export const MAX_FLEET_TARGETS = 200;
export const MAX_FLEET_PARALLELISM = 16;

/** One target host and the ports that are its bond's members there (null: the spec's own names). */
export const fleetTargetSchema = z.object({ hostId: idSchema, members: z.array(ifaceNameSchema).min(1, 'Pick at least one port').max(16).nullable() }).strict();
export type FleetTarget = z.infer<typeof fleetTargetSchema>;

const targetsSchema = z
  .array(fleetTargetSchema)
  .min(1, 'Choose at least one host')
  .max(MAX_FLEET_TARGETS, `At most ${MAX_FLEET_TARGETS} hosts in one rollout`)
  .refine((ts) => new Set(ts.map((t) => t.hostId)).size === ts.length, 'A host is listed twice');

const checkinSchema = z.number().int().min(10, 'Check-in timeout is at least 10 s').max(300, 'Check-in timeout is at most 300 s');

export const fleetPreviewRequestSchema = z.object({ spec: bondSpecSchema, targets: targetsSchema, checkinTimeoutSeconds: checkinSchema }).strict();

/** What one target would get, found before anything runs: its plan, or why it cannot take the spec. */
export const fleetHostPreviewSchema = z.object({
  hostId: idSchema,
  label: z.string().max(200),
  /** The driver that would make the change ("TrueNAS middleware (midclt)"), when known. */
  driverLabel: z.string().max(200).nullable(),
  /** The members on this host (the spec's names unless mapped by hand). */
  members: z.array(ifaceNameSchema).max(16),
  /** create, or update where the host already has a bond of that name. */
  action: z.enum(['create', 'update']).nullable(),
  /** Null when the host can take the spec; else why not, in plain words. */
  problem: z.string().max(2000).nullable(),
  plan: planViewSchema.nullable(),
  fieldErrors: z.array(fieldErrorSchema).max(100),
  /** The host's ports as the member picker offers them, for mapping by hand. */
  ports: z.array(eligibleMemberSchema).max(512),
});
export type FleetHostPreview = z.infer<typeof fleetHostPreviewSchema>;

export const fleetStartRequestSchema = z
  .object({
    spec: bondSpecSchema,
    targets: targetsSchema,
    checkinTimeoutSeconds: checkinSchema,
    canaryHostId: idSchema,
    parallelism: z.number().int().min(1, 'At least one host at a time').max(MAX_FLEET_PARALLELISM, `At most ${MAX_FLEET_PARALLELISM} hosts at a time`),
    /** Keep a host's change as soon as its checks pass; otherwise it waits for Keep in the run view. */
    autoKeep: z.object({ canary: z.boolean(), rest: z.boolean() }).strict(),
  })
  .strict()
  .refine((r) => r.targets.some((t) => t.hostId === r.canaryHostId), { path: ['canaryHostId'], message: 'The canary must be one of the target hosts' });

export const fleetHostStateSchema = z.enum(['waiting', 'planning', 'applying', 'countdown', 'kept', 'rolled-back', 'failed', 'skipped', 'interrupted']);
export type FleetHostState = z.infer<typeof fleetHostStateSchema>;

export const fleetRunStatusSchema = z.enum(['running', 'paused', 'stopped', 'aborted', 'finished', 'interrupted']);
export type FleetRunStatus = z.infer<typeof fleetRunStatusSchema>;

export const fleetRunHostSchema = z.object({
  hostId: idSchema,
  label: z.string().max(200),
  members: z.array(ifaceNameSchema).max(16),
  state: fleetHostStateSchema,
  /** Why it is in that state (the apply's own message, the refusal, the stop). */
  reason: z.string().max(4000),
  /** The host's apply (bonds.keep / bonds.revert take it) while one runs or ran. */
  applyId: idSchema.nullable(),
  /** When the box rolls back on its own unless kept (ISO time), while counting down. */
  deadline: z.string().max(64).nullable(),
  startedAt: z.string().max(64).nullable(),
  endedAt: z.string().max(64).nullable(),
});
export type FleetRunHost = z.infer<typeof fleetRunHostSchema>;

export const fleetRunSchema = z.object({
  runId: fleetRunIdSchema,
  createdAt: z.string().max(64),
  spec: bondSpecShapeSchema,
  checkinTimeoutSeconds: z.number().int().min(10).max(300),
  canaryHostId: idSchema,
  parallelism: z.number().int().min(1).max(MAX_FLEET_PARALLELISM),
  autoKeep: z.object({ canary: z.boolean(), rest: z.boolean() }),
  status: fleetRunStatusSchema,
  /** What the status means right now, in plain words ("Stopped: nas2 rolled back"). */
  statusText: z.string().max(4000),
  /** The canary first, then the rest in the order they go. */
  hosts: z.array(fleetRunHostSchema).max(MAX_FLEET_TARGETS),
});
export type FleetRun = z.infer<typeof fleetRunSchema>;
