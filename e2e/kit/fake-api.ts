import type { AppError, ChannelName, ChannelRequest, ChannelResponse, Envelope, EventName, EventPayload } from '../../preload/contract';

// Test support for the renderer's stores (never imported by the app): a scripted stand-in for
// renderer/src/api/api.ts. Each test says what main answers on a channel, pushes the events main
// would send through the listeners the store registered with api.on, and reads what was asked.
//
//   vi.mock('../api/api', async () => (await import('../../../e2e/kit/fake-api')).apiModule);

const replies = new Map<string, (payload: unknown) => unknown>();
const calls: { channel: string; payload: unknown }[] = [];
const listeners = new Map<string, Set<(payload: unknown) => void>>();

/** What the mocked module exports, in api.ts's shape. */
export const apiModule = {
  api: {
    call: (channel: string, payload: unknown): Promise<unknown> => {
      calls.push({ channel, payload });
      const reply = replies.get(channel);
      return reply ? Promise.resolve(reply(payload)) : Promise.reject(new Error(`the test scripted no answer on ${channel}`));
    },
    on: (event: string, listener: (payload: unknown) => void): (() => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  },
};

/** Forget every scripted answer, recorded call and listener (call in beforeEach). */
export function resetFakeApi(): void {
  replies.clear();
  calls.length = 0;
  listeners.clear();
}

export function answer<K extends ChannelName>(channel: K, reply: (payload: ChannelRequest<K>) => Envelope<ChannelResponse<K>> | Promise<Envelope<ChannelResponse<K>>>): void {
  replies.set(channel, reply as (payload: unknown) => unknown);
}

export function push<K extends EventName>(event: K, payload: EventPayload<K>): void {
  for (const listener of listeners.get(event) ?? []) listener(payload);
}

/** The payloads sent on one channel, in order. */
export function callsOn(channel: ChannelName): unknown[] {
  return calls.filter((c) => c.channel === channel).map((c) => c.payload);
}

/** Every call, in order. */
export function allCalls(): readonly { channel: string; payload: unknown }[] {
  return calls;
}

export function listenerCount(event: EventName): number {
  return listeners.get(event)?.size ?? 0;
}

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function refused(error: AppError): Envelope<never> {
  return { ok: false, error };
}
