import { z } from 'zod';
import { idSchema } from './common';

// The host inventory: what the user tells Bondsmith about each box. Secrets (password, key
// passphrase) come in with a write but never go back out: `Host` carries only `hasSecret`.

export const hostLabelSchema = z
  .string()
  .trim()
  .min(1, 'Label is required')
  .max(64, 'Label has at most 64 characters');

export const hostAddressSchema = z
  .string()
  .trim()
  .min(1, 'Address is required')
  .max(253, 'Address has at most 253 characters')
  .regex(/^[A-Za-z0-9.:_%[\]-]+$/, 'Address is a host name or an IP address, without spaces');

export const portSchema = z
  .number({ error: 'Port must be a number' })
  .int('Port must be a whole number')
  .min(1, 'Port must be between 1 and 65535')
  .max(65535, 'Port must be between 1 and 65535');

export const userNameSchema = z
  .string()
  .trim()
  .min(1, 'User is required')
  .max(32, 'User names have at most 32 characters')
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, 'User names have no spaces and start with a letter or "_"');

export const keyPathSchema = z.string().trim().min(1, 'Key file is required').max(4096, 'Path is too long');

export const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(32, 'Tags have at most 32 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'Tags use letters, digits, ".", "_" and "-" only');

export const authKindSchema = z.enum(['agent', 'key', 'password']);
export type AuthKind = z.infer<typeof authKindSchema>;

/** What a form submits. `secret` is the password or the key's passphrase; empty = keep the stored one. */
export const hostAuthInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent') }),
  z.object({ kind: z.literal('key'), keyPath: keyPathSchema, passphrase: z.string().max(1024).optional() }),
  z.object({ kind: z.literal('password'), password: z.string().max(1024).optional() }),
]);
export type HostAuthInput = z.infer<typeof hostAuthInputSchema>;

export const hostInputSchema = z.object({
  label: hostLabelSchema,
  address: hostAddressSchema,
  port: portSchema,
  user: userNameSchema,
  auth: hostAuthInputSchema,
  jumpHostId: idSchema.nullable(),
  tags: z.array(tagSchema).max(16, 'At most 16 tags'),
  useSudo: z.boolean(),
});
export type HostInput = z.infer<typeof hostInputSchema>;

/** What is stored on disk and sent to the renderer: no secrets. */
export const hostAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent') }),
  z.object({ kind: z.literal('key'), keyPath: keyPathSchema }),
  z.object({ kind: z.literal('password') }),
]);
export type HostAuth = z.infer<typeof hostAuthSchema>;

export const hostSchema = z.object({
  id: idSchema,
  label: hostLabelSchema,
  address: hostAddressSchema,
  port: portSchema,
  user: userNameSchema,
  auth: hostAuthSchema,
  jumpHostId: idSchema.nullable(),
  tags: z.array(tagSchema).max(16),
  useSudo: z.boolean(),
  /** A password or passphrase is held by main (encrypted, or in memory only in browser mode). */
  hasSecret: z.boolean(),
});
export type Host = z.infer<typeof hostSchema>;

/** The most hosts hosts.json (and the host list sent to the renderer) holds. */
export const MAX_HOSTS = 1000;

export const hostsFileSchema = z.object({
  version: z.literal(1),
  hosts: z.array(hostSchema.omit({ hasSecret: true })).max(MAX_HOSTS),
});
export type HostsFile = z.infer<typeof hostsFileSchema>;

export function emptyHostInput(): HostInput {
  return { label: '', address: '', port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false };
}
