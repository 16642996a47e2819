import type { ChannelName, ChannelRequest, ChannelResponse, Envelope, EventName, EventPayload } from './contract';

/** What the preload exposes as `window.bondsmith`: one function per channel, and event subscription. */
export type BondsmithBridge = {
  readonly [K in ChannelName]: (request: ChannelRequest<K>) => Promise<Envelope<ChannelResponse<K>>>;
} & {
  readonly on: <K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void) => () => void;
};
