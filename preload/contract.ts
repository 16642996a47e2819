import { z } from 'zod';
import { idSchema, ifaceNameSchema } from './contract/common';
import { hostInputSchema, hostSchema, MAX_HOSTS } from './contract/hosts';
import { auditEntrySchema } from './contract/audit';
import { eligibleMemberSchema } from './contract/bond-spec';
import { applyStateSchema, fieldErrorSchema, planRequestSchema, planViewSchema } from './contract/plan';
import { connectionStateSchema, discoveryResultSchema, importedHostSchema } from './contract/sessions';
import { fleetHostPreviewSchema, fleetPreviewRequestSchema, fleetRunSchema, fleetStartRequestSchema } from './contract/fleet';
import { auditEntryIdSchema, auditFilterSchema, fleetRunIdSchema } from './contract/audit';
import { historyEntryViewSchema, historyExportRequestSchema, historyPageSchema, restorePlanRequestSchema, restorePlanResponseSchema } from './contract/history';

// The single source of truth for every message between the renderer and main: channel names with
// their request and response schemas, and every event main pushes. Main parses every inbound
// payload with these before any service sees it; the renderer and preload import types only.

export * from './contract/common';
export * from './contract/hosts';
export * from './contract/inventory';
export * from './contract/bond-spec';
export * from './contract/sessions';
export * from './contract/plan';
export * from './contract/host-view';
export * from './contract/audit';
export * from './contract/fleet';
export * from './contract/history';

const empty = z.object({}).strict();

export const storeProblemSchema = z.object({ message: z.string().max(2000), keptAs: z.string().max(4096) });

export const channels = {
  'app.info': {
    request: empty,
    response: z.object({
      mode: z.enum(['electron', 'browser']),
      version: z.string().max(64),
      secretsPersisted: z.boolean(),
      dataDir: z.string().max(4096),
    }),
  },
  'hosts.list': {
    request: empty,
    response: z.object({
      hosts: z.array(hostSchema).max(MAX_HOSTS),
      /** hosts.json was damaged and kept aside. */
      storeProblem: storeProblemSchema.nullable(),
      /** secrets.json was damaged and kept aside. */
      secretsProblem: storeProblemSchema.nullable(),
    }),
  },
  'hosts.add': { request: hostInputSchema, response: hostSchema },
  'hosts.update': { request: z.object({ id: idSchema, host: hostInputSchema }).strict(), response: hostSchema },
  'hosts.remove': { request: z.object({ id: idSchema }).strict(), response: z.object({ id: idSchema }) },
  'hosts.importSshConfig': {
    request: z.object({ path: z.string().max(4096).nullable() }).strict(),
    response: z.object({ hosts: z.array(importedHostSchema).max(1000), warnings: z.array(z.string().max(1000)).max(100), path: z.string().max(4096) }),
  },
  'sessions.connect': { request: z.object({ hostId: idSchema }).strict(), response: connectionStateSchema },
  'sessions.disconnect': { request: z.object({ hostId: idSchema }).strict(), response: connectionStateSchema },
  /** Trust the key the host presented; the fingerprint must be the one the user was shown. */
  'sessions.trust': {
    request: z.object({ hostId: idSchema, fingerprint: z.string().min(1).max(128) }).strict(),
    response: connectionStateSchema,
  },
  'sessions.states': { request: empty, response: z.object({ states: z.array(connectionStateSchema).max(1000) }) },
  'discovery.refresh': { request: z.object({ hostId: idSchema }).strict(), response: discoveryResultSchema },
  'discovery.latest': { request: empty, response: z.object({ results: z.array(discoveryResultSchema).max(1000) }) },
  'bonds.eligible': {
    request: z.object({ hostId: idSchema, bondName: z.string().max(15).nullable() }).strict(),
    response: z.object({ members: z.array(eligibleMemberSchema).max(512) }),
  },
  /** Validate a change against the host and return its plan, or field errors; nothing runs. */
  'bonds.plan': {
    request: planRequestSchema,
    response: z.object({ plan: planViewSchema.nullable(), fieldErrors: z.array(fieldErrorSchema).max(100) }),
  },
  'bonds.planScript': {
    request: z.object({ planId: idSchema }).strict(),
    response: z.object({ script: z.string().max(1_000_000), fileName: z.string().max(200) }),
  },
  'bonds.apply': { request: z.object({ planId: idSchema, autoKeep: z.boolean() }).strict(), response: applyStateSchema },
  'bonds.keep': { request: z.object({ applyId: idSchema }).strict(), response: applyStateSchema },
  'bonds.revert': { request: z.object({ applyId: idSchema }).strict(), response: applyStateSchema },
  /** A new plan that takes back what a finished apply left on the box (e.g. a change the box kept without confirmation). */
  'bonds.planUndo': {
    request: z.object({ applyId: idSchema, checkinTimeoutSeconds: z.number().int().min(10).max(300) }).strict(),
    response: z.object({ plan: planViewSchema.nullable(), fieldErrors: z.array(fieldErrorSchema).max(100) }),
  },
  'bonds.applies': {
    request: empty,
    response: z.object({ applies: z.array(applyStateSchema).max(1000) }),
  },
  /** Keep or revert a change found waiting on a host (after an app restart, or made elsewhere). */
  'bonds.resolvePending': {
    request: z.object({ hostId: idSchema, decision: z.enum(['keep', 'revert']), runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).nullable() }).strict(),
    response: discoveryResultSchema,
  },
  'audit.list': {
    request: z.object({ hostId: idSchema }).strict(),
    response: z.object({ entries: z.array(auditEntrySchema).max(1000), unreadable: z.number().int() }),
  },
  /** A page of the history (newest first), with damaged lines where they are, and the filters' choices. */
  'history.list': { request: auditFilterSchema, response: historyPageSchema },
  /** One entry opened: its plan, steps, checks and the bond's configuration before and after. */
  'history.entry': { request: z.object({ id: auditEntryIdSchema }).strict(), response: historyEntryViewSchema },
  /** An entry, or every entry the filter matches, as JSON lines or a readable report. */
  'history.export': {
    request: historyExportRequestSchema,
    response: z.object({ text: z.string().max(200_000_000), fileName: z.string().max(200), count: z.number().int().nonnegative(), matched: z.number().int().nonnegative() }),
  },
  /** The plan an entry recorded, as the plan view's shell script (for reading; nothing runs). */
  'history.planScript': { request: z.object({ id: auditEntryIdSchema }).strict(), response: z.object({ script: z.string().max(1_000_000), fileName: z.string().max(200) }) },
  /** Put a bond back as an entry recorded it (before or after): a plan on today's host, applied with bonds.apply. */
  'bonds.planRestore': { request: restorePlanRequestSchema, response: restorePlanResponseSchema },
  /** Check every target host against one bond spec and plan it there; nothing runs. */
  'fleet.preview': { request: fleetPreviewRequestSchema, response: z.object({ hosts: z.array(fleetHostPreviewSchema).max(200) }) },
  /** Start a rollout: the canary first, the rest once it is kept. */
  'fleet.start': { request: fleetStartRequestSchema, response: fleetRunSchema },
  /** Pause, resume or abort between hosts (a host already applying finishes its own safe apply). */
  'fleet.pause': { request: z.object({ runId: fleetRunIdSchema }).strict(), response: fleetRunSchema },
  'fleet.resume': { request: z.object({ runId: fleetRunIdSchema }).strict(), response: fleetRunSchema },
  'fleet.abort': { request: z.object({ runId: fleetRunIdSchema }).strict(), response: fleetRunSchema },
  /** Every rollout kept on disk, newest first, and how many files could not be read. */
  'fleet.runs': { request: empty, response: z.object({ runs: z.array(fleetRunSchema).max(1000), unreadable: z.number().int() }) },
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelRequest<K extends ChannelName> = z.input<Channels[K]['request']>;
export type ChannelResponse<K extends ChannelName> = z.output<Channels[K]['response']>;

export const events = {
  'hosts.changed': z.object({ reason: z.enum(['added', 'updated', 'removed']), id: idSchema }),
  'session.state': connectionStateSchema,
  'discovery.result': discoveryResultSchema,
  'apply.state': applyStateSchema,
  'fleet.run': fleetRunSchema,
  /**
   * A change whose app was gone before it ended (killed, crashed inside the window), found on a
   * later connect and recorded in the audit log with its outcome on the box: told once.
   */
  'change.recovered': z.object({
    hostId: idSchema,
    action: z.enum(['create', 'update', 'delete']),
    bondName: ifaceNameSchema,
    result: z.enum(['rolled-back', 'kept-unconfirmed']),
    message: z.string().max(2000),
    /** When the app that applied it started the change (ISO time), where it kept that. */
    startedAt: z.string().max(64).nullable(),
  }),
  /** Bondsmith's own files failed it during a change (audit log, saved plan): said, never swallowed. */
  'app.problem': z.object({ hostId: idSchema.nullable(), message: z.string().max(2000) }),
} as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
