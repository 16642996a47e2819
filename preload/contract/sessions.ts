import { z } from 'zod';
import { appErrorSchema, idSchema } from './common';
import { hostViewSchema } from './host-view';
import { hostFactsSchema } from './inventory';

// Live SSH sessions and what discovery found on each host.

export const connectionStateNameSchema = z.enum(['idle', 'connecting', 'awaiting-trust', 'ready', 'reconnecting', 'failed']);
export type ConnectionStateName = z.infer<typeof connectionStateNameSchema>;

/** A host key the user is asked to trust (first contact), or the two keys of a changed host. */
export const hostKeyInfoSchema = z.object({
  host: z.string().max(255),
  port: z.number().int(),
  keyType: z.string().max(64),
  fingerprint: z.string().max(128),
  /** Set when a known host presented a different key: the connection is refused, never offered to accept. */
  knownFingerprint: z.string().max(128).nullable(),
});
export type HostKeyInfo = z.infer<typeof hostKeyInfoSchema>;

export const connectionStateSchema = z.object({
  hostId: idSchema,
  state: connectionStateNameSchema,
  reason: appErrorSchema.nullable(),
  hostKey: hostKeyInfoSchema.nullable(),
  since: z.string().max(64),
});
export type ConnectionState = z.infer<typeof connectionStateSchema>;

export const discoveryResultSchema = z.object({
  hostId: idSchema,
  facts: hostFactsSchema.nullable(),
  /** The driver's reading of `facts` (null when there are no facts). */
  view: hostViewSchema.nullable(),
  error: appErrorSchema.nullable(),
  durationMs: z.number().int().nullable(),
});
export type DiscoveryResult = z.infer<typeof discoveryResultSchema>;

export const importedHostSchema = z.object({
  alias: z.string().max(255),
  hostName: z.string().max(255),
  user: z.string().max(64).nullable(),
  port: z.number().int(),
  identityFiles: z.array(z.string().max(4096)).max(32),
  proxyJump: z.string().max(1024).nullable(),
});
export type ImportedHost = z.infer<typeof importedHostSchema>;
