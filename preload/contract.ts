import { z } from 'zod';
import { idSchema } from './contract/common';
import { hostInputSchema, hostSchema } from './contract/hosts';

// The single source of truth for every message between the renderer and main: channel names with
// their request and response schemas, and every event main pushes. Main parses every inbound
// payload with these before any service sees it; the renderer and preload import types only.

export * from './contract/common';
export * from './contract/hosts';
export * from './contract/inventory';
export * from './contract/bond-spec';

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
    response: z.object({ hosts: z.array(hostSchema).max(1000), storeProblem: storeProblemSchema.nullable() }),
  },
  'hosts.add': { request: hostInputSchema, response: hostSchema },
  'hosts.update': { request: z.object({ id: idSchema, host: hostInputSchema }).strict(), response: hostSchema },
  'hosts.remove': { request: z.object({ id: idSchema }).strict(), response: z.object({ id: idSchema }) },
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelRequest<K extends ChannelName> = z.input<Channels[K]['request']>;
export type ChannelResponse<K extends ChannelName> = z.output<Channels[K]['response']>;

export const events = {
  'hosts.changed': z.object({ reason: z.enum(['added', 'updated', 'removed']), id: idSchema }),
} as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
