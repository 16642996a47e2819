import { z } from 'zod';
import { ifaceNameSchema } from './common';
import { bondSpecShapeSchema } from './bond-spec';

// What the host's driver says about a discovered host, as data: the renderer shows it and never
// asks which kind of host it is looking at.

/** A driver's name ("truenas", "linux-ifupdown", ...): main's registry knows them, the contract does not list them. */
export const driverKindSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
export type DriverKind = z.infer<typeof driverKindSchema>;

/** A change armed on the box and waiting for confirmation, as the box itself reports it. */
export const pendingOnBoxSchema = z.object({
  /** Stable while the change waits: its run id, or a driver-chosen key where the box has no ids. */
  key: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** Bondsmith's run id where the box keeps one (needed to keep or revert that very change). */
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).nullable(),
  text: z.string().max(1000),
  /** Seconds until the box rolls back on its own, at discovery time; null when no timer is armed. */
  secondsLeft: z.number().int().nullable(),
});
export type PendingOnBox = z.infer<typeof pendingOnBoxSchema>;

export const hostViewSchema = z.object({
  /** The driver that manages this host; null when none does (then the host is read-only). */
  driver: z.object({ kind: driverKindSchema, label: z.string().max(200) }).nullable(),
  /** Who manages the host's network, in words ("ifupdown", "NetworkManager 1.42.4"). */
  stack: z.string().max(200),
  /** Can the kernel build bonds: loaded, builtin, loadable (module present), missing, unknown. */
  bonding: z.enum(['loaded', 'builtin', 'loadable', 'missing', 'unknown']),
  /** Why Bondsmith will not change this host, in plain words; null when it can. */
  readOnlyReason: z.string().max(1000).nullable(),
  /** The editor's fields as the box has them, per bond (null: a mode the editor does not offer). */
  bonds: z.array(z.object({ name: ifaceNameSchema, spec: bondSpecShapeSchema.nullable() })).max(128),
  pending: z.array(pendingOnBoxSchema).max(16),
});
export type HostView = z.infer<typeof hostViewSchema>;
